"""Turn the hue a little every frame, keeping brightness: colours cycle through the rainbow."""
import math

import numpy as np

from dreamanim import FrameContext, transform

# RGB -> YIQ (NTSC): Y is brightness, (I, Q) the colour plane; gray has I = Q = 0.
YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])


@transform("color_shift")
def color_shift(frame, ctx: FrameContext, *, degrees: float = 3.0):
    """Turn the hue by `degrees` per frame (positive: red towards yellow, green, blue), keeping brightness."""
    if not math.isfinite(degrees):
        raise ValueError(f"degrees must be a finite number, got {degrees}")
    a = math.radians(degrees)
    # A rotation of the (I, Q) plane; this sign turns red towards yellow, as HSV hue increases.
    turn = np.array([[1, 0, 0], [0, math.cos(a), math.sin(a)], [0, -math.sin(a), math.cos(a)]])
    m = np.linalg.inv(YIQ) @ turn @ YIQ  # one 3x3 RGB -> RGB matrix
    # A turned colour can leave the RGB cube (e.g. saturated blue -> a red brighter than 255): clip.
    return np.clip(frame @ m.T.astype(np.float32), 0, 255)
