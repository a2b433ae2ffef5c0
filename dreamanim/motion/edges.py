"""Edge helpers for transforms: (frame, operator) => the frame replaced by its gray edge magnitude.

The scale is fixed, not the frame's own maximum (which would make brightness flicker from
frame to frame): a full black-to-white step edge reads 255 at gain 1.
"""
import numpy as np
from scipy import ndimage

LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # Rec. 601, as in the classic grayscale edges
# Each derivative kernel is smoothed across the edge by weights summing to this: a full
# 0-255 step edge reads 255 times it.
_OPERATORS = {"sobel": (ndimage.sobel, 4), "prewitt": (ndimage.prewitt, 3)}


def blend(frame: np.ndarray, operator: str, *, mix: float = 1.0, gain: float = 1.0) -> np.ndarray:
    """mix * (gray edge magnitude * gain, clipped to 255, on all channels) + (1 - mix) * frame."""
    if not 0 <= mix <= 1:
        raise ValueError(f"mix must be between 0 and 1, got {mix}")
    if not 0 < gain < 1000:
        raise ValueError(f"gain must be a positive number (1 = a full 0-255 step reads 255), got {gain}")
    derivative, full_step = _OPERATORS[operator]
    gray = frame @ LUMA
    edges = np.hypot(derivative(gray, axis=0), derivative(gray, axis=1)) / full_step
    # Dreamed textures have soft edges that read dark at gain 1; a gain of 2-4 keeps a loop bright.
    edges = np.clip(edges * gain, 0, 255)[..., None]
    return (mix * edges + (1 - mix) * frame).astype(np.float32)
