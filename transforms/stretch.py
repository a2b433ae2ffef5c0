"""Stretch the frame along one axis about a point."""
from typing import Literal

from dreamanim import FrameContext, affine, transform


@transform("stretch")
def stretch(frame, ctx: FrameContext, *, axis: Literal["vertical", "horizontal"] = "vertical",
            amount: float = 0.05, center: tuple[float, float] = (0.5, 0.5),
            border: affine.Border = "reflect", order: int = 1):
    """Stretch one axis by 1/(1-amount) per frame about center; the other axis is untouched."""
    if not -1 < amount < 1:
        raise ValueError(f"amount must be between -1 and 1 (exclusive), got {amount}")
    s = 1 - amount
    return affine.scale(frame, sy=s if axis == "vertical" else 1.0, sx=s if axis == "horizontal" else 1.0,
                        center=affine.point(frame, center), border=border, order=order)
