"""Dream one frame: gradient ascent over octaves, the gradient taken tile by tile under a random roll.

Dreamer(net).dream(frame, settings, rng) => frame. The compiled step is traced once per image
shape and ObjectiveSpec (objective_spec.py) and reused for every later frame; the layer
weights and the gradient's smoothing sigmas are inputs of the step, so keyframed weights and
sigmas never retrace it. `traces` counts the tracings.
"""
import math
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import tensorflow as tf

from ..preset import DreamSettings
from .tensorflow.base import FeatureNet
from .objective_spec import ObjectiveSpec
from .tensorflow.objectives import build_objective, guide_features, step_direction

MIN_OCTAVE_SIDE = 32  # smaller octaves hold too little image to dream on; they are skipped


class Dreamer:
    def __init__(self, net: FeatureNet, default_layers: dict[str, float], default_step: float,
                 device: str = "auto"):
        """device: auto | cpu | gpu, where dream() runs (and so traces its step)."""
        self.net = net
        self.default_layers = default_layers
        self.default_step = default_step
        self.device = device
        self.traces = 0
        self._steps: dict[tuple, Callable] = {}
        self._guides: dict[tuple, tf.Tensor] = {}

    def dream(self, frame: np.ndarray, settings: DreamSettings, rng: np.random.Generator,
              on_step: Optional[Callable[[float], None]] = None) -> np.ndarray:
        """Return the dreamed frame (same shape, float32, 0..255). on_step(objective) after each step.

        An octave stops early once its objective passes settings.max_loss."""
        from .models.device import device_scope
        with device_scope(self.device):
            return self._dream(frame, settings, rng, on_step)

    def _dream(self, frame, settings, rng, on_step):
        h, w = frame.shape[:2]
        sizes = octave_sizes(h, w, settings.octaves, settings.octave_scale, settings.octave_range)
        step_size = tf.constant((settings.step_size or self.default_step) * 127.5, tf.float32)
        spec = self.spec(settings)
        weights = tf.constant(spec.weights(settings, self.default_layers), tf.float32)
        sigmas = tf.constant(spec.sigmas(settings), tf.float32, shape=(spec.smooth,))
        base = tf.constant(frame, tf.float32)
        detail = None
        for size in sizes:
            octave_base = resize(base, size)
            img = octave_base if detail is None else tf.clip_by_value(octave_base + resize(detail, size), 0, 255)
            step = self._step_for(size, spec, settings.tile_size, frame_side=max(h, w))
            for _ in range(settings.steps):
                shift = tf.constant([rng.integers(size[0]), rng.integers(size[1])], tf.int32)
                img, objective = step(img, shift, step_size, weights, sigmas)
                if on_step or settings.max_loss is not None:
                    value = float(objective)  # waits for the step: only when someone looks
                    if on_step:
                        on_step(value)
                    if settings.max_loss is not None and value > settings.max_loss:
                        break
            # What the dream added at this scale is carried up to the next, where it would
            # otherwise be lost by the downscaling of the base image.
            detail = img - octave_base
        if sizes[-1] != (h, w):  # octave_range ended above or below the frame: bring the detail home
            img = tf.clip_by_value(base + resize(detail, (h, w)), 0, 255)
        return img.numpy()

    def spec(self, settings: DreamSettings) -> ObjectiveSpec:
        return ObjectiveSpec.of(settings, self.default_layers)

    def steps_for(self, shape: tuple[int, int], settings: DreamSettings) -> int:
        """Steps a frame of this shape takes at most (fewer when max_loss stops an octave early)."""
        return settings.steps * len(octave_sizes(*shape, settings.octaves, settings.octave_scale,
                                                 settings.octave_range))

    def objective(self, frame: np.ndarray, settings: DreamSettings) -> float:
        """The objective of a whole frame, untiled (for reports, benchmarks and tests)."""
        spec = self.spec(settings)
        objective = build_objective(spec, self._guide_features(spec, max(frame.shape[:2])))
        acts = self.net.features(tf.constant(frame[None], tf.float32), list(spec.layers))
        return float(objective(acts, tf.constant(spec.weights(settings, self.default_layers), tf.float32)))

    def tiled_gradient(self, frame: np.ndarray, settings: DreamSettings, shift=(0, 0)) -> np.ndarray:
        """The raw (unnormalised) tiled gradient of the objective at frame under a roll."""
        spec = self.spec(settings)
        grad_fn = self._gradient_fn(frame.shape[:2], spec, settings.tile_size, max(frame.shape[:2]))
        grad, _ = tf.function(grad_fn)(tf.constant(frame, tf.float32), tf.constant(shift, tf.int32),
                                       tf.constant(spec.weights(settings, self.default_layers), tf.float32))
        return grad.numpy()

    def _step_for(self, size: tuple[int, int], spec: ObjectiveSpec, tile_size: int, frame_side: int) -> Callable:
        # The spec holds everything of the objective that shapes the traced graph; the weights
        # are fed at run time, so frames whose weights differ share one trace. A guide's
        # features are fitted to the frame's side, so that is part of the key too.
        key = (size, spec, tile_size, frame_side if spec.guide else None)
        if key not in self._steps:
            self._steps[key] = self._compile(size, spec, tile_size, frame_side)
        return self._steps[key]

    def _compile(self, size, spec: ObjectiveSpec, tile_size: int, frame_side: int) -> Callable:
        h, w = size
        gradient = self._gradient_fn(size, spec, tile_size, frame_side)

        def step(img, shift, step_size, weights, sigmas):
            self.traces += 1  # runs only while tracing
            grad, objective = gradient(img, shift, weights)
            return tf.clip_by_value(img + step_direction(grad, spec, sigmas) * step_size, 0.0, 255.0), objective

        return tf.function(step).get_concrete_function(
            tf.TensorSpec((h, w, 3), tf.float32), tf.TensorSpec((2,), tf.int32), tf.TensorSpec((), tf.float32),
            tf.TensorSpec((len(spec.layers),), tf.float32), tf.TensorSpec((spec.smooth,), tf.float32))

    def _guide_features(self, spec: ObjectiveSpec, frame_side: int) -> dict:
        """Each layer's (N, C) features of the guide image, fitted to the frame's size (so its
        features have the scale of the frame's), computed once per guide, size and layer."""
        if spec.guide is None:
            return {}
        missing = [n for n in spec.layers if (spec.guide, frame_side, n) not in self._guides]
        if missing:
            from ..source.table import load_image
            guide = load_image(Path(spec.guide), frame_side, where="guide")
            acts = self.net.features(tf.constant(guide[None], tf.float32), missing)
            for name in missing:
                self._guides[(spec.guide, frame_side, name)] = guide_features(acts[name])
        return {n: self._guides[(spec.guide, frame_side, n)] for n in spec.layers}

    def _gradient_fn(self, size, spec: ObjectiveSpec, tile_size: int, frame_side: int) -> Callable:
        """(img, shift, weights) => (gradient of the objective, objective), computed tile by tile."""
        h, w = size
        objective = build_objective(spec, self._guide_features(spec, frame_side))
        tiles = tile_grid(h, w, tile_size)
        names, net = list(spec.layers), self.net

        def gradient(img, shift, weights):
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
                        value = objective(net.features(tile[None], names), weights) * ((y1 - y0) * (x1 - x0) / (h * w))
                    grad = tape.gradient(value, tile)
                    row.append(grad)
                    previous = [grad]
                    total += value
                rows.append(tf.concat(row, axis=1) if len(row) > 1 else row[0])
            grad = tf.concat(rows, axis=0) if len(rows) > 1 else rows[0]
            return tf.roll(grad, -shift, axis=[0, 1]), total

        return gradient


