"""Zoom into the frame about its centre: the original DeepDream animation transform."""
from dreamanim import FrameContext, affine, transform


@transform("zoom")
def zoom(frame, ctx: FrameContext, *, amount: float = 0.05):
    """Zoom in by 1/(1-amount) about the centre per frame (classic: amount 0.05)."""
    if not -1 < amount < 1:
        raise ValueError(f"amount must be between -1 and 1 (exclusive), got {amount}")
    return affine.scale(frame, sy=1 - amount, sx=1 - amount)
