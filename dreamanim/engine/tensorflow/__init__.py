"""The TensorFlow backend (engine/backend.py's Backend): the only package that imports tensorflow or keras.

    steps.py: the traced step, tiled gradient, objective, guide features, resize and add+clip
    base.py: FeatureNet, the cut network every builder returns
"""
import contextlib

import numpy as np
import tensorflow as tf

from .steps import add_clip, compile_step, guide_features, objective, resize, tiled_gradient  # noqa: F401

NAME = "TensorFlow"


def to_tensor(values, dtype: str = "float32") -> tf.Tensor:
    return tf.constant(values, dtype)


def to_numpy(tensor: tf.Tensor) -> np.ndarray:
    return tensor.numpy()


def device_scope(device: str):
    if device == "auto":
        return contextlib.nullcontext()
    return tf.device("/GPU:0" if device == "gpu" else "/CPU:0")
