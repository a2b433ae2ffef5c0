"""The seam between the dream and a compute library: Backend, what the dream needs of one, and BACKENDS.

BACKENDS is name => package, imported only when used (like outputs.FORMATS); the package
itself is the Backend: module-level functions and constants with the names below. So a
PyTorch or JAX backend is one new package, dreamanim/engine/<name>/, and one line here.
Everything else in the engine (the octave loop in dreamer.py, the model zoo in models/, the
ObjectiveSpec) is plain Python and numpy; only a backend's package imports its library.

A backend's tensors are its own; the dream holds them only to hand them back, and uses only
`a - b` and float(scalar) on them.
"""
import importlib
import os
import sys
from pathlib import Path
from typing import Callable, ContextManager, Mapping, Optional, Protocol, Sequence

import numpy as np

BACKENDS = {
    "tensorflow": "dreamanim.engine.tensorflow",
}
DEFAULT_BACKEND = "tensorflow"

# (img, shift, step_size, weights, sigmas[, picks][, scale]) => (img after one step, objective before it)
Step = Callable[..., tuple]


class Backend(Protocol):
    NAME: str       # the library, as messages name it ("TensorFlow")
    GPU_HELP: str   # how to get a GPU it can use, for the `device: gpu` error

    # Models: entry.builder names the backend's builder of that network.
    def load(self, entry, dtype: str, weights: Optional[Path]):
        """The network of a ModelEntry, cut at whatever layers are asked for later (a "net"),
        computing in `dtype` (float32 | bfloat16), with weights from `weights` or its own."""

    def layer_list(self, entry) -> list:
        """The entry's layers a preset may name (LayerInfo), in network order, without weights."""

    def read_model_file(self, path: str) -> tuple[list, int]:
        """A user's model file (`model: my.keras`) => (its LayerInfos, the smallest image side it takes)."""

    # The dream.
    def compile_step(self, net, size: tuple[int, int], spec, tile_size: int, guides: Mapping,
                     on_trace: Callable[[], None], scaled: bool = False) -> Step:
        """One gradient-ascent step on an image of `size`, compiled once: the objective of
        `spec` (ObjectiveSpec; guides from guide_features) taken tile by tile under the roll
        `shift` (2 ints), the gradient smoothed and normalised as the spec says, times
        step_size, added and clipped to 0..255. weights and sigmas are run-time inputs, so
        new values never recompile it; on_trace() is called each time it is (re)traced.
        scaled=True: the step takes a sixth input, `scale` (H x W x 1 tensor), multiplying the
        step per pixel (a video frame renews carried detail gently and dreams new content fully);
        scaled=False must compile exactly the step without it. With automatic channels
        (spec.picks > 0) the step takes `picks` (spec.picks int32 channel numbers, the
        spec.auto_channels layers' in turn) before `scale`: the channels those layers dream."""

    def compile_probe(self, net, size: tuple[int, int], spec, tile_size: int) -> Callable:
        """probe(img) => a (C,) strength per channel of each spec.auto_channels layer on an image of
        `size` (mean square, or mean under reduce mean, less the border; tile by tile, weighted by
        area), compiled once: what strongest and weakest rank by (engine/channel_choice.py)."""

    def tiled_gradient(self, net, img: np.ndarray, shift: tuple[int, int], spec, tile_size: int,
                       guides: Mapping, weights: Sequence[float], picks: Sequence[int] = ()) -> np.ndarray:
        """The raw tiled gradient of the objective at img (H x W x 3) under a roll (for tests)."""

    def objective(self, net, img: np.ndarray, spec, guides: Mapping, weights: Sequence[float],
                  picks: Sequence[int] = ()) -> float:
        """The objective of a whole image, untiled (for reports, benchmarks and tests)."""

    def guide_features(self, net, img: np.ndarray, layers: Sequence[str]) -> dict:
        """Each layer's (N, C) features of a guide image (H x W x 3, 0..255)."""

    # Pixels: H x W x 3 float32 images, 0..255.
    def to_tensor(self, values, dtype: str = "float32"): ...
    def to_numpy(self, tensor) -> np.ndarray: ...

    def resize(self, img, size: tuple[int, int]):
        """Bilinear, antialiased; img itself when it already has that size."""

    def add_clip(self, img, delta):
        """img + delta, clipped to 0..255."""

    # Where it runs.
    def visible_gpus(self) -> int: ...

    def device_scope(self, device: str) -> ContextManager:
        """Everything inside runs on device: cpu | gpu (checked before)."""

    def hide_progress(self) -> None:
        """Turn off the library's own progress output (Keras' download bars)."""


_hide_progress = set()  # backends whose progress output goes off as soon as they are imported


def get(name: str = DEFAULT_BACKEND) -> Backend:
    """The backend called `name`; its package (and so its library) is imported here, on first use,
    with file descriptor 2 pointed at /dev/null meanwhile.

    TensorFlow's C++ start-up lines (absl's pre-init warning, CUDA probing on a machine
    without a GPU) are written straight to fd 2 during the import, before any logging setting
    is consulted, so the API, the CLI and the workers all start quietly. Errors still surface:
    as Python exceptions. Nothing imports it before it is needed: a preset's mistakes are
    reported without it."""
    package = BACKENDS[name]
    if package not in sys.modules:
        sys.stderr.flush()
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            backend = importlib.import_module(package)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
        if name in _hide_progress:
            backend.hide_progress()
    return importlib.import_module(package)


def quiet_import(name: str = DEFAULT_BACKEND, progress: bool = True) -> Backend:
    """get(name) now; progress=False also turns off the library's own progress output (--quiet)."""
    backend = get(name)
    if not progress:
        backend.hide_progress()
    return backend


def hide_progress(name: str = DEFAULT_BACKEND) -> None:
    """--quiet without importing the library now: its progress output goes off when it is imported
    (at once if it already is)."""
    _hide_progress.add(name)
    if BACKENDS[name] in sys.modules:
        get(name).hide_progress()
