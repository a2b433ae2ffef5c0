"""A video clip as a stream: (path, size, span) => float32 H×W×3 frames in 0..255, one at a time.

`probe` reads what the clip is (rate, exact frame count, size, sound), `trim` turns a preset's
`start`, `end` and `every` into the source frames kept, and `ClipReader` decodes them in order
without ever holding more than one frame. Everything runs the ffmpeg that imageio-ffmpeg
bundles; the clip is always read at a constant rate (`-fps_mode cfr -r fps`), so the frame
count, the frames decoded and the sound's timing agree even for variable-rate phone videos.
"""
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Optional, Union

import numpy as np

from ..errors import InputError
from .ffmpeg_tool import last_line, run_ffmpeg
from .pixels import fit

CLIP_FIX = "use a video file ffmpeg can read, e.g. an MP4 or WebM with a video track"

Mark = Union[int, float, str]  # seconds, or "f120": frame number 120


@dataclass(frozen=True)
class ClipInfo:
    fps: float          # frames per second of the stream as read (constant rate)
    frames: int         # exact: counted by decoding at that rate
    duration: float     # seconds of picture: frames / fps
    width: int          # of the decoded frames (after the rotation a phone recorded, at square pixels)
    height: int
    has_audio: bool
    stream: int = 0     # index of the video stream read (cover art is skipped)
    sar: Fraction = Fraction(1)  # the stored pixels' aspect (width / height); decoded at 1:1


@dataclass(frozen=True)
class ClipSpan:
    """The kept source frames: first, first + every, ... up to (not including) stop."""
    info: ClipInfo
    first: int
    stop: int
    every: int = 1

    @property
    def indices(self) -> range:
        return range(self.first, self.stop, self.every)

    @property
    def frames(self) -> int:
        return len(self.indices)

    @property
    def fps(self) -> float:
        """Output rate: the kept frames play in the source's time."""
        return self.info.fps / self.every

    @property
    def start_seconds(self) -> float:
        return self.first / self.info.fps

    @property
    def duration_seconds(self) -> float:
        """How long the kept frames play at `fps`: the span of sound that goes with them."""
        return self.frames * self.every / self.info.fps


def probe(path: Union[str, Path], where: str = "input") -> ClipInfo:
    """What the clip is. Counting decodes the whole video stream once (about the cost of
    playing it at many times real speed), because container counts are missing or wrong for
    variable-rate files and the frame loop needs the exact number."""
    path = Path(path)
    if not path.is_file():
        raise InputError(where, f"no such video file {path}", "check the path of `input:`")
    header = run_ffmpeg(["-i", str(path)])[1]  # no output file: ffmpeg only describes the input
    if "Input #0" not in header:
        raise InputError(where, f"cannot read video {path}: {last_line(header)}", CLIP_FIX)
    stream, fps, sar = _video_stream(header, path, where)
    frames, width, height = _count(path, stream, fps, sar)
    if frames == 0:
        raise InputError(where, f"video {path} has no frames that decode", CLIP_FIX)
    return ClipInfo(fps=fps, frames=frames, duration=frames / fps, width=width, height=height,
                    has_audio=re.search(r"Stream #0:\d+\S*: Audio:", header) is not None,
                    stream=stream, sar=sar)


def trim(info: ClipInfo, start: Optional[Mark] = None, end: Optional[Mark] = None,
         every: int = 1) -> ClipSpan:
    """Kept frames from `start` up to, not including, `end` (seconds, or "f120" = frame 120),
    every `every`-th one. A time means the frame on screen at that time; an end past the
    clip's end is the clip's end. ValueErrors name the key, for the preset to add its path."""
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a whole number >= 1 (1 keeps every frame), got {every!r}")
    first = 0 if start is None else frame_index(start, info.fps, "start")
    stop = info.frames if end is None else min(frame_index(end, info.fps, "end"), info.frames)
    if first >= info.frames:
        raise ValueError(f"start {start!r} (frame {first}) is past the end of the clip "
                         f"({info.frames} frames, {info.duration:.2f} s)")
    if first >= stop:
        raise ValueError(f"start {start!r} (frame {first}) must come before end {end!r} (frame {stop})")
    return ClipSpan(info, first, stop, every)


