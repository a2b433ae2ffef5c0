"""Rotate the frame about a point, a little more every frame."""
import math

from dreamanim import FrameContext, affine, transform


@transform("rotate")
def rotate(frame, ctx: FrameContext, *, degrees: float = 1.0, center: tuple[float, float] = (0.5, 0.5),
           border: affine.Border = "reflect", order: int = 1):
    """Rotate by `degrees` per frame (positive = counter-clockwise on screen) about center."""
    if not math.isfinite(degrees):
        raise ValueError(f"degrees must be a finite number, got {degrees}")
    a = math.radians(degrees)
    # Output (row, col) samples the input rotated the other way; rows grow downwards, hence the signs.
    m = [[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]]
    return affine.matrix(frame, m, center=affine.point(frame, center), border=border, order=order)
