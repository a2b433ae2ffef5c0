"""A streaming ffmpeg writer (imageio-ffmpeg's own ffmpeg, fed frame by frame through a pipe).

FfmpegWriter(path, fps=..., codec=..., params=[...], container=...) is a context manager with
.add(uint8 H×W×3 frame); ffmpeg starts at the first frame (it needs the size), and the file is
written under a temporary name and renamed into place only when complete.
"""
from pathlib import Path

import numpy as np

from ..writers import atomic


class FfmpegWriter:
    def __init__(self, path: Path, *, fps: float, codec: str, params: list[str], container: str,
                 pixelformat: str = "yuv420p", even: bool = False, comment: str = ""):
        self.path, self.fps, self.codec, self.pixelformat, self.even = Path(path), fps, codec, pixelformat, even
        self.params = [*params, *(["-metadata", f"comment={comment}"] if comment else []), "-f", container]
        self._pipe = None

    def __enter__(self) -> "FfmpegWriter":
        self._atomic = atomic(self.path)
        self._tmp = self._atomic.__enter__()
        return self

    def add(self, frame: np.ndarray) -> None:
        if self.even:  # yuv420p H.264: odd sizes padded to even by repeating the edge
            h, w = frame.shape[:2]
            frame = np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        if self._pipe is None:
            self._pipe = self._start(frame.shape[1], frame.shape[0])
        self._pipe.send(np.ascontiguousarray(frame, dtype=np.uint8))

    def _start(self, width: int, height: int):
        import imageio_ffmpeg
        pipe = imageio_ffmpeg.write_frames(str(self._tmp), (width, height), fps=self.fps, codec=self.codec,
                                           pix_fmt_in="rgb24", pix_fmt_out=self.pixelformat, quality=None,
                                           macro_block_size=1, ffmpeg_log_level="error", output_params=self.params)
        pipe.send(None)  # start ffmpeg
        return pipe

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if self._pipe is not None:
                self._pipe.close()  # waits for ffmpeg to finish the file
        except BaseException as failed:  # ffmpeg failed: the temporary file goes, never renamed into place
            self._atomic.__exit__(type(failed), failed, failed.__traceback__)
            raise
        self._atomic.__exit__(kind, exc, tb)
