"""An image sequence as a Source: `input: shots/` (a folder of frames) or `input: "shots/frame_*.png"` (a glob).

Frames are sorted naturally (frame_2 before frame_10), play at the preset's `fps:` (24 unless
given) and are kept through `clip: {start, end, every}` exactly as a video's are; flow coherence
carries the dream from frame to frame. This is how VFX and compositing pipelines hand frames over.
Every file must be a picture, all of one size: found when the preset loads, not mid-render.
"""
import glob
import re
from functools import lru_cache
from pathlib import Path

from ..common.digests import data_sha256, file_sha256
from ..errors import InputError
from .clip import ClipInfo, ClipSpan
from .pixels import check_shape, fit, read_rgb8
from .video_span import kept_span

DEFAULT_FPS = 24.0
GLOB_CHARS = "*?["
FIX = "give a folder of PNG or JPEG frames, all of one size, or a glob such as shots/frame_*.png"


def claims(input: str) -> bool:
    return input != "noise" and (Path(input).is_dir() or any(c in input for c in GLOB_CHARS))


def frame_files(input: str, where: str = "input") -> tuple[Path, ...]:
    """The frames, in natural order, each checked to be a picture of the first one's size."""
    listing = _listing(input, where)
    return _checked(listing, where)


def span(input: str, clip, fps, where: str) -> ClipSpan:
    """where: the preset's (errors name its `input` and `clip.` keys)."""
    files = frame_files(input, f"{where}: input")
    rate = float(fps or DEFAULT_FPS)
    info = ClipInfo(fps=rate, frames=len(files), duration=len(files) / rate, width=0, height=0, has_audio=False)
    return kept_span(info, clip, where, f"the sequence: 0 to {{duration:.2f}} s at {rate:g} fps")


def open(input: str, size: int, *, clip, coherence, every: int = 1, fps=None, cadence: int = 1, **_):
    from .video import MovingSource, every_kth
    files = frame_files(input)
    kept = every_kth(span(input, clip, fps, "preset"), every)
    digest = data_sha256([file_sha256(files[i]) for i in kept.indices])  # what the kept frames hold
    return MovingSource(SequenceReader(files, size, kept), kept, digest, None, coherence, cadence + 1)


def check(input: str, size: int, where: str) -> None:
    files = frame_files(input, where)
    rgb = read_rgb8(files[0], f"{where} ({files[0].name})", FIX)
    check_shape(*rgb.shape[:2], size, where)


class SequenceReader:
    """Kept frame k of the sequence, read from its file and resized so its longer side is `size`."""

    def __init__(self, files: tuple[Path, ...], size: int, span: ClipSpan):
        self.files, self.size, self.span = files, size, span

    def frame(self, k: int):
        path = self.files[self.span.indices[k]]
        return fit(read_rgb8(path, f"input ({path.name})", FIX), self.size)


def natural_key(path: Path) -> list:
    """frame_2.png before frame_10.png: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _listing(input: str, where: str) -> tuple[tuple[Path, int, int], ...]:
    """(file, mtime, size) of each frame file, naturally sorted (the key of the checked cache)."""
    path = Path(input)
    if path.is_dir():
        files = [p for p in path.iterdir() if not p.name.startswith(".") and not p.is_dir()]
        if not files:
            raise InputError(where, f"the folder {path} holds no frames", FIX)
    else:
        files = [Path(p) for p in glob.glob(input) if not Path(p).is_dir()]
        if not files:
            raise InputError(where, f"no file matches {input}", "check the pattern; " + FIX)
    listing = []
    for p in sorted(files, key=natural_key):
        if p.is_symlink() and not p.exists():
            raise InputError(where, f"{p} is a broken link", FIX)
        stat = p.stat()
        listing.append((p, stat.st_mtime_ns, stat.st_size))
    return tuple(listing)


@lru_cache(maxsize=16)
def _checked(listing: tuple, where: str) -> tuple[Path, ...]:
    """Every file a picture Pillow reads, all of the first one's size: headers and a PNG's checksums
    are read, not the pixels (fast for long sequences)."""
    from PIL import Image, UnidentifiedImageError
    size = None
    for path, _, _ in listing:
        try:
            with Image.open(path) as im:
                this = im.size
                im.verify()  # a PNG cut short or damaged is found now, by its checksums, not mid-render
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            what = "is not a picture" if isinstance(exc, UnidentifiedImageError) else f"is damaged ({exc})"
            raise InputError(where, f"{path.name} in the sequence {what}", FIX) from None
        if size is None:
            size, first = this, path.name
        elif this != size:
            raise InputError(where, f"{path.name} is {this[0]}x{this[1]}, but {first} is {size[0]}x{size[1]}",
                             "give frames all of one size (resize them, or split the sequence)")
    return tuple(path for path, _, _ in listing)
