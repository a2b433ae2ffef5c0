"""Is a saved frame whole? A crash, a full disk or a stray copy can leave a frame file that is
empty, cut short, of another size, or not a PNG at all.

    frame_problem(path, size) => None for a whole 8-bit RGB PNG of `size` (width, height;
                                 None: any size), else what is wrong, as `is ...` text
                                 (a file that cannot be read at all: InputError)
    read_frame(path, size, fix) => uint8 H×W×3, or InputError(path, "damaged saved frame: ...", fix)

frame_problem reads the whole file (every chunk's checksum, the end marker) but decodes no pixels.
"""
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image

from ..errors import InputError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the last 12 bytes of every PNG file
REDREAM = "render again with --resume: it dreams this frame and the ones after it again"


def frame_problem(path: Path, size: Optional[tuple[int, int]] = None) -> Optional[str]:
    path = Path(path)
    try:
        length = path.stat().st_size
        if length == 0:
            return "is empty (0 bytes)"
        with open(path, "rb") as f:
            head = f.read(len(PNG_SIGNATURE))
            f.seek(max(0, length - len(PNG_END)))
            tail = f.read()
        if head != PNG_SIGNATURE:
            return "is not a PNG file"
        if tail != PNG_END:
            return f"is truncated ({length} bytes, cut off before the PNG's end)"
        with Image.open(path) as im:
            shape_problem = _shape_problem(im, size)
            if shape_problem:
                return shape_problem
            im.verify()
    except OSError as exc:
        if exc.errno is not None:  # the file system's problem (permissions, I/O), not the file's
            raise InputError(str(path), f"cannot read this saved frame: {exc.strerror}",
                             "make the frames readable for you (chmod u+r) and check the disk, "
                             "then run again") from None
        return f"is damaged ({_reason(exc)})"
    except Exception as exc:  # Pillow reports a broken chunk as SyntaxError, others as ValueError ...
        return f"is damaged ({_reason(exc)})"
    return None


def read_frame(path: Path, size: Optional[tuple[int, int]], fix: str) -> np.ndarray:
    """The frame's pixels; anything wrong with the file is one InputError naming it."""
    try:
        with Image.open(path) as im:
            if im.format == "PNG" and _shape_problem(im, size) is None:
                return np.array(im)  # decodes: a file cut short fails here
    except Exception:
        pass
    problem = frame_problem(path, size) or "is damaged (it cannot be decoded)"
    raise InputError(str(path), f"damaged saved frame: it {problem}", fix)


def _shape_problem(im: Image.Image, size: Optional[tuple[int, int]]) -> Optional[str]:
    if im.mode != "RGB":
        return f"is not an 8-bit RGB frame (Pillow mode {im.mode})"
    if size is not None and tuple(im.size) != tuple(size):
        return f"is {im.size[0]}x{im.size[1]} pixels, not {size[0]}x{size[1]} like the render's frames"
    return None


def _reason(exc: BaseException) -> str:
    return str(exc).strip().split("\n")[0] or type(exc).__name__
