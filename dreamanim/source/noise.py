"""Seeded noise as a Source: `input: noise`, drawn from the `noise:` settings and the seed (a Still).

    noise(size, seed, kind=, level=, amount=, color=, scale=) => size x size x 3 float32
"""
from typing import Optional

import numpy as np

from ..common.digests import data_sha256
from .still import Still

NOISE_KINDS = ("uniform", "gaussian", "plasma")


def claims(input: str) -> bool:
    return input == "noise"


def span(input: str, clip, fps, where: str):
    return None


def open(input: str, size: int, *, seed: int, noise_settings, **_) -> Still:
    settings = dict(noise_settings)
    return Still(lambda: noise(size, seed, **settings), data_sha256(["noise", settings]))


def check(input: str, size: int, where: str) -> None:
    pass


def noise(size: int, seed: int, *, kind: str = "uniform", level: float = 116.0, amount: float = 16.0,
          color: bool = True, scale: Optional[float] = None) -> np.ndarray:
    """A size x size seeded noise image: enough texture for features to start growing.

    level is the mean grey and amount how far pixels stray from it: `uniform` spreads evenly
    over level ± amount (the defaults give the classic grey 100..132), `gaussian` has standard
    deviation amount, and `plasma` (smooth clouds, the sum of upsampled random grids from
    blobs `scale` pixels wide down to single pixels, each octave half as strong) is scaled
    to standard deviation amount. scale: pixels per random value for uniform and gaussian
    (default 1: per-pixel noise), the biggest blobs for plasma (default: a quarter of the
    frame). color=False draws one noise for all three channels: grey noise.
    """
    if kind not in NOISE_KINDS:
        raise ValueError(f"noise kind must be one of {', '.join(NOISE_KINDS)}, got {kind!r}")
    rng = np.random.default_rng([seed, 0x5EED])
    channels = 3 if color else 1
    if kind == "plasma":
        field = amount * _unit_std(plasma(rng, size, channels, scale or size / 4))
    else:
        cell = scale or 1.0
        grid = max(1, int(np.ceil(size / cell)))
        draw = (lambda shape: rng.uniform(-amount, amount, shape)) if kind == "uniform" \
            else (lambda shape: rng.normal(0.0, amount, shape))
        field = _upsample(draw((grid, grid, channels)), size)
    img = np.clip(level + field, 0.0, 255.0)
    return np.broadcast_to(img, (size, size, 3)).astype(np.float32)


def plasma(rng: np.random.Generator, size: int, channels: int, biggest: float) -> np.ndarray:
    """Smooth multi-octave noise: random grids with cells from `biggest` pixels down to 1 pixel,
    each upsampled to size x size, amplitude proportional to the cell size (1/f, like clouds)."""
    total = np.zeros((size, size, channels))
    cell = max(float(biggest), 1.0)
    while True:
        grid = max(2, int(np.ceil(size / cell)) + 1)
        total += cell * _upsample(rng.normal(size=(grid, grid, channels)), size)
        if cell <= 1.0:
            return total
        cell = max(cell / 2, 1.0)


def _upsample(grid: np.ndarray, size: int) -> np.ndarray:
    """A (g, g, C) grid smoothly (cubic) stretched to (size, size, C)."""
    if grid.shape[0] == size:
        return grid
    factor = size / grid.shape[0]
    from scipy import ndimage  # (here: a preset's mistakes are reported without loading SciPy)
    return ndimage.zoom(grid, (factor, factor, 1), order=3, mode="reflect", grid_mode=True)[:size, :size]


def _unit_std(field: np.ndarray) -> np.ndarray:
    return (field - field.mean()) / (field.std() + 1e-8)
