"""Jitter every column (or group of columns) along itself by a random whole number of pixels."""
from typing import Literal, Optional

import numpy as np

from dreamanim import FrameContext, affine, transform


@transform("random_shift")
def random_shift(frame, ctx: FrameContext, *, axis: Literal["vertical", "horizontal"] = "vertical",
                 low: int = -2, high: int = 2, group: int = 1,
                 odd_low: Optional[int] = None, odd_high: Optional[int] = None):
    """Roll each group of `group` columns by a random integer in [low, high] px per frame, wrapping."""
    odd_low = low if odd_low is None else odd_low
    odd_high = high if odd_high is None else odd_high
    for lo, hi, lo_name, hi_name in ((low, high, "low", "high"), (odd_low, odd_high, "odd_low", "odd_high")):
        if lo > hi:
            raise ValueError(f"{lo_name} must be <= {hi_name}, got {lo} > {hi}")
    if group < 1:
        raise ValueError(f"group must be a whole number of columns >= 1, got {group}")
    n = frame.shape[1] if axis == "vertical" else frame.shape[0]
    groups = -(-n // group)
    even = ctx.rng.integers(low, high, size=groups, endpoint=True)
    odd = ctx.rng.integers(odd_low, odd_high, size=groups, endpoint=True)
    # Different bounds for odd groups make neighbouring bands drift apart; unequal bounds drift overall.
    per_group = np.where(np.arange(groups) % 2 == 1, odd, even)
    return affine.shift_lines(frame, np.repeat(per_group, group)[:n], axis=axis, border="wrap", order=0)
