"""Objective: ObjectiveSpec => (activations by layer, layer weights) => one number to maximise.

It is the weighted sum over layers of each layer's value. A layer's value is its activation,
less a `border` and only the chosen `channels`, reduced by `mean`, `meansq` or `l2`; or, with
a guide, how well each position matches its best guide feature. Means, not sums, so a big
layer does not drown a small one; a negative weight suppresses a layer. The weights are a
tensor argument, not part of the function, so a crossfade between layers needs no new trace.
Automatic channels gather the channels the step's `picks` input names (a run-time int32 vector,
so a new choice needs no new trace either; channel_stats ranks them).
Classes add their logits (the network's classifier head on the tile), tv subtracts the total
variation of the pixels; their weights follow the layers' in the same tensor. Without either,
the objective is exactly the layers' sum (the traced graph unchanged).

A step climbs along `step_direction`: the gradient smoothed (`smooth`, Gaussian blurs averaged,
as pytorch-deepdream) and normalised (`std`, `meanabs`, or `laplacian`: the original DeepDream
notebook's Laplacian-pyramid normalisation, each scale to unit RMS), with unit spread. With
classes it is first recoloured (`decorrelate_colour`): a class gradient is mostly pixel-fine green
against magenta, which the steps otherwise paint as a pink-grey wash over the whole frame.
"""
from typing import Callable, Mapping, Optional, Sequence

import numpy as np
import tensorflow as tf

from ..objective_spec import REDUCES, ObjectiveSpec

REDUCERS: dict[str, Callable[[tf.Tensor], tf.Tensor]] = {
    "meansq": lambda a: tf.reduce_mean(tf.square(a)),
    "mean": tf.reduce_mean,
    # Root mean square: grows linearly with the activations, so among several layers the one
    # with the biggest activations does not dominate the mix as it does under meansq.
    # The epsilon keeps the gradient finite on an all-zero map.
    "l2": lambda a: tf.sqrt(tf.reduce_mean(tf.square(a)) + 1e-12),
}

assert set(REDUCERS) == set(REDUCES), "objective_spec.REDUCES names the reducers the schema offers"

MAX_GUIDE_FEATURES = 1024  # guide positions kept per layer: bounds the (positions x guide) product


def build_objective(spec: ObjectiveSpec, guides: Optional[Mapping[str, tf.Tensor]] = None,
                    classifier: Optional[tuple] = None) -> Callable[..., tf.Tensor]:
    """(activations by layer name, weights in spec.layers order[, pixels]) => scalar to maximise.

    guides: layer => (N, C) features of spec.guide (see guide_features); a guided layer's
    value is the guide match instead of `reduce`. classifier: the net's (layer, head), for
    spec.classes; pixels: the (H, W, 3) image the activations are of, for spec.tv.
    """
    reducer, border, names = REDUCERS[spec.reduce], spec.border, spec.layers
    channels, guides = dict(spec.channels), dict(guides or {})
    auto = auto_slices(spec)

    def layer_value(name: str, activation: tf.Tensor, picks: Optional[tf.Tensor] = None) -> tf.Tensor:
        a = crop_border(tf.cast(activation, tf.float32), border)
        picked = channels.get(name)
        if picked:
            a = select_channels(a, picked, name)
        elif name in auto:  # chosen at run time: the step's picks input
            picked = picks[auto[name]]
            a = tf.gather(a, picked, axis=-1)
        if name in guides:
            guide = guides[name] if picked is None else tf.gather(guides[name], picked if name in auto
                                                                  else list(picked), axis=1)
            return guide_match(a, guide)
        return reducer(a)

    def objective(activations: dict, weights: tf.Tensor, pixels: Optional[tf.Tensor] = None,
                  picks: Optional[tf.Tensor] = None) -> tf.Tensor:
        values = tf.stack([layer_value(name, activations[name], picks) for name in names])
        return tf.reduce_sum(tf.cast(weights, tf.float32) * values)

    if not spec.classes and not spec.tv:
        return objective
    if spec.classes and classifier is None:  # the preset's checks say so first; this guards library use
        raise ValueError("this model has no classifier head, so it cannot dream classes")

    def with_terms(activations: dict, weights: tf.Tensor, pixels: Optional[tf.Tensor] = None,
                   picks: Optional[tf.Tensor] = None) -> tf.Tensor:
        values = [layer_value(name, activations[name], picks) for name in names]
        if spec.classes:
            layer, head = classifier
            values += tf.unstack(tf.gather(tf.nn.log_softmax(head(activations[layer]))[0], list(spec.classes)))
        if spec.tv:
            values.append(-total_variation(pixels))
        return tf.reduce_sum(tf.cast(weights, tf.float32) * tf.stack(values))

    return with_terms


