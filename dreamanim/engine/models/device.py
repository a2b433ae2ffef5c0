"""`device: auto | cpu | gpu` => the context a model is loaded and dreamed in.

auto leaves placement to the backend, which (TensorFlow) runs on a GPU whenever it sees one
(a CUDA build, e.g. `pip install tensorflow[and-cuda]`, on a machine with an NVIDIA driver);
cpu keeps everything on the CPU even then; gpu insists on one and is an error where none is visible.
"""
import contextlib

from ...errors import ModelError
from ..backend import get

DEVICES = ("auto", "cpu", "gpu")


def check_device(device: str, where: str = "device") -> None:
    """ModelError now, at load time, if `device: gpu` cannot be had."""
    if device == "gpu":
        backend = get()
        if not backend.visible_gpus():
            raise ModelError(where, f"gpu asked for, but {backend.NAME} sees no GPU",
                             f"use device: auto or cpu; {backend.GPU_HELP}")


def device_scope(device: str):
    """A context manager placing the ops run inside it on `device`."""
    if device == "auto":
        return contextlib.nullcontext()
    check_device(device)
    return get().device_scope(device)
