"""A user's own Keras model file as a model: `model: path/to/model.keras` (or .h5), pixels scaled as `preprocess:` says.

    entry(path) => ModelEntry: layers from the file (every layer with a 4-D output, and the
        layers of a model nested in it as `outer/inner`, e.g. a fine-tuned classifier's base)
    declare(path, preprocess): how the preset that names the file scales its pixels
    (the backend reads and loads the file: engine/tensorflow/model_file.py)

A file cannot say how its pixels were scaled (0..255, -1..1, an ImageNet mean...), so the
preset must: `preprocess: caffe | torch | tf | none` or `{mean: [r, g, b], std: [r, g, b]}` on
0..255 pixels. The network is rebuilt on an input of any size (a classifier's file fixes one,
like 224x224) sharing the file's weights, and cut at the deepest layer asked for.
The backend loads only when a file model is used: importing this module is cheap.
"""
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

from ...errors import ModelError
from ..backend import get as backend
from .entry import ModelEntry
from .keras_catalogue import KERAS_STEP, pick_defaults, pick_gallery

SUFFIXES = (".keras", ".h5", ".hdf5")
MODES = ("caffe", "torch", "tf", "none")
Preprocess = Union[str, dict]  # a MODES name, or {"mean": [...], "std": [...]} on 0..255 pixels
WHY = ("a model file does not say how its pixels were scaled (0..255, -1..1, an ImageNet mean), "
       "so it cannot be guessed")
HOW = "add preprocess: caffe | torch | tf | none, or {mean: [r, g, b], std: [r, g, b]} on 0..255 pixels"

_declared: dict[str, Preprocess] = {}


def is_model_file(name: str) -> bool:
    return str(name).lower().endswith(SUFFIXES)


def declare(path: str, preprocess: Optional[Preprocess]) -> None:
    """Record how the preset naming `path` scales its pixels (the loader reads it from here);
    ModelError without one."""
    if preprocess is None:
        raise ModelError("preprocess", f"missing for the model file {Path(path).name}: {WHY}", HOW)
    _declared[str(path)] = preprocess if isinstance(preprocess, str) else dict(preprocess)


def declared(path: str) -> Optional[Preprocess]:
    return _declared.get(str(path))


@lru_cache(maxsize=None)
def entry(path: str) -> ModelEntry:
    """The file as a ModelEntry (the backend reads the file: Keras loads here)."""
    layers, side = backend().read_model_file(str(path))
    if not layers:
        raise ModelError(f"model {path}", "the model has no layer with a 4-D (image-shaped) output",
                         "give a convolutional network, e.g. a keras.applications model or one fine-tuned from it")
    return ModelEntry(
        str(path), f"your Keras model {Path(path).name}", "model_file",
        default_layers=pick_defaults(layers), default_step=KERAS_STEP, gallery_layers=pick_gallery(layers),
        takes_weights="weights for the same network (model.save_weights), replacing the file's own",
        offline=True, bfloat16=False, min_side=side, path=str(path))
