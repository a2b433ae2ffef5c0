"""Edge magnitude by the Sobel operator: the picture becomes its outlines, optionally blended back."""
from dreamanim import FrameContext, edges, transform


@transform("sobel")
def sobel(frame, ctx: FrameContext, *, mix: float = 1.0, gain: float = 1.0):
    """Gray Sobel edge magnitude (a full 0-255 step = 255); times gain; mix 1 = pure edges, 0 = the original."""
    return edges.blend(frame, "sobel", mix=mix, gain=gain)
