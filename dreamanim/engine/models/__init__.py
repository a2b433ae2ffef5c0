"""The model zoo as data: one ModelEntry per model; the compute backend builds and loads it, only when used.

A ModelEntry's `builder` is a key of its backend's BUILDERS (engine/tensorflow/__init__.py),
whose module provides
    layer_list(entry) => [LayerInfo, ...]   in network order, known without any weights
    load(entry, dtype, weights) => a net    weights: a local file, or None for the model's own
so adding a model is one entry in zoo.py (plus, for a network Keras does not ship, its builder);
every keras.applications network is listed by keras_catalogue.py, derived from Keras itself, and
a user's Keras file (`model: my.keras`) is read by model_file.py.
Nothing here imports the backend's library: `dreamanim models` stays instant.
"""
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional

from ...errors import ModelError, suggest
from ..backend import get as backend
from .entry import KERAS_APPS, KerasApp, ModelEntry
from .keras_catalogue import entries as keras_catalogue
from .model_file import is_model_file
from .precision import resolve as resolve_precision
from .zoo import ENTRIES

MODELS: dict[str, ModelEntry] = {e.name: e for e in ENTRIES}
MODELS.update((e.name, e) for e in keras_catalogue({e.name: e.keras and e.keras.application for e in ENTRIES}))
DEFAULT_MODEL = "efficientnet_lite0"


def model_entry(name: str) -> ModelEntry:
    """The zoo's entry of `name`, or a user's model file's (`model: my.keras`, read here)."""
    if is_model_file(name):
        from .model_file import entry
        return entry(str(name))
    if name not in MODELS:
        own = [e.name for e in ENTRIES]  # named in full; the Keras catalogue's are counted
        hint = suggest(name, own, listing="") or suggest(name, MODELS, listing="")
        raise ModelError("model", f"unknown model {name!r}",
                         f"{hint + ' ' if hint else ''}known: {', '.join(own)} and {len(MODELS) - len(own)} more "
                         "Keras networks; `dreamanim models` lists them all, or give a Keras file: model: my.keras")
    return MODELS[name]


def offline_models() -> list[str]:
    return [name for name, e in MODELS.items() if e.offline]


def availability(name: str) -> str:
    """'yes' (weights installed), 'cached' (Keras has downloaded them) or 'no' (downloads on first use)."""
    entry = model_entry(name)
    if entry.offline:
        return "yes"
    return "cached" if keras_cache_path(entry.keras.weights_file).is_file() else "no"


def keras_cache_path(file_name: str) -> Path:
    """Where keras.utils.get_file keeps a downloaded model file (as Keras decides, without importing it)."""
    home = os.environ.get("KERAS_HOME")
    if home is None:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home) / "models" / file_name


@lru_cache(maxsize=None)
def _layer_list(name: str) -> tuple:
    entry = model_entry(name)  # a model file's layers come from the file
    return tuple(backend().layer_list(entry))


def model_layers(name: str) -> list:
    """The layers (LayerInfo) of a model, in network order, without loading weights."""
    return list(_layer_list(name))


def check_layer(model: str, layer: str, where: str) -> None:
    """ModelError at `where` unless `model` has a layer called `layer` (the one check of a layer name)."""
    names = [info.name for info in model_layers(model)]
    if layer not in names:
        raise ModelError(where, f"{model} has no layer {layer!r}",
                         f"{suggest(layer, names, listing='valid layers')}; `dreamanim layers {model}` lists them")


def check_weights_file(model: str, path: Optional[Path], where: str = "weights") -> None:
    """ModelError at `where` if a `weights: PATH` file is missing (one that does not fit the
    model fails when it loads)."""
    if path is not None and not Path(path).is_file():
        raise ModelError(where, f"weights file not found: {path}",
                         f"give {model_entry(model).takes_weights} for {model}; docs/models.md says which file each model takes")


def default_layers(name: str) -> dict[str, float]:
    return dict(model_entry(name).default_layers)


def model_precision(name: str, precision: str = "auto") -> str:
    """The float type `name` computes in on this machine for a preset's `precision`."""
    entry = model_entry(name)
    if precision == "bfloat16" and not entry.bfloat16:
        raise ModelError("precision", f"{name} computes in float32 only",
                         "use precision: auto or float32, or a model that has bfloat16: efficientnet_lite0, vgg16")
    return resolve_precision(precision, entry.prefers_bfloat16)


def load_model(name: str, precision: str = "float32", weights: Optional[str | Path] = None,
               device: str = "auto"):
    """Load a model's weights once per process, float type, weights file and device.

    weights: a local weights file (`weights: PATH` in a preset) instead of the model's own."""
    from .model_file import declared
    how = repr(declared(name)) if is_model_file(name) else None  # a file's pixels: as its preset says
    return _load(name, model_precision(name, precision), None if weights is None else str(weights), device, how)


@lru_cache(maxsize=None)
def _load(name: str, dtype: str, weights: Optional[str], device: str, preprocess: Optional[str]):
    from .device import device_scope
    entry = model_entry(name)
    check_weights_file(name, None if weights is None else Path(weights))
    with device_scope(device):  # the weights live where the dreaming runs
        return backend().load(entry, dtype, None if weights is None else Path(weights))


__all__ = ["MODELS", "DEFAULT_MODEL", "ModelEntry", "KerasApp", "KERAS_APPS", "model_entry", "check_layer",
           "check_weights_file", "model_layers", "default_layers", "load_model", "model_precision",
           "offline_models", "availability", "keras_cache_path", "is_model_file"]