def frame_index(mark: Mark, fps: float, key: str = "start") -> int:
    """Seconds => the frame on screen then (a tiny tolerance so 0.5 s at 24 fps is frame 12,
    not 11 through float rounding); "f120" => 120."""
    if isinstance(mark, str):
        found = re.fullmatch(r"\s*f(\d+)\s*", mark)
        if not found:
            raise ValueError(f"{key} must be seconds (e.g. 1.5) or a frame number like 'f120', got {mark!r}")
        return int(found.group(1))
    if isinstance(mark, bool) or not isinstance(mark, (int, float)) or not np.isfinite(mark) or mark < 0:
        raise ValueError(f"{key} must be seconds >= 0 or a frame number like 'f120', got {mark!r}")
    return int(np.floor(mark * fps + 1e-6))


class ClipReader:
    """The kept frames of a clip, decoded in order, resized so the longer side is `size`.

    Iterate it, or call `frames(k)` to start at kept frame k (for --resume), or `frame(k)` for
    sequential access (one decoder stays open; asking for an earlier frame restarts it).
    Starting at k decodes and discards the source frames before it, so resuming is exact
    (bit-identical to reading from the start) at the cost of decoding first + k*every frames:
    milliseconds each, small beside dreaming one frame. Close it (or use `with`) to stop ffmpeg.
    """

    def __init__(self, path: Union[str, Path], size: int, span: Optional[ClipSpan] = None,
                 where: str = "input"):
        self.path, self.size, self.where = Path(path), size, where
        self.span = span if span is not None else trim(probe(self.path, where))
        self._open: Optional[Iterator[np.ndarray]] = None
        self._next = 0  # the kept frame `_open` yields next

    def __len__(self) -> int:
        return self.span.frames

    def __iter__(self) -> Iterator[np.ndarray]:
        return self.frames(0)

    def frames(self, start: int = 0) -> Iterator[np.ndarray]:
        """Kept frames start, start+1, ... to the end of the span (a fresh decoder)."""
        if not 0 <= start <= len(self):  # checked now, not when the first frame is asked for
            raise ValueError(f"start must be a kept frame 0..{len(self)}, got {start}")
        return self._kept(start)

    def _kept(self, start: int) -> Iterator[np.ndarray]:
        wanted = iter(self.span.indices[start:])
        target = next(wanted, None)
        if target is None:
            return
        for index, rgb8 in self._decode():
            if index == target:
                yield fit(rgb8, self.size)
                target = next(wanted, None)
                if target is None:
                    return
        raise InputError(self.where, f"video {self.path} ended before source frame {target} "
                         f"(probe counted {self.span.info.frames})",
                         "re-encode the clip, e.g. with ffmpeg -i IN -c:v libx264 OUT.mp4")

    def frame(self, k: int) -> np.ndarray:
        """Kept frame k; cheap when k is the one after the last asked for."""
        if not 0 <= k < len(self):
            raise IndexError(f"kept frame {k} is outside 0..{len(self) - 1}")
        if self._open is None or k < self._next:
            self.close()
            self._open, self._next = self.frames(k), k
        while self._next < k:  # jump ahead on the open decoder rather than restart it
            next(self._open)
            self._next += 1
        self._next += 1
        return next(self._open)

    def close(self) -> None:
        if self._open is not None:
            self._open.close()  # closing the generators terminates ffmpeg
            self._open = None

    def __enter__(self) -> "ClipReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _decode(self) -> Iterator[tuple[int, np.ndarray]]:
        """(source index, 8-bit RGB) for every source frame, at the probed constant rate."""
        import imageio_ffmpeg
        info = self.span.info
        raw = imageio_ffmpeg.read_frames(str(self.path), output_params=_read_args(info))
        try:
            try:
                meta = next(raw)
            except Exception as exc:  # imageio-ffmpeg raises OSError/RuntimeError with ffmpeg's log
                raise InputError(self.where, f"cannot read video {self.path}: {last_line(str(exc))}",
                                 CLIP_FIX) from None
            width, height = meta["size"]
            index = 0
            while True:
                try:
                    data = next(raw, None)
                except RuntimeError as exc:  # a damaged frame: imageio-ffmpeg quotes ffmpeg's log
                    raise InputError(self.where, f"cannot decode frame {index} of {self.path}: "
                                     f"{last_line(str(exc))}", CLIP_FIX) from None
                if data is None:
                    return
                yield index, np.frombuffer(data, np.uint8).reshape(height, width, 3)
                index += 1
        finally:
            raw.close()


