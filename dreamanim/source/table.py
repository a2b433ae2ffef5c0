"""Where the frames come from: open_source(input, size, seed, noise) => a Source of float32 H×W×3 0..255 frames.

A Source has
    frame(t)          its own picture at frame t (a still's is the same at every t)
    begin(t, previous, move)  the picture frame t is dreamed from; `previous` is the previous
                      dream as saved (None for the first frame of a render) and `move` the
                      transform chain from frame t-1 to t
    frames, fps       how many frames and how fast it has of its own (None for a still)
    digest            what its content hashes to: a render's frames depend on it
    sound             (file, start seconds, seconds per frame) of its sound track, or None
A still image and noise are Stills (`sound` None); a video clip is a VideoSource (video_source.py).
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Protocol

import numpy as np
from scipy import ndimage

from ..common.digests import data_sha256, file_sha256
from .pixels import PRESET_IMAGE_FIX, check_shape, fit, read_rgb8

NOISE_KINDS = ("uniform", "gaussian", "plasma")


class Source(Protocol):
    frames: Optional[int]
    fps: Optional[float]
    digest: str
    sound: Optional[tuple[str, float, float]]

    def frame(self, t: int) -> np.ndarray: ...
    def begin(self, t: int, previous: Optional[np.ndarray], move: Callable[[np.ndarray], np.ndarray]) -> np.ndarray: ...


@dataclass
class Still:
    """One picture: the first frame dreams on it, every later frame on the previous dream, moved."""
    load: Any = field(repr=False)  # () => the picture; called once, when a frame is first needed
    digest: str
    frames = None
    fps = None
    sound = None

    def frame(self, t: int) -> np.ndarray:
        if not hasattr(self, "_picture"):
            self._picture = self.load()
        return self._picture

    def begin(self, t: int, previous: Optional[np.ndarray], move: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        return self.frame(t) if previous is None else move(previous)


def open_source(input: str, size: int, seed: int, noise_settings: Mapping[str, Any], *,
                clip=None, coherence=None, every: int = 1) -> Source:
    """The preset's `input` (an absolute path, or `noise` drawn with `noise:` settings and the
    seed); a video is read through `clip:` and carried on by `coherence:` (video_source.py).
    every: a preview's K (a video keeps every K-th frame; a still looks the same at every frame)."""
    if input == "noise":
        settings = dict(noise_settings)
        return Still(lambda: noise(size, seed, **settings), data_sha256(["noise", settings]))
    from .video_span import is_video
    if is_video(input):
        from .video import VideoSource
        return VideoSource.open(input, size, clip, coherence, every)
    path = Path(input)
    return Still(lambda: load_image(path, size), file_sha256(path))


def load_image(path: Path, size: int, where: str = "input", fix: str = "") -> np.ndarray:
    """Read any image Pillow opens (pixels.read_rgb8); resized so its longer side is `size`;
    an image too thin for `size` is an InputError (pixels.check_shape)."""
    rgb = read_rgb8(path, where, fix or PRESET_IMAGE_FIX)
    check_shape(*rgb.shape[:2], size, where)
    return fit(rgb, size)


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
    return ndimage.zoom(grid, (factor, factor, 1), order=3, mode="reflect", grid_mode=True)[:size, :size]


def _unit_std(field: np.ndarray) -> np.ndarray:
    return (field - field.mean()) / (field.std() + 1e-8)