def dreamer_for(model: str, precision: str = "auto", weights: Optional[Path] = None,
                device: str = "auto", preprocess=None) -> Dreamer:
    """A Dreamer of the named model (its weights loaded once per process), dreaming on `device`.
    preprocess: a model file's pixel scaling (`preprocess:`), when its preset's checks did not declare it."""
    from .models import is_model_file, load_model, model_entry
    if preprocess is not None and is_model_file(model):
        from .models.model_file import declare
        declare(model, preprocess)
    entry = model_entry(model)
    return Dreamer(load_model(model, precision, weights, device), entry.default_layers, entry.default_step, device)


def octave_sizes(h: int, w: int, octaves: int, scale: float,
                 octave_range: Optional[tuple[int, int]] = None) -> list[tuple[int, int]]:
    """Image sizes to dream at, smallest first: octave i is the frame size * scale**i, for i from
    1 - octaves to 0, or over octave_range (lo, hi) inclusive when given. Octaves smaller than
    MIN_OCTAVE_SIDE are skipped, but the last one is always kept."""
    lo, hi = octave_range if octave_range is not None else (1 - octaves, 0)
    sizes = []
    for i in range(lo, hi + 1):
        size = (round(h / scale ** -i), round(w / scale ** -i))
        if min(size) >= MIN_OCTAVE_SIDE or i == hi:
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
