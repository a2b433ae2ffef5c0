"""`device: auto | cpu | gpu | gpu:N` => the context a model is loaded and dreamed in.

auto leaves placement to the backend, which (TensorFlow) runs on a GPU whenever it sees one
(a CUDA build, e.g. `pip install tensorflow[and-cuda]`, on a machine with an NVIDIA driver);
cpu keeps everything on the CPU even then; gpu insists on one (the first) and is an error where
none is visible; gpu:N picks the GPU numbered N (from 0, as `nvidia-smi` counts them).
"""
import re
import contextlib

from ...errors import ModelError
from ..backend import get

DEVICES = ("auto", "cpu", "gpu", "gpu:N")
_NAME = re.compile(r"auto|cpu|gpu(:\d+)?")
NAMES_TEXT = "'auto', 'cpu', 'gpu' or 'gpu:N' (N the GPU's number, from 0)"


def device_name(text: str) -> str:
    """`text` if it names a device (auto, cpu, gpu, gpu:N), else ValueError (no backend needed)."""
    if not isinstance(text, str) or not _NAME.fullmatch(text.strip().lower()):
        raise ValueError(f"must be {NAMES_TEXT}")
    return text.strip().lower()


def gpu_index(device: str) -> int:
    """0 for gpu, N for gpu:N."""
    return int(device.partition(":")[2] or 0)


def check_device(device: str, where: str = "device") -> None:
    """ModelError now, at load time, if the device is not a name or `device: gpu[:N]` cannot be had."""
    try:
        device = device_name(device)
    except ValueError as exc:
        raise ModelError(where, f"{exc}, got {device!r}", "e.g. device: gpu:1 for the second GPU") from None
    if device.startswith("gpu"):
        backend = get()
        seen, wanted = backend.visible_gpus(), gpu_index(device)
        if not seen:
            raise ModelError(where, f"{device} asked for, but {backend.NAME} sees no GPU",
                             f"use device: auto or cpu; {backend.GPU_HELP}")
        if wanted >= seen:
            raise ModelError(where, f"{device} asked for, but {backend.NAME} sees {seen} GPU(s), "
                             f"gpu:0..gpu:{seen - 1}", f"pick one of those, or device: gpu for the first")


def device_scope(device: str):
    """A context manager placing the ops run inside it on `device`."""
    if device == "auto":
        return contextlib.nullcontext()
    check_device(device)
    return get().device_scope(device)
