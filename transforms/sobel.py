"""Edge magnitude by the Sobel operator: the picture becomes its outlines, optionally blended back."""
import numpy as np
from scipy import ndimage

from dreamanim import FrameContext, transform

LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # Rec. 601, as in the classic grayscale edges
FULL_STEP = 4  # the kernel's weights (1, 2, 1) sum to 4: a full black-to-white edge reads 4*255


@transform("sobel")
def sobel(frame, ctx: FrameContext, *, mix: float = 1.0, gain: float = 1.0):
    """Gray Sobel edge magnitude (a full 0-255 step = 255); times gain; mix 1 = pure edges, 0 = the original."""
    if not 0 <= mix <= 1:
        raise ValueError(f"mix must be between 0 and 1, got {mix}")
    if not 0 < gain < 1000:
        raise ValueError(f"gain must be a positive number (1 = a full 0-255 step reads 255), got {gain}")
    gray = frame @ LUMA
    # A fixed scale, not the frame's own maximum: brightness must not flicker from frame to frame.
    edges = np.hypot(ndimage.sobel(gray, axis=0), ndimage.sobel(gray, axis=1)) / FULL_STEP
    # Dreamed textures have soft edges that read dark at gain 1; a gain of 3-4 keeps a loop bright.
    edges = np.clip(edges * gain, 0, 255)[..., None]
    return (mix * edges + (1 - mix) * frame).astype(np.float32)