# Non-square pixels (anamorphic DVD, HDV, some phones) shown as they are meant to be: the longer
# way stretched (never a side shrunk), after the rotation ffmpeg applies first (it turns the
# aspect too, which is why `sar` is read inside the filter and not from the header).
SQUARE_PIXELS = ("scale='if(gt(sar,1),trunc(iw*sar+0.5),iw)':'if(gt(sar,1),ih,trunc(ih/sar+0.5))'"
                 ":flags=lanczos,setsar=1")


def _read_args(info: ClipInfo) -> list[str]:
    """The same stream, rate and pixel shape for counting and reading: the count and the size
    are what the reader yields. Square-pixel clips get no filter at all (their decode is unchanged)."""
    square = [] if info.sar == 1 else ["-vf", SQUARE_PIXELS]
    return ["-map", f"0:{info.stream}", *square, "-fps_mode", "cfr", "-r", _rate_arg(info.fps)]


def _count(path: Path, stream: int, fps: float, sar: Fraction = Fraction(1)) -> tuple[int, int, int]:
    """(frames, width, height) as the reader will see them, by decoding to ffmpeg's null sink."""
    info = ClipInfo(fps=fps, frames=0, duration=0.0, width=0, height=0, has_audio=False, stream=stream, sar=sar)
    log = run_ffmpeg(["-i", str(path), *_read_args(info), "-f", "null", "-"])[1]
    counts = re.findall(r"frame=\s*(\d+)", log)
    output = log.split("Output #0", 1)[-1]
    size = re.search(r"Video: [^\n]*?\b(\d{1,5})x(\d{1,5})\b", output)
    if not size:  # nothing decoded, so ffmpeg never described its output
        return 0, 0, 0
    return (int(counts[-1]) if counts else 0), int(size.group(1)), int(size.group(2))


def _video_stream(header: str, path: Path, where: str) -> tuple[int, float, Fraction]:
    """(stream index, frames per second, sample aspect ratio) of the first real video stream in
    `ffmpeg -i` output (an unknown or 0:1 aspect is square)."""
    for line in header.splitlines():
        found = re.match(r"\s*Stream #0:(\d+)\S*: Video: (.*)", line)
        if not found or "(attached pic)" in line:  # an album cover is not a video
            continue
        rate = re.search(r"([\d.]+) fps", line) or re.search(r"([\d.]+) tbr", line)
        if rate is None or float(rate.group(1)) <= 0:
            raise InputError(where, f"video {path} has no frame rate", CLIP_FIX)
        sar = re.search(r"\[SAR (\d+):(\d+) DAR", line)
        aspect = Fraction(int(sar.group(1)), int(sar.group(2))) if sar and int(sar.group(1)) and int(sar.group(2)) \
            else Fraction(1)
        return int(found.group(1)), float(_rate(rate.group(1))), aspect
    raise InputError(where, f"{path} has no video stream", CLIP_FIX)


def _rate(text: str) -> Fraction:
    """ffmpeg prints rates rounded to 2 decimals: 23.98 is NTSC's 24000/1001, read back exactly
    so a long clip does not gain a duplicated frame every few minutes."""
    value = Fraction(text)
    ntsc = Fraction(round(value * Fraction(1001, 1000)) * 1000, 1001)
    return ntsc if value.denominator != 1 and abs(ntsc - value) < Fraction(1, 100) else value


def _rate_arg(fps: float) -> str:
    return str(Fraction(fps).limit_denominator(1001))
