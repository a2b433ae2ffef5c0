"""A streaming ffmpeg writer: imageio-ffmpeg's own ffmpeg, fed raw frames through a pipe.

FfmpegWriter(path, fps=..., codec=..., params=[...], container=...) is a StreamWriter (the
writer contract, common/writers.py); ffmpeg starts at the first frame (it needs the size), and
the file is renamed into place only when ffmpeg has finished it and exited with success. ffmpeg
runs in its own process group, so a Ctrl-C at the terminal reaches only dreamanim, which stops
ffmpeg and removes the temporary file. ffmpeg's messages are kept, not shown: a failure it
reports as an OS error (a full disk, a read-only folder) becomes the same one-line error as any
other file's (writers.cannot_write); any other failure names the file and ffmpeg's last line.
"""
import errno
import os
import subprocess
import threading
from collections import deque
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..common.writers import StreamWriter

# ffmpeg reports write failures with the C library's text for errno: map it back.
_CAUSES = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM, errno.EROFS, errno.EIO)


class FfmpegWriter(StreamWriter):
    def __init__(self, path: Path, *, fps: float, codec: str, params: list[str], container: str,
                 pixelformat: str = "yuv420p", even: bool = False, comment: str = ""):
        super().__init__(path)
        self.fps, self.codec, self.pixelformat, self.even = fps, codec, pixelformat, even
        self.params = [*params, *(["-metadata", f"comment={comment}"] if comment else []), "-f", container]
        self._process = None
        self._said: deque[str] = deque(maxlen=40)  # ffmpeg's last lines of stderr

    def add(self, frame: np.ndarray) -> None:
        if self.even:  # yuv420p H.264: odd sizes padded to even by repeating the edge
            h, w = frame.shape[:2]
            frame = np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        if self._process is None:
            self._process = self._start(frame.shape[1], frame.shape[0])
        try:
            self._process.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
        except OSError:  # ffmpeg has quit (BrokenPipeError): its own words say why
            self._process.wait()
            raise self._failure() from None

    def _start(self, width: int, height: int) -> subprocess.Popen:
        import imageio_ffmpeg
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error",
                   "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{width}x{height}", "-pix_fmt", "rgb24",
                   "-r", str(Fraction(self.fps).limit_denominator()), "-i", "-", "-an",
                   "-vcodec", self.codec, "-pix_fmt", self.pixelformat, *self.params, str(self.tmp)]
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:  # not a problem with the file: never reported as one
            raise RuntimeError(f"cannot start ffmpeg ({command[0]}): {exc}") from None
        self._listener = threading.Thread(target=self._listen, args=(process.stderr,), daemon=True)
        self._listener.start()
        return process

    def _listen(self, stream) -> None:
        for line in stream:
            self._said.append(line.decode("utf-8", "replace").strip())

    def _failure(self) -> BaseException:
        """What ffmpeg's failure means: an OSError when it names an OS cause, else a RuntimeError."""
        self._listener.join(timeout=5)  # (ffmpeg has exited: its last words are on their way)
        said = " ".join(self._said)
        for code in _CAUSES:
            if os.strerror(code) in said:
                return OSError(code, os.strerror(code), str(self.path))
        last = next((line for line in reversed(self._said) if line), "no message")
        return RuntimeError(f"ffmpeg failed writing {self.path} (exit code {self._process.returncode}): {last}")

    def close(self) -> None:
        """Close ffmpeg's input and wait for it to write the file; raise if it failed."""
        if self._process is None:
            return
        try:
            self._process.stdin.close()
        except OSError:
            pass
        if self._process.wait() != 0:
            raise self._failure()

    def abort(self) -> None:
        """Interrupted or failed: stop ffmpeg now, its file is not wanted."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
