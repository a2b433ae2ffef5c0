"""Soften the frame a little every frame, so the dream regrows finer detail."""
import math

import numpy as np
from scipy import ndimage

from dreamanim import FrameContext, transform


@transform("blur")
def blur(frame, ctx: FrameContext, *, sigma: float = 0.7):
    """Gaussian blur with standard deviation `sigma` pixels per frame (0 = none), edges reflected."""
    if not (sigma >= 0 and math.isfinite(sigma)):
        raise ValueError(f"sigma must be a number of pixels >= 0, got {sigma}")
    # Height and width only: a blur across the three colour channels would gray the picture.
    return ndimage.gaussian_filter(frame, sigma=(sigma, sigma, 0), mode="reflect").astype(np.float32)
