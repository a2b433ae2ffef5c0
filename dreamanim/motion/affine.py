"""Geometric helpers for transforms: (frame, mapping of output pixels to input pixels) => resampled frame.

Coordinates are (row, col) in pixels; the centre defaults to the true image centre
((h-1)/2, (w-1)/2), so repeated zooms do not drift towards a corner. A bad `border` or
`order` raises ValueError naming it, so a transform can pass its parameters straight through.
"""
from typing import Literal, Optional, Sequence

import numpy as np
from scipy import ndimage

Border = Literal["reflect", "wrap", "nearest", "constant"]
Axis = Literal["vertical", "horizontal"]
_SCIPY_MODE = {"reflect": "reflect", "wrap": "grid-wrap", "nearest": "nearest", "constant": "constant"}


def matrix(frame: np.ndarray, m: Sequence[Sequence[float]], *, offset=(0.0, 0.0),
           center: Optional[Sequence[float]] = None, border: Border = "reflect",
           order: int = 1) -> np.ndarray:
    """Output pixel o samples the input at c + m @ (o - c) + offset, channel by channel."""
    mode, order = _mode(border, order)
    m = np.asarray(m, dtype=np.float64)
    h, w = frame.shape[:2]
    c = np.array([(h - 1) / 2, (w - 1) / 2]) if center is None else np.asarray(center, np.float64)
    shift = c - m @ c + np.asarray(offset, np.float64)
    out = np.empty_like(frame)
    for ch in range(frame.shape[2]):
        ndimage.affine_transform(frame[..., ch], m, shift, output=out[..., ch], order=order,
                                 mode=mode, cval=0.0, prefilter=order > 1)
    return _in_range(out, order)


def scale(frame: np.ndarray, *, sy: float = 1.0, sx: float = 1.0, **kw) -> np.ndarray:
    """Sample rows at sy and columns at sx times their distance from the centre.

    sy < 1 magnifies vertically: scale(frame, sy=0.95, sx=0.95) is the classic 5% zoom in."""
    return matrix(frame, [[sy, 0.0], [0.0, sx]], **kw)


def point(frame: np.ndarray, center: Sequence[float]) -> np.ndarray:
    """Pixel (row, col) of a point given as fractions of height and width; (0.5, 0.5) is the true centre."""
    f = np.asarray(center, dtype=np.float64)
    if f.shape != (2,) or not ((f >= 0) & (f <= 1)).all():  # NaN fails both comparisons
        raise ValueError(f"center must be two fractions [row, col] of the height and width, "
                         f"each 0..1, got {center!r}")
    h, w = frame.shape[:2]
    return f * (h - 1, w - 1)


def shift_lines(frame: np.ndarray, shifts: Sequence[float], *, axis: Axis = "vertical",
                border: Border = "wrap", order: int = 1) -> np.ndarray:
    """Move each line along itself: column n down by shifts[n] (vertical), or row n right (horizontal).

    Fractional shifts are interpolated with spline `order`; integer shifts are exact."""
    if axis not in ("vertical", "horizontal"):
        raise ValueError(f"axis must be 'vertical' or 'horizontal', got {axis!r}")
    mode, order = _mode(border, order)
    h, w = frame.shape[:2]
    s = np.asarray(shifts, dtype=np.float64)
    if s.shape != ((w,) if axis == "vertical" else (h,)):
        raise ValueError(f"shift_lines needs one shift per {'column' if axis == 'vertical' else 'row'}, "
                         f"got shape {s.shape} for a {h}x{w} frame")
    rows, cols = np.mgrid[0:h, 0:w].astype(np.float64)
    if axis == "vertical":
        rows -= s[None, :]
    else:
        cols -= s[:, None]
    out = np.empty_like(frame)
    for ch in range(frame.shape[2]):
        ndimage.map_coordinates(frame[..., ch], [rows, cols], output=out[..., ch], order=order,
                                mode=mode, cval=0.0, prefilter=order > 1)
    return _in_range(out, order)


def _mode(border: str, order: int) -> tuple[str, int]:
    if border not in _SCIPY_MODE:
        raise ValueError(f"border must be one of {', '.join(_SCIPY_MODE)}, got {border!r}")
    if isinstance(order, bool) or order not in range(6):
        raise ValueError(f"order must be an integer 0..5 (spline order; 1 = linear), got {order!r}")
    return _SCIPY_MODE[border], int(order)  # 3.0 (say, from a keyframed value) is fine; scipy wants 3


def _in_range(out: np.ndarray, order: int) -> np.ndarray:
    # Splines of order > 1 overshoot at sharp edges; frames stay 0..255. Order 0/1 cannot overshoot.
    return np.clip(out, 0, 255, out=out) if order > 1 else out
