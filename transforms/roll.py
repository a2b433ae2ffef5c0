"""Roll every column (or row) by a shift that grows with its index: the classic wrap-around shear."""
import math
from typing import Literal

import numpy as np

from dreamanim import FrameContext, affine, transform


@transform("roll")
def roll(frame, ctx: FrameContext, *, axis: Literal["vertical", "horizontal"] = "vertical",
         rate: float = 1 / 15, alternate: bool = False):
    """Roll column n down (or row n right) by round(rate*n) px per frame, wrapping; classic rate 1/15."""
    if not math.isfinite(rate):
        raise ValueError(f"rate must be a finite number of pixels per column, got {rate}")
    if alternate and ctx.t % 2 == 1:  # odd frames roll the other way round: a criss-cross shear
        axis = "horizontal" if axis == "vertical" else "vertical"
    n = frame.shape[1] if axis == "vertical" else frame.shape[0]
    # Whole pixels and wrap-around: every column keeps exactly its pixels, only their order turns.
    return affine.shift_lines(frame, np.round(rate * np.arange(n)), axis=axis, border="wrap", order=0)
