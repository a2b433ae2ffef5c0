"""A feature network: RGB pixels (0..255) => named activations, cut at the deepest layer asked for.

Each model's builder module (BUILDERS in __init__.py) lists its layers without weights and
loads a FeatureNet. Weights are constants: dreaming differentiates only the image.
"""
from typing import Callable, Iterator, Optional, Sequence

import tensorflow as tf

from ..models.entry import LayerInfo  # noqa: F401  (the builders take it from here)


class FeatureNet:
    """`forward(x)` yields (layer name, activation) in network order, lazily, so computing
    stops right after the deepest requested layer: nobody pays for layers nobody asked for.

    `min_side`: the smallest image side the network takes (Inception's valid convolutions need
    75 px); `features` pads smaller images up to it, so small octaves and tiles still work."""

    def __init__(self, name: str, layers: Sequence[LayerInfo],
                 preprocess: Callable[[tf.Tensor], tf.Tensor],
                 forward: Callable[[tf.Tensor], Iterator[tuple[str, tf.Tensor]]],
                 dtype: str = "float32", min_side: int = 1):
        self.name = name
        self.dtype = dtype  # what the network computes in; activations come out float32
        self.layers = tuple(layers)
        self.preprocess = preprocess
        self.min_side = min_side
        self._forward = forward
        # (layer, head): head(that layer's activation) => (B, 1000) ImageNet logits; None: no classifier
        self.classifier: Optional[tuple[str, Callable[[tf.Tensor], tf.Tensor]]] = None

    def features(self, rgb: tf.Tensor, names: Sequence[str]) -> dict[str, tf.Tensor]:
        """Activations of `names` for a (B, H, W, 3) batch of 0..255 RGB pixels."""
        wanted, found = set(names), {}
        for layer, activation in self._forward(pad_to(self.preprocess(rgb), self.min_side)):
            if layer in wanted:
                found[layer] = activation
                if len(found) == len(wanted):
                    return found
        missing = sorted(wanted - set(found))
        raise KeyError(f"{self.name} has no layer(s) {missing}")


class CutNet(FeatureNet):
    """A network cut at the requested layers: for each set of layer names, cut(names) makes one
    callable (preprocessed, padded batch => those activations) once, outside any trace."""

    def __init__(self, name: str, layers: Sequence[LayerInfo], preprocess: Callable[[tf.Tensor], tf.Tensor],
                 min_side: int = 1):
        super().__init__(name, layers, preprocess, forward=None, dtype="float32", min_side=min_side)
        self._names = {layer.name for layer in self.layers}
        self._cut: dict[tuple[str, ...], Callable] = {}

    def cut(self, names: tuple[str, ...]) -> Callable:
        raise NotImplementedError

    def features(self, rgb: tf.Tensor, names: Sequence[str]) -> dict[str, tf.Tensor]:
        key = tuple(dict.fromkeys(names))
        missing = sorted(set(key) - self._names)
        if missing:
            raise KeyError(f"{self.name} has no layer(s) {missing}")
        if key not in self._cut:
            with tf.init_scope():  # made once, outside any graph being traced
                self._cut[key] = self.cut(key)
        out = self._cut[key](pad_to(self.preprocess(tf.cast(rgb, tf.float32)), self.min_side))
        return dict(zip(key, out if isinstance(out, (list, tuple)) else [out]))


def pad_to(x: tf.Tensor, min_side: int) -> tf.Tensor:
    """Pad a preprocessed (B, H, W, C) batch with zeros, centred, to at least min_side a side.

    Zero is what SAME convolutions pad with anyway, and the gradient reaches only real pixels."""
    h, w = x.shape[1], x.shape[2]
    if h is None or w is None:  # not known while tracing: nothing to decide on
        return x
    dh, dw = max(min_side - h, 0), max(min_side - w, 0)
    if not (dh or dw):
        return x
    return tf.pad(x, [[0, 0], [dh // 2, dh - dh // 2], [dw // 2, dw - dw // 2], [0, 0]])
