"""A user's Keras model file, read and loaded: the builder of `model: my.keras` (models/model_file.py makes its entry).

    read(path) => (LayerInfos: every layer with a 4-D output, and the layers of a model nested
        in it as `outer/inner`, e.g. a fine-tuned classifier's base; the smallest side it takes)
    layer_list(entry), load(entry, dtype, weights): the builder interface (BUILDERS)

The network is rebuilt on an input of any size (a classifier's file fixes one, like 224x224)
sharing the file's weights, and cut at the deepest layer asked for; pixels are scaled as the
preset's `preprocess:` says (declared in models/model_file.py).
"""
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Optional

import keras
import tensorflow as tf

from ...errors import ModelError
from ..models.model_file import HOW, WHY, Preprocess, declared
from .keras_apps import KerasFeatureNet, load_keras_weights, measured, smallest_side
from .keras_apps import preprocessor as keras_mode


def read(path: str) -> tuple[list, int]:
    net = _flexible(path)
    return net.layers, net.side


def layer_list(entry) -> list:
    return _flexible(entry.path).layers


def load(entry, dtype: str = "float32", weights: Optional[Path] = None):
    if dtype != "float32":
        raise ModelError("precision", "a model file computes in float32 only", "use precision: float32")
    preprocess = declared(entry.path)
    if preprocess is None:
        raise ModelError("preprocess", f"missing for the model file {Path(entry.path).name}: {WHY}", HOW)
    net = _flexible(entry.path) if weights is None else _build(entry.path)  # other weights: a copy of its own
    if weights is not None:
        load_keras_weights(net.file_model, weights, entry)  # the free-size model shares its layers
    return KerasFeatureNet(entry, net.layers, net.model, preprocessor(preprocess), net.outputs)


def preprocessor(preprocess: Preprocess):
    if preprocess == "none":
        return lambda rgb: rgb
    if isinstance(preprocess, str):
        return keras_mode(preprocess)
    mean = tf.constant(preprocess["mean"], tf.float32)
    std = tf.constant(preprocess["std"], tf.float32)
    return lambda rgb: (rgb - mean) / std


class _Net(NamedTuple):
    file_model: Any   # the keras.Model as the file has it
    model: Any        # its layers on images of any size, outputting every listed layer
    outputs: dict     # layer name => its output in `model`
    layers: list      # LayerInfo, in network order
    side: int         # the smallest image side every layer takes


def _build(path: str) -> _Net:
    """The file's 4-D layers, in network order (a nested network's as `outer/inner`), on images of any size."""
    model = _read(path)
    outputs, free = {}, {}  # free: a nested network => the same on images of any size
    for layer in model.layers:
        if isinstance(layer, keras.Model):  # a nested network: its layers too, on what it is given
            free[id(layer)] = _any_size(layer)
            inner = [i for i in layer.layers if _image_shaped(i)]
            called = layer._inbound_nodes  # Keras keeps no public record of what a layer was called on
            if inner and len(called) == 1 and len(called[0].input_tensors) == 1:
                cut = _any_size(keras.Model(layer.inputs[0], [i.output for i in inner]))
                got = cut(called[0].input_tensors[0])
                outputs.update(zip([f"{layer.name}/{i.name}" for i in inner], got if len(inner) > 1 else [got]))
        elif _image_shaped(layer):
            outputs[layer.name] = layer.output
    if not outputs:
        return _Net(model, None, {}, [], 1)
    flexible = _any_size(keras.Model(model.inputs[0], list(outputs.values())), free)
    outputs = dict(zip(outputs, flexible.outputs))
    return _Net(model, flexible, outputs, measured(flexible.inputs[0], outputs), smallest_side(flexible))


_flexible = lru_cache(maxsize=None)(_build)  # read once per process


def _image_shaped(layer) -> bool:
    if isinstance(layer, keras.layers.InputLayer):
        return False
    try:
        output = layer.output
    except (AttributeError, ValueError):  # a layer used at several places has no single output
        return False
    return hasattr(output, "shape") and len(output.shape) == 4


def _any_size(model, free: Optional[dict] = None):
    """The same layers (same weights) on an input whose height and width are free; a nested
    network in `free` (by id) is replaced by its free version."""
    free = free or {}
    if model.inputs[0].shape[1] is None and model.inputs[0].shape[2] is None and not free:
        return model
    image = keras.Input((None, None, model.inputs[0].shape[-1]))
    return keras.models.clone_model(model, input_tensors=image, clone_function=lambda layer: free.get(id(layer), layer))


def _read(path: str):
    if not Path(path).is_file():
        raise ModelError(f"model {path}", "model file not found", "give a path relative to the preset")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = keras.saving.load_model(path, compile=False)
    except Exception as exc:  # ValueError, OSError, ...: not a Keras model file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"model {path}", f"cannot load it as a Keras model: {first}",
                         "give a file written by model.save (.keras, or legacy .h5)") from None
    if not isinstance(model, keras.Model) or not model.inputs:
        raise ModelError(f"model {path}", "not a Keras model with an input", "give a file written by model.save")
    return model
