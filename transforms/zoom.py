"""Zoom into the frame about a point: the original DeepDream animation transform."""
from dreamanim import FrameContext, affine, transform


@transform("zoom")
def zoom(frame, ctx: FrameContext, *, amount: float = 0.05,
         center: tuple[float, float] = (0.5, 0.5), border: affine.Border = "reflect", order: int = 1):
    """Zoom in by 1/(1-amount) per frame about center ([row, col] fractions; classic: amount 0.05)."""
    if not -1 < amount < 1:
        raise ValueError(f"amount must be between -1 and 1 (exclusive), got {amount}")
    return affine.scale(frame, sy=1 - amount, sx=1 - amount, center=affine.point(frame, center),
                        border=border, order=order)
