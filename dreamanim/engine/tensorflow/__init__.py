"""The TensorFlow backend (engine/backend.py's Backend): the only package that imports tensorflow or keras.

    BUILDERS: a ModelEntry's builder key => the module with layer_list(entry) and load(entry, dtype, weights)
    steps.py: the traced step, tiled gradient, objective, guide features, resize and add+clip
    base.py: FeatureNet, the cut network every builder returns
"""
import contextlib
import importlib
import os
from pathlib import Path
from typing import Optional

import numpy as np

# TensorFlow's C++ log (CUDA probing: "failed call to cuInit" on a machine without a GPU) is not
# for users of the CLI or the API; TF_CPP_MIN_LOG_LEVEL set by the user still wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

from .steps import (add_clip, compile_probe, compile_step, guide_features, objective, resize,  # noqa: F401
                    tiled_gradient)

NAME = "TensorFlow"
GPU_HELP = "a GPU needs an NVIDIA driver and TensorFlow built with CUDA: pip install 'tensorflow[and-cuda]'"

BUILDERS = {
    "efficientnet_lite0": "dreamanim.engine.tensorflow.efficientnet_lite0",
    "vgg16": "dreamanim.engine.tensorflow.vgg16",
    "inception_v1": "dreamanim.engine.tensorflow.inception_v1",
    "keras_apps": "dreamanim.engine.tensorflow.keras_apps",     # every keras.applications network
    "model_file": "dreamanim.engine.tensorflow.model_file",     # a user's Keras file (`model: my.keras`)
}


def builder(entry):
    return importlib.import_module(BUILDERS[entry.builder])


def load(entry, dtype: str, weights: Optional[Path]):
    return builder(entry).load(entry, dtype, weights)


def layer_list(entry) -> list:
    return builder(entry).layer_list(entry)


def read_model_file(path: str) -> tuple[list, int]:
    from .model_file import read
    return read(path)


def to_tensor(values, dtype: str = "float32") -> tf.Tensor:
    return tf.constant(values, dtype)


def to_numpy(tensor: tf.Tensor) -> np.ndarray:
    return tensor.numpy()


def visible_gpus() -> int:
    return len(tf.config.list_physical_devices("GPU"))


def device_scope(device: str):
    if device == "auto":
        return contextlib.nullcontext()
    return tf.device(f"/GPU:{device.partition(':')[2] or 0}" if device.startswith("gpu") else "/CPU:0")


def hide_progress() -> None:
    import keras
    keras.config.disable_interactive_logging()
