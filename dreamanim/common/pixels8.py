"""Pixels as bytes: float values (0..255, any shape) => uint8, rounded to nearest and clipped."""
import numpy as np


def to_uint8(x) -> np.ndarray:
    """Round half to even (np.rint), clip to 0..255, as uint8: how every frame is saved and shown."""
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)
