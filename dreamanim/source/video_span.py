"""Is an input a video, and which of its frames a preset dreams: (input, clip settings) => ClipSpan.

Both the preset loader (the frame count and frame rate a video render defaults to) and the
video source (the frames it reads) ask; the clip is probed once per process and file version,
because an exact frame count decodes the whole stream.
"""
from functools import lru_cache
from pathlib import Path

from ..errors import PresetError

VIDEO_KEYS = ("clip", "coherence", "audio")  # preset keys that only a video input takes (audio: a file goes anywhere)

# Containers ffmpeg reads as video; an animated GIF (more than one frame) is a video too.
VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".mpg", ".mpeg", ".wmv", ".flv", ".ogv", ".3gp"}


def is_video(input: str) -> bool:
    path = Path(input)
    if input == "noise" or not path.is_file():
        return False
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return True
    if path.suffix.lower() == ".gif":
        from PIL import Image
        try:
            with Image.open(path) as im:
                return getattr(im, "n_frames", 1) > 1
        except OSError:
            return False  # the image reader names what is wrong with it
    return False


def clip_span(input: str, clip, where: str):
    """The kept source frames of a video input (clip: the preset's `clip:` settings)."""
    return kept_span(probe(input, f"{where}: input"), clip, where, "the clip: 0 to {duration:.2f} s")


def kept_span(info, clip, where: str, inside: str):
    """clip.trim of a video's or an image sequence's frames, its ValueError as the preset's error
    naming the `clip.` key; inside: what start and end must stay in (formatted with `duration`)."""
    from .clip import trim
    try:
        return trim(info, clip.start, clip.end, clip.every)
    except ValueError as exc:
        key = str(exc).split(" ", 1)[0]
        raise PresetError(f"{where}: clip.{key}", str(exc),
                          f"keep start and end inside {inside.format(duration=info.duration)}, "
                          f"or frames f0 to f{info.frames - 1}; every a whole number >= 1") from None


def probe(input: str, where: str):
    path = Path(input)
    stat = path.stat()
    return _probe(str(path.resolve()), stat.st_mtime_ns, stat.st_size, where)


@lru_cache(maxsize=32)
def _probe(path: str, mtime_ns: int, size: int, where: str):
    from .clip import probe as probe_clip
    return probe_clip(path, where)
