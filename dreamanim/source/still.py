"""One picture as a Source: `input: photo.png` (anything Pillow reads); every frame after the first dreams on the previous dream, moved.

    claims(input) / span(...) / open(input, size, ...) / check(input, size, where): a SOURCES entry (table.py)
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from ..common.digests import file_sha256
from .pixels import check_shape, load_image, read_rgb8
from .table import Start


@dataclass
class Still:
    """One picture: the first frame dreams on it, every later frame on the previous dream, moved."""
    load: Any = field(repr=False)  # () => the picture; called once, when a frame is first needed
    digest: str
    frames = None
    fps = None
    sound = None

    def frame(self, t: int) -> np.ndarray:
        if not hasattr(self, "_picture"):
            self._picture = self.load()
        return self._picture

    def begin(self, t: int, previous: Optional[np.ndarray], move: Callable[[np.ndarray], np.ndarray],
              since: int = 1) -> Start:
        return Start(self.frame(t) if previous is None else move(previous))


def claims(input: str) -> bool:
    return True  # the last entry of the table: whatever else the input is, it is read as a picture


def span(input: str, clip, fps, where: str):
    return None  # a still has no frames of its own: the preset's `frames` says how many


def open(input: str, size: int, **_) -> Still:
    path = Path(input)
    return Still(lambda: load_image(path, size), file_sha256(path))


def check(input: str, size: int, where: str) -> None:
    """Missing or unreadable, or too thin for `size`: now, not mid-render."""
    from ..errors import InputError
    if not Path(input).is_file():
        raise InputError(where, f"image not found: {input}", "give a path relative to the preset, or `input: noise`")
    rgb = read_rgb8(Path(input), where)
    check_shape(*rgb.shape[:2], size, where)
