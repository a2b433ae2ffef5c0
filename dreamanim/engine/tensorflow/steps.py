"""The dream's step in TensorFlow: (net, image size, ObjectiveSpec, tile size, guides) => a traced step.

    step(img, shift, step_size, weights, sigmas) => (img + step_size * direction, clipped; objective)
    step(img, shift, step_size, weights, sigmas, scale)  (scaled=True: times an H x W x 1 map)
    step(img, shift, step_size, weights, sigmas, picks[, scale])  (automatic channels: their numbers)

The gradient is taken tile by tile (tile_grid) under tf.roll by `shift`, so the tile seams
move every step and none can show; the tiles run one after another, so only one tile's
activations live at a time. The layer weights and the smoothing sigmas are tensor inputs:
new values never retrace; so are automatic channels' numbers (picks), and compile_probe ranks the
channels they are chosen from. Also the untiled objective, a guide's features, resize, add+clip.
"""
from typing import Callable, Mapping, Sequence

import numpy as np
import tensorflow as tf

from ..objective_spec import ObjectiveSpec
from ..tiles import tile_grid
from .objectives import (build_objective, channel_stats, feature_layers, guide_features as layer_guide_features,
                         step_direction)


def compile_step(net, size: tuple[int, int], spec: ObjectiveSpec, tile_size: int, guides: Mapping,
                 on_trace: Callable[[], None], scaled: bool = False) -> Callable:
    """scaled: the step takes one more input, an (H, W, 1) map multiplying the step per pixel;
    without it the traced graph is exactly the unscaled one."""
    h, w = size
    gradient = gradient_fn(net, size, spec, tile_size, guides)

    def step(img, shift, step_size, weights, sigmas):
        on_trace()  # runs only while tracing
        grad, objective = gradient(img, shift, weights)
        return tf.clip_by_value(img + step_direction(grad, spec, sigmas) * step_size, 0.0, 255.0), objective

    def scaled_step(img, shift, step_size, weights, sigmas, scale):
        on_trace()
        grad, objective = gradient(img, shift, weights)
        return (tf.clip_by_value(img + step_direction(grad, spec, sigmas) * step_size * scale, 0.0, 255.0),
                objective)

    def picked_step(img, shift, step_size, weights, sigmas, picks, *scale):
        on_trace()
        grad, objective = gradient(img, shift, weights, picks)
        direction = step_direction(grad, spec, sigmas) * step_size
        return tf.clip_by_value(img + (direction * scale[0] if scale else direction), 0.0, 255.0), objective

    specs = [tf.TensorSpec((h, w, 3), tf.float32), tf.TensorSpec((2,), tf.int32), tf.TensorSpec((), tf.float32),
             tf.TensorSpec((spec.terms,), tf.float32), tf.TensorSpec((spec.smooth,), tf.float32)]
    scale = [tf.TensorSpec((h, w, 1), tf.float32)] if scaled else []
    if spec.picks:  # automatic channels: their numbers are one more input, before the scale
        return tf.function(picked_step).get_concrete_function(*specs, tf.TensorSpec((spec.picks,), tf.int32), *scale)
    if scaled:
        return tf.function(scaled_step).get_concrete_function(*specs, *scale)
    return tf.function(step).get_concrete_function(*specs)


def compile_probe(net, size: tuple[int, int], spec: ObjectiveSpec, tile_size: int) -> Callable:
    """probe(img) => (C,) strengths of each spec.auto_channels layer (objectives.channel_stats),
    over the image at `size`, tile by tile (the gradient's tiles, unrolled), each tile weighted
    by its area: what strongest and weakest rank by. Compiled once per size."""
    h, w = size
    names = [name for name, _ in spec.auto_channels]
    tiles = tile_grid(h, w, tile_size)

    def probe(img):
        totals = [0.0] * len(names)
        for (y0, y1), xs in tiles:
            for x0, x1 in xs:
                acts = net.features(img[None, y0:y1, x0:x1], names)
                share = (y1 - y0) * (x1 - x0) / (h * w)
                totals = [t + share * channel_stats(acts[n], spec) for t, n in zip(totals, names)]
        return tuple(totals)

    return tf.function(probe).get_concrete_function(tf.TensorSpec((h, w, 3), tf.float32))


def tiled_gradient(net, img: np.ndarray, shift, spec: ObjectiveSpec, tile_size: int, guides: Mapping,
                   weights: Sequence[float], picks: Sequence[int] = ()) -> np.ndarray:
    grad_fn = gradient_fn(net, img.shape[:2], spec, tile_size, guides)
    more = (tf.constant(picks, tf.int32),) if spec.picks else ()
    grad, _ = tf.function(grad_fn)(tf.constant(img, tf.float32), tf.constant(shift, tf.int32),
                                   tf.constant(weights, tf.float32), *more)
    return grad.numpy()


def objective(net, img: np.ndarray, spec: ObjectiveSpec, guides: Mapping, weights: Sequence[float],
              picks: Sequence[int] = ()) -> float:
    objective = build_objective(spec, guides, net.classifier)
    pixels = tf.constant(img, tf.float32)
    acts = net.features(pixels[None], feature_layers(spec, net))
    more = (tf.constant(picks, tf.int32),) if spec.picks else ()
    return float(objective(acts, tf.constant(weights, tf.float32), pixels, *more))


def guide_features(net, img: np.ndarray, layers: Sequence[str]) -> dict:
    acts = net.features(tf.constant(img[None], tf.float32), list(layers))
    return {name: layer_guide_features(acts[name]) for name in layers}


def gradient_fn(net, size, spec: ObjectiveSpec, tile_size: int, guides: Mapping) -> Callable:
    """(img, shift, weights) => (gradient of the objective, objective), computed tile by tile."""
    h, w = size
    objective = build_objective(spec, guides, net.classifier)
    tiles = tile_grid(h, w, tile_size)
    names = feature_layers(spec, net)

    def gradient(img, shift, weights, picks=None):
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
                    value = objective(net.features(tile[None], names), weights, tile,
                                      *(() if picks is None else (picks,))) * (
                        (y1 - y0) * (x1 - x0) / (h * w))
                grad = tape.gradient(value, tile)
                row.append(grad)
                previous = [grad]
                total += value
            rows.append(tf.concat(row, axis=1) if len(row) > 1 else row[0])
        grad = tf.concat(rows, axis=0) if len(rows) > 1 else rows[0]
        return tf.roll(grad, -shift, axis=[0, 1]), total

    return gradient


def resize(img: tf.Tensor, size: tuple[int, int]) -> tf.Tensor:
    if tuple(img.shape[:2]) == tuple(size):
        return img
    return tf.image.resize(img, size, method="bilinear", antialias=True)


def add_clip(img: tf.Tensor, delta: tf.Tensor) -> tf.Tensor:
    return tf.clip_by_value(img + delta, 0, 255)
