"""Edge magnitude by the Prewitt operator: plain rather than centre-weighted smoothing along the edge."""
from dreamanim import FrameContext, edges, transform


@transform("prewitt")
def prewitt(frame, ctx: FrameContext, *, mix: float = 1.0, gain: float = 1.0):
    """Gray Prewitt edge magnitude (a full 0-255 step = 255); times gain; mix 1 = pure edges, 0 = the original."""
    return edges.blend(frame, "prewitt", mix=mix, gain=gain)
