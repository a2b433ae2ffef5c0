"""The tiles a gradient is taken in: (height, width, tile size) => an even grid, the same for every backend."""
import math

import numpy as np


def tile_grid(h: int, w: int, tile_size: int):
    """Even split of the image into tiles no bigger than tile_size: [((y0, y1), [(x0, x1), ...]), ...]."""
    def spans(n):
        cuts = np.linspace(0, n, math.ceil(n / tile_size) + 1).round().astype(int)
        return list(zip(cuts[:-1].tolist(), cuts[1:].tolist()))
    return [(ys, spans(w)) for ys in spans(h)]
