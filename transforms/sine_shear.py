"""Shift every column (or row) along itself by a sine wave of its index: a ripple that can travel."""
import math
from typing import Literal

import numpy as np

from dreamanim import FrameContext, affine, transform


@transform("sine_shear")
def sine_shear(frame, ctx: FrameContext, *, axis: Literal["vertical", "horizontal"] = "vertical",
               amplitude: float = 2.0, period: float = 64.0, phase: float = 0.0, phase_step: float = 0.3,
               border: affine.Border = "reflect", order: int = 1):
    """Shift column n by amplitude*sin(2π n/period + phase + phase_step*t) px (sub-pixel, interpolated)."""
    for name, value in (("amplitude", amplitude), ("phase", phase), ("phase_step", phase_step)):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value}")
    if not (period > 0 and math.isfinite(period)):
        raise ValueError(f"period must be a positive number of pixels, got {period}")
    n = np.arange(frame.shape[1] if axis == "vertical" else frame.shape[0])
    shifts = amplitude * np.sin(2 * np.pi * n / period + phase + phase_step * ctx.t)
    return affine.shift_lines(frame, shifts, axis=axis, border=border, order=order)
