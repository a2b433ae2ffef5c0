"""Swirl: turn the frame about a centre, most at the centre and less and less further out.

A complete transform plugin, written only against the public API (docs/plugins.md).
Load it from a preset with `plugins: [plugins/swirl.py]`; see examples/swirl.yaml.
"""
import math
from typing import Literal

import numpy as np
from scipy import ndimage

from dreamanim import FrameContext, transform

# Preset words for scipy's edge modes ("wrap" is scipy's "grid-wrap": it tiles without a seam).
_MODES = {"reflect": "reflect", "wrap": "grid-wrap", "nearest": "nearest", "constant": "constant"}


@transform("swirl")
def swirl(frame, ctx: FrameContext, *, strength: float = 4.0, radius: float = 0.3,
          center: tuple[float, float] = (0.5, 0.5), jitter: float = 0.0,
          border: Literal["reflect", "wrap", "nearest", "constant"] = "reflect"):
    """Turn by `strength` degrees per frame at the centre, half as much every `radius` further out."""
    # The checks run when the preset loads (a dry run), so a bad value stops before frame 1.
    if not math.isfinite(strength):
        raise ValueError(f"strength must be a finite number of degrees, got {strength}")
    if not radius > 0:
        raise ValueError(f"radius must be > 0 (a fraction of the shorter side), got {radius}")
    if not all(0 <= c <= 1 for c in center):
        raise ValueError(f"center must be [row, col] fractions of the height and width, each 0..1, "
                         f"got {list(center)}")
    if not 0 <= jitter <= 0.5:
        raise ValueError(f"jitter must be between 0 and 0.5 (a fraction of the shorter side), got {jitter}")

    h, w = frame.shape[:2]
    side = min(h, w)
    # Randomness only from ctx.rng: seeded per frame, so the same seed gives the same swirl.
    cy, cx = np.array(center) * (h - 1, w - 1) + ctx.rng.uniform(-jitter, jitter, 2) * side

    rows, cols = np.mgrid[0:h, 0:w].astype(np.float64)
    dy, dx = rows - cy, cols - cx
    angle = math.radians(strength) * 0.5 ** (np.hypot(dy, dx) / (radius * side))
    cos, sin = np.cos(angle), np.sin(angle)
    # Each output pixel samples the input at its own position turned back by its own angle.
    source = [cy + cos * dy - sin * dx, cx + sin * dy + cos * dx]

    out = np.empty_like(frame)  # same shape and dtype (float32) as the input: the contract
    for ch in range(frame.shape[2]):
        ndimage.map_coordinates(frame[..., ch], source, output=out[..., ch], order=1, mode=_MODES[border])
    return out
