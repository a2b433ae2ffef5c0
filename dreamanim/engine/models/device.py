"""`device: auto | cpu | gpu` => the context a model is loaded and dreamed in.

auto leaves placement to TensorFlow, which runs on a GPU whenever it sees one (a CUDA build,
e.g. `pip install tensorflow[and-cuda]`, on a machine with an NVIDIA driver); cpu keeps
everything on the CPU even then; gpu insists on one and is an error where none is visible.
"""
import contextlib

from ...errors import ModelError

DEVICES = ("auto", "cpu", "gpu")


def visible_gpus() -> list:
    import tensorflow as tf
    return tf.config.list_physical_devices("GPU")


def check_device(device: str, where: str = "device") -> None:
    """ModelError now, at load time, if `device: gpu` cannot be had."""
    if device == "gpu" and not visible_gpus():
        raise ModelError(where, "gpu asked for, but TensorFlow sees no GPU",
                         "use device: auto or cpu; a GPU needs an NVIDIA driver and TensorFlow "
                         "built with CUDA: pip install 'tensorflow[and-cuda]'")


def device_scope(device: str):
    """A context manager placing the ops run inside it on `device`."""
    if device == "auto":
        return contextlib.nullcontext()
    check_device(device)
    import tensorflow as tf
    return tf.device("/GPU:0" if device == "gpu" else "/CPU:0")
