"""A feature network: RGB pixels (0..255) => named activations, cut at the deepest layer asked for.

Each model module provides LAYERS (architecture facts, no weights needed) and load() that
returns a FeatureNet. Weights are tf constants: dreaming differentiates only the image.
"""
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import tensorflow as tf


@dataclass(frozen=True)
class LayerInfo:
    name: str
    channels: int
    stride: int  # input pixels per activation pixel


class FeatureNet:
    """`forward(x)` yields (layer name, activation) in network order, lazily, so computing
    stops right after the deepest requested layer: nobody pays for layers nobody asked for."""

    def __init__(self, name: str, layers: Sequence[LayerInfo],
                 preprocess: Callable[[tf.Tensor], tf.Tensor],
                 forward: Callable[[tf.Tensor], Iterator[tuple[str, tf.Tensor]]],
                 dtype: str = "float32"):
        self.name = name
        self.dtype = dtype  # what the network computes in; activations come out float32
        self.layers = tuple(layers)
        self.preprocess = preprocess
        self._forward = forward

    def features(self, rgb: tf.Tensor, names: Sequence[str]) -> dict[str, tf.Tensor]:
        """Activations of `names` for a (B, H, W, 3) batch of 0..255 RGB pixels."""
        wanted, found = set(names), {}
        for layer, activation in self._forward(self.preprocess(rgb)):
            if layer in wanted:
                found[layer] = activation
                if len(found) == len(wanted):
                    return found
        missing = sorted(wanted - set(found))
        raise KeyError(f"{self.name} has no layer(s) {missing}")