def auto_slices(spec: ObjectiveSpec) -> dict[str, slice]:
    """Where each automatic-channels layer's channel numbers sit in the step's picks input."""
    out, start = {}, 0
    for name, count in spec.auto_channels:
        out[name], start = slice(start, start + count), start + count
    return out


def channel_stats(activation: tf.Tensor, spec: ObjectiveSpec) -> tf.Tensor:
    """(B, H, W, C) => (C,): each channel's strength as the objective's reduce sees it, less the
    border: its mean square (meansq, l2: the same order) or its mean (mean). Strongest and
    weakest rank by this."""
    a = crop_border(tf.cast(activation, tf.float32), spec.border)
    return tf.reduce_mean(a if spec.reduce == "mean" else tf.square(a), axis=(0, 1, 2))


def feature_layers(spec: ObjectiveSpec, net) -> list[str]:
    """The layers the objective reads: spec.layers, and the classifier's for spec.classes."""
    names = list(spec.layers)
    if spec.classes and net.classifier is not None and net.classifier[0] not in names:
        names.append(net.classifier[0])
    return names


# tv's unit: at tv: 0.05 the total variation pulls about as hard as a layer weight of 1 pushes at
# Lite0's default layers (measured on the bundled photo: 0.05 takes 12% off the dreamed frame's
# total variation at equal steps, 0.25 38%), so the numbers people try first do something.
TV_SCALE = 20.0


def total_variation(pixels: tf.Tensor) -> tf.Tensor:
    """TV_SCALE x the mean |difference| between neighbouring pixels, across plus down, of an
    (H, W, 3) 0..255 image."""
    x = tf.cast(pixels, tf.float32)
    return TV_SCALE * (tf.reduce_mean(tf.abs(x[1:] - x[:-1])) + tf.reduce_mean(tf.abs(x[:, 1:] - x[:, :-1])))


