"""Geometric helpers for transforms: (frame, matrix about a centre) => resampled frame.

Coordinates are (row, col) in pixels; the centre defaults to the true image centre
((h-1)/2, (w-1)/2), so repeated zooms do not drift towards a corner.
"""
from typing import Literal, Optional, Sequence

import numpy as np
from scipy import ndimage

Border = Literal["reflect", "wrap", "nearest", "constant"]
_SCIPY_MODE = {"reflect": "reflect", "wrap": "grid-wrap", "nearest": "nearest", "constant": "constant"}


def matrix(frame: np.ndarray, m: Sequence[Sequence[float]], *, offset=(0.0, 0.0),
           center: Optional[Sequence[float]] = None, border: Border = "reflect",
           order: int = 1) -> np.ndarray:
    """Output pixel o samples the input at c + m @ (o - c) + offset, channel by channel."""
    m = np.asarray(m, dtype=np.float64)
    h, w = frame.shape[:2]
    c = np.array([(h - 1) / 2, (w - 1) / 2]) if center is None else np.asarray(center, np.float64)
    shift = c - m @ c + np.asarray(offset, np.float64)
    out = np.empty_like(frame)
    for ch in range(frame.shape[2]):
        ndimage.affine_transform(frame[..., ch], m, shift, output=out[..., ch], order=order,
                                 mode=_SCIPY_MODE[border], cval=0.0, prefilter=order > 1)
    return out


def scale(frame: np.ndarray, *, sy: float = 1.0, sx: float = 1.0, **kw) -> np.ndarray:
    """Sample rows at sy and columns at sx times their distance from the centre.

    sy < 1 magnifies vertically: scale(frame, sy=0.95, sx=0.95) is the classic 5% zoom in."""
    return matrix(frame, [[sy, 0.0], [0.0, sx]], **kw)
