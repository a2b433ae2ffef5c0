"""Dream one frame: gradient ascent over octaves, the gradient taken tile by tile under a random roll.

Dreamer(net).dream(frame, settings, rng) => frame. The compiled step is traced once per
(image shape, objective) and reused for every later frame; `traces` counts the tracings.
"""
import math
from typing import Callable, Optional

import numpy as np
import tensorflow as tf

from .config import DreamSettings
from .models.base import FeatureNet
from .objectives import layer_objective

MIN_OCTAVE_SIDE = 32  # smaller octaves hold too little image to dream on; they are skipped


class Dreamer:
    def __init__(self, net: FeatureNet, default_layers: dict[str, float], default_step: float):
        self.net = net
        self.default_layers = default_layers
        self.default_step = default_step
        self.traces = 0
        self._steps: dict[tuple, Callable] = {}

    def dream(self, frame: np.ndarray, settings: DreamSettings, rng: np.random.Generator,
              on_step: Optional[Callable[[float], None]] = None) -> np.ndarray:
        """Return the dreamed frame (same shape, float32, 0..255). on_step(objective) after each step."""
        h, w = frame.shape[:2]
        sizes = octave_sizes(h, w, settings.octaves, settings.octave_scale)
        step_size = tf.constant((settings.step_size or self.default_step) * 127.5, tf.float32)
        base = tf.constant(frame, tf.float32)
        detail = None
        for size in sizes:
            octave_base = resize(base, size)
            img = octave_base if detail is None else tf.clip_by_value(octave_base + resize(detail, size), 0, 255)
            step = self._step_for(size, settings)
            for _ in range(settings.steps):
                shift = tf.constant([rng.integers(size[0]), rng.integers(size[1])], tf.int32)
                img, objective = step(img, shift, step_size)
                if on_step:
                    on_step(float(objective))
            # What the dream added at this scale is carried up to the next, where it would
            # otherwise be lost by the downscaling of the base image.
            detail = img - octave_base
        return img.numpy()

    def steps_for(self, shape: tuple[int, int], settings: DreamSettings) -> int:
        return settings.steps * len(octave_sizes(*shape, settings.octaves, settings.octave_scale))

    def objective(self, frame: np.ndarray, settings: DreamSettings) -> float:
        """The objective of a whole frame, untiled (for tests and reports)."""
        layers = settings.layers or self.default_layers
        acts = self.net.features(tf.constant(frame[None], tf.float32), list(layers))
        return float(layer_objective(layers, settings.reduce)(acts))

    def tiled_gradient(self, frame: np.ndarray, settings: DreamSettings, shift=(0, 0)) -> np.ndarray:
        """The raw (unnormalised) tiled gradient of the objective at frame under a roll."""
        layers = settings.layers or self.default_layers
        grad_fn = self._gradient_fn(frame.shape[:2], layers, settings)
        grad, _ = tf.function(grad_fn)(tf.constant(frame, tf.float32), tf.constant(shift, tf.int32))
        return grad.numpy()

    def _step_for(self, size: tuple[int, int], settings: DreamSettings) -> Callable:
        layers = settings.layers or self.default_layers
        key = (size, tuple(sorted(layers.items())), settings.reduce, settings.normalize, settings.tile_size)
        if key not in self._steps:
            self._steps[key] = self._compile(size, layers, settings)
        return self._steps[key]

    def _compile(self, size, layers, settings) -> Callable:
        h, w = size
        gradient = self._gradient_fn(size, layers, settings)

        def step(img, shift, step_size):
            self.traces += 1  # runs only while tracing
            grad, objective = gradient(img, shift)
            scale = tf.math.reduce_std(grad) if settings.normalize == "std" else tf.reduce_mean(tf.abs(grad))
            return tf.clip_by_value(img + grad / (scale + 1e-8) * step_size, 0.0, 255.0), objective

        return tf.function(step).get_concrete_function(
            tf.TensorSpec((h, w, 3), tf.float32), tf.TensorSpec((2,), tf.int32), tf.TensorSpec((), tf.float32))

    def _gradient_fn(self, size, layers, settings) -> Callable:
        """(img, shift) => (gradient of the objective, objective), computed tile by tile."""
        h, w = size
        objective = layer_objective(layers, settings.reduce)
        tiles = tile_grid(h, w, settings.tile_size)
        names, net = list(layers), self.net

        def gradient(img, shift):
            # The roll moves the tile seams to a new place every step, so none can show.
            rolled = tf.roll(img, shift, axis=[0, 1])
            rows, total, previous = [], 0.0, []
            for (y0, y1), xs in tiles:
                row = []
                for x0, x1 in xs:
                    # Serialise the tiles so only one tile's activations live at a time.
                    with tf.control_dependencies(previous):
                        tile = tf.identity(rolled[y0:y1, x0:x1])
                    with tf.GradientTape() as tape:
                        tape.watch(tile)
                        # Weighted by area: the tiles' objectives add up to the whole image's.
                        value = objective(net.features(tile[None], names)) * ((y1 - y0) * (x1 - x0) / (h * w))
                    grad = tape.gradient(value, tile)
                    row.append(grad)
                    previous = [grad]
                    total += value
                rows.append(tf.concat(row, axis=1) if len(row) > 1 else row[0])
            grad = tf.concat(rows, axis=0) if len(rows) > 1 else rows[0]
            return tf.roll(grad, -shift, axis=[0, 1]), total

        return gradient


def octave_sizes(h: int, w: int, octaves: int, scale: float) -> list[tuple[int, int]]:
    """Image sizes from the smallest octave to the frame's own size."""
    sizes = []
    for i in range(octaves - 1, -1, -1):
        size = (round(h / scale ** i), round(w / scale ** i))
        if min(size) >= MIN_OCTAVE_SIDE or i == 0:
            sizes.append(size)
    return sizes


def tile_grid(h: int, w: int, tile_size: int):
    """Even split of the image into tiles no bigger than tile_size: [((y0, y1), [(x0, x1), ...]), ...]."""
    def spans(n):
        cuts = np.linspace(0, n, math.ceil(n / tile_size) + 1).round().astype(int)
        return list(zip(cuts[:-1].tolist(), cuts[1:].tolist()))
    return [(ys, spans(w)) for ys in spans(h)]


def resize(img: tf.Tensor, size: tuple[int, int]) -> tf.Tensor:
    if tuple(img.shape[:2]) == tuple(size):
        return img
    return tf.image.resize(img, size, method="bilinear", antialias=True)