def crop_border(a: tf.Tensor, border: int) -> tf.Tensor:
    """Drop `border` pixels on each side of a (B, H, W, C) map, but always keep its centre pixel:
    a small tile of a deep layer may be only a few activations wide."""
    if border <= 0:
        return a
    h, w = a.shape[1], a.shape[2]
    by, bx = min(border, (h - 1) // 2), min(border, (w - 1) // 2)
    return a[:, by:h - by, bx:w - bx, :]


def select_channels(a: tf.Tensor, picked: Sequence[int], name: str) -> tf.Tensor:
    count = a.shape[-1]
    bad = [i for i in picked if not 0 <= i < count]
    if bad:  # config checks this at load time; this guards direct library use
        raise ValueError(f"{name} has {count} channels (0..{count - 1}), got channel {bad[0]}")
    return tf.gather(a, list(picked), axis=-1)


def guide_match(a: tf.Tensor, guide: tf.Tensor) -> tf.Tensor:
    """Mean over positions of each position's best dot product with a guide feature.

    The max picks, per position, the guide feature it already resembles most; the gradient
    of the max is that guide feature, so the position is pushed toward it: the original
    DeepDream notebook's guided objective (`y[:, A.argmax(1)]`).
    """
    x = tf.reshape(a, (-1, a.shape[-1]))
    return tf.reduce_mean(tf.reduce_max(tf.matmul(x, guide, transpose_b=True), axis=1))


def guide_features(activation: tf.Tensor, max_features: int = MAX_GUIDE_FEATURES) -> tf.Tensor:
    """A guide image's (1, H, W, C) activation => (N, C) features, N <= max_features.

    A big map is thinned by an even stride in both directions, which keeps every part of
    the guide represented."""
    a = tf.cast(activation[0], tf.float32)
    h, w = a.shape[0], a.shape[1]
    stride = 1
    while -(-h // stride) * -(-w // stride) > max_features:
        stride += 1
    return tf.reshape(a[::stride, ::stride], (-1, a.shape[-1]))


def step_direction(grad: tf.Tensor, spec: ObjectiveSpec, sigmas: tf.Tensor) -> tf.Tensor:
    """An (H, W, 3) gradient => the direction a step takes, its spread 1 (std; mean |g| for
    meanabs), so `step_size` means the same under every normaliser. sigmas: spec.smooth numbers."""
    if spec.classes:
        grad = decorrelate_colour(grad)
    if spec.smooth:
        grad = gaussian_smooth(grad, sigmas, spec.smooth, spec.smooth_radius)
    if spec.normalize == "laplacian":
        grad = laplacian_normalize(grad, spec.lap_levels)
    scale = tf.reduce_mean(tf.abs(grad)) if spec.normalize == "meanabs" else tf.math.reduce_std(grad)
    return grad / (scale + 1e-8)


# lucid's colour correlation of natural images (the square root of their RGB covariance, by SVD).
_COLOUR_SQRT = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
_values, _vectors = np.linalg.eigh(_COLOUR_SQRT @ _COLOUR_SQRT.T)
# Its symmetric square root, scaled so the luminance axis keeps its length (chroma: 3.6x, 7.6x less).
COLOUR_STEP = tf.constant(_vectors @ np.diag(np.sqrt(_values / _values[-1])) @ _vectors.T, tf.float32)


def decorrelate_colour(grad: tf.Tensor) -> tf.Tensor:
    """An (H, W, 3) gradient => the step lucid's decorrelated colour space would take: luminance
    kept, its two chroma axes 3.6x and 7.6x smaller. Measured on the bundled photo, 80% of a class gradient's
    energy is on the green axis alone (a natural image's detail is 95% luminance); the std (or
    laplacian) spread does not remove it, so every step adds fine green/magenta texture."""
    return tf.reshape(tf.reshape(grad, (-1, 3)) @ COLOUR_STEP, tf.shape(grad))


def gaussian_smooth(grad: tf.Tensor, sigmas: tf.Tensor, count: int, radius: int) -> tf.Tensor:
    """The mean of `count` Gaussian blurs of an (H, W, C) map, sigma sigmas[i] px each (a run-time
    input: a keyframed sigma needs no new trace), the kernel cut at `radius`. Near the edges each
    blur is renormalised over the pixels inside, so the border keeps its strength."""
    x = tf.range(-radius, radius + 1, dtype=tf.float32)
    image, ones = grad[None], tf.ones_like(grad[None, ..., :1])
    total = 0.0
    for i in range(count):
        kernel = tf.exp(-0.5 * tf.square(x / tf.maximum(sigmas[i], 1e-3)))  # sigma 0: no blur
        kernel /= tf.reduce_sum(kernel)
        total += _separable_blur(image, kernel) / _separable_blur(ones, kernel)
    return total[0] / count


def _separable_blur(image: tf.Tensor, kernel: tf.Tensor) -> tf.Tensor:
    channels = image.shape[-1]
    taps = tf.tile(kernel[:, None, None, None], [1, 1, channels, 1])  # (2r+1, 1, C, 1)
    image = tf.nn.depthwise_conv2d(image, taps, [1, 1, 1, 1], "SAME")
    return tf.nn.depthwise_conv2d(image, tf.transpose(taps, [1, 0, 2, 3]), [1, 1, 1, 1], "SAME")


_BINOMIAL = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0  # the notebook's 5x5 pyramid kernel


def laplacian_normalize(grad: tf.Tensor, levels: int) -> tf.Tensor:
    """The original notebook's lap_normalize: split an (H, W, C) map into `levels` band-pass
    layers and a low-pass rest, scale each to unit RMS, merge them back: every scale then has an
    equal say, so the fine, high-frequency part of the gradient does not drown the big shapes."""
    channels = grad.shape[-1]
    k = tf.constant(_BINOMIAL[:, :, None, None] * np.eye(channels)[None, None], tf.float32)
    image, bands = grad[None], []
    for _ in range(levels):
        low = tf.nn.conv2d(image, k, 2, "SAME")
        bands.append(image - tf.nn.conv2d_transpose(low, k * 4, tf.shape(image), 2))
        image = low
    out = _unit_rms(image)
    for band in reversed(bands):
        out = tf.nn.conv2d_transpose(out, k * 4, tf.shape(band), 2) + _unit_rms(band)
    return out[0]


def _unit_rms(x: tf.Tensor) -> tf.Tensor:
    return x / tf.maximum(tf.sqrt(tf.reduce_mean(tf.square(x))), 1e-10)
