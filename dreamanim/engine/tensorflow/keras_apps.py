"""keras.applications networks (InceptionV3, ResNet50, ...) as FeatureNets.

    layer_list(entry) => the layers a preset may name: built without weights, so offline
    load(entry, dtype, weights) => FeatureNet with Keras' ImageNet weights (downloaded and
        cached by Keras on first use) or a local Keras weights file

The network takes any image size (include_top=False, input (None, None, 3)). For each set
of requested layers a keras.Model with just those outputs is made once, so layers deeper
than the deepest requested one are never computed. A failed download is one ModelError.
"""
import math
import re
import warnings
from pathlib import Path
from typing import Optional

import keras

from ...errors import ModelError
from .base import CutNet, FeatureNet, LayerInfo
from ..models.keras_catalogue import block_outputs

PROBE_SIDE = 512  # the image side the strides are measured at (any side >= min_side would do)

_unclaimed: dict[str, keras.Model] = {}  # built by layer_list, handed to the next load: built once


def _architecture(entry) -> keras.Model:
    build = getattr(keras.applications, entry.keras.application)
    return build(weights=None, include_top=False, input_shape=(None, None, 3))


def layer_list(entry) -> list[LayerInfo]:
    """The layers the entry's pattern names (mixed0, block17_4_ac), in network order."""
    model = _architecture(entry)
    _unclaimed[entry.name] = model
    return layer_table(model, entry.keras.layer_names)


def layer_table(model: keras.Model, pattern: str = "") -> list[LayerInfo]:
    """The layers of `model` whose names fullmatch `pattern` (none given: every layer with a 4-D
    output whose name Keras did not make up), a block's projection left out where its `_add`
    is listed, with channels and strides measured on a PROBE_SIDE image, symbolically."""
    wanted = re.compile(pattern) if pattern else None
    named = [layer for layer in model.layers if (wanted.fullmatch(layer.name) if wanted else
                                                  _own_name(layer) and len(layer.output.shape) == 4)]
    kept = set(block_outputs([layer.name for layer in named]))
    named = [layer for layer in named if layer.name in kept]
    return measured(model.inputs[0], {layer.name: layer.output for layer in named})


def measured(image, outputs: dict) -> list[LayerInfo]:
    """LayerInfos of {name: symbolic output} computed from the `image` input: channels and
    strides measured on a PROBE_SIDE image, symbolically (nothing is computed)."""
    shapes = _specs(keras.Model(image, list(outputs.values())), PROBE_SIDE)
    # Inception's valid convolutions make sides like 61 for 512 / 8: round to the power of 2.
    return [LayerInfo(name, int(shape[-1]), 2 ** round(math.log2(PROBE_SIDE / shape[1])))
            for name, shape in zip(outputs, shapes)]


def smallest_side(model: keras.Model) -> int:
    """The smallest square image side for which every output of `model` has an activation."""
    def works(side):
        try:
            return all(min(shape[1:3]) >= 1 for shape in _specs(model, side))
        except Exception:  # noqa: BLE001 (Keras says "too small" with ValueError, TypeError, ...)
            return False

    lo, hi = 1, PROBE_SIDE
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if works(mid) else (mid + 1, hi)
    return lo


def _specs(model: keras.Model, side: int) -> list[tuple]:
    specs = model.compute_output_spec(keras.KerasTensor((1, side, side, model.inputs[0].shape[-1])))
    return [spec.shape for spec in (specs if isinstance(specs, (list, tuple)) else [specs])]


def _own_name(layer) -> bool:
    """False for a name Keras made up from the class (conv2d_94, re_lu, add_3)."""
    from keras.src.utils.naming import to_snake_case
    return not re.fullmatch(re.escape(to_snake_case(type(layer).__name__)) + r"(_\d+)?", layer.name)


def load(entry, dtype: str = "float32", weights: Optional[Path] = None) -> FeatureNet:
    if dtype != "float32":  # models/__init__ refuses bfloat16 for these before we get here
        raise ModelError("precision", f"{entry.name} computes in float32 only", "use precision: float32")
    from ..models import model_layers
    layers = model_layers(entry.name)  # cached per process; made the architecture if not yet listed
    model = _unclaimed.pop(entry.name, None) or _architecture(entry)
    load_keras_weights(model, weights if weights is not None else download(entry), entry)
    return KerasFeatureNet(entry, layers, model)


def download(entry) -> Path:
    """The cached ImageNet weights file, downloaded by Keras the first time."""
    app = entry.keras
    try:
        return Path(keras.utils.get_file(app.weights_file, app.weights_url, cache_subdir="models",
                                         file_hash=app.file_hash))
    except Exception as exc:  # Keras wraps every network failure in a bare Exception
        from ..models import offline_models
        reason = str(exc).rsplit(" -- ", 1)[-1]  # Keras' "URL fetch failure on URL: code -- reason"
        raise ModelError(f"model {entry.name}",
                         f"could not download its ImageNet weights (offline?): {reason}",
                         f"use an offline model: {', '.join(offline_models())}; or download "
                         f"{app.weights_url} yourself and give it with weights: PATH") from None


def load_keras_weights(model: keras.Model, path: Path, entry) -> None:
    """model.load_weights(path); a file of another network or not Keras' at all is one ModelError."""
    with warnings.catch_warnings():  # a mismatch comes with dozens of warnings before its error
        warnings.simplefilter("ignore")
        try:
            model.load_weights(str(path))
        except Exception as exc:  # ValueError (another architecture), OSError (not HDF5), ...
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(str(path), f"not weights of {entry.name}: {first}",
                             f"give {entry.takes_weights}") from None


class KerasFeatureNet(CutNet):
    """A Keras model cut at the requested layers: one sub-model per set of layer names."""

    def __init__(self, entry, layers: list[LayerInfo], model: keras.Model, preprocess=None,
                 outputs: Optional[dict] = None):
        """preprocess: RGB => input (default: the entry's); outputs: layer name => its tensor in
        model's graph (default: the layer's output)."""
        super().__init__(entry.name, layers, preprocess or preprocessor(entry.keras.preprocess), min_side=entry.min_side)
        self.model = model
        self._outputs = outputs or {layer.name: model.get_layer(layer.name).output for layer in layers}

    def cut(self, names: tuple[str, ...]):
        # Called outside fit(), a Keras model runs in inference mode (batch norm on its moving stats).
        return keras.Model(self.model.inputs[0], [self._outputs[n] for n in names])


def preprocessor(preprocess: str):
    """RGB 0..255 => what the network takes: an imagenet_utils mode, or a keras.applications
    module's own preprocess_input (a network with its preprocessing inside takes the pixels)."""
    if preprocess in ("tf", "caffe", "torch"):
        return lambda rgb: keras.applications.imagenet_utils.preprocess_input(rgb, mode=preprocess)
    return getattr(keras.applications, preprocess).preprocess_input
