"""GoogLeNet (Inception v1) of the original DeepDream notebook: TensorFlow's frozen inception5h graph, run as it is.

    layer_list(entry) => LAYERS: the graph's layers, a table kept here (offline, no file needed)
    load(entry, dtype, weights) => FeatureNet running the graph itself

The GraphDef is imported once into a TF2 function (tf.compat.v1.wrap_function, as lucid does)
with its `input` placeholder fed a float32 batch of RGB 0..255 less the mean 117; for each set
of layers asked for, the function is pruned to those outputs, so nothing deeper or beside them
is computed. Before use the file's structure is checked against STRUCTURE (the Inception
modules and an inner node, with their channel counts): another graph is one ModelError.
Weights: inception5h.zip (its tensorflow_inception_graph.pb), downloaded once through
keras.utils.get_file into the Keras cache; or `weights: PATH` to a local .zip or .pb.
"""
import zipfile
from pathlib import Path
from typing import Optional

import tensorflow as tf

from ...errors import ModelError
from .base import CutNet, FeatureNet, LayerInfo

MEAN = 117.0  # the notebook's imagenet_mean, subtracted from every channel
BRANCHES = ("1x1", "3x3_bottleneck", "3x3", "5x5_bottleneck", "5x5", "pool_reduce")
STEM = (("conv2d0", 64, 2), ("conv2d1", 64, 4), ("conv2d2", 192, 4))
MODULES = {  # module: (stride, channels of each of BRANCHES); the module concatenates 1x1, 3x3, 5x5, pool_reduce
    "mixed3a": (8, (64, 96, 128, 16, 32, 32)),
    "mixed3b": (8, (128, 128, 192, 32, 96, 64)),
    "mixed4a": (16, (192, 96, 204, 16, 48, 64)),
    "mixed4b": (16, (160, 112, 224, 24, 64, 64)),
    "mixed4c": (16, (128, 128, 256, 24, 64, 64)),
    "mixed4d": (16, (112, 144, 288, 32, 64, 64)),
    "mixed4e": (16, (256, 160, 320, 32, 128, 128)),
    "mixed5a": (32, (256, 160, 320, 48, 128, 128)),
    "mixed5b": (32, (384, 192, 384, 48, 128, 128)),
}
HEADS = (("head0_bottleneck", 128, 48), ("head1_bottleneck", 128, 48))  # the auxiliary classifiers' 1x1 convs


def _table() -> list[LayerInfo]:
    layers = []
    for name, channels, stride in STEM:
        layers += [LayerInfo(f"{name}_pre_relu", channels, stride), LayerInfo(name, channels, stride)]
    for module, (stride, channels) in MODULES.items():
        for branch, count in zip(BRANCHES, channels):
            layers += [LayerInfo(f"{module}_{branch}_pre_relu", count, stride),
                       LayerInfo(f"{module}_{branch}", count, stride)]
        layers.append(LayerInfo(module, channels[0] + channels[2] + channels[4] + channels[5], stride))
    for name, channels, stride in HEADS:
        layers += [LayerInfo(f"{name}_pre_relu", channels, stride), LayerInfo(name, channels, stride)]
    return layers


LAYERS = _table()
# What a file must have to be taken for the DeepDream GoogLeNet: every module (mixed4c 512
# channels, mixed4d 528) and the TensorFlow tutorial's inner node.
STRUCTURE = {layer.name: layer.channels for layer in LAYERS
             if layer.name in MODULES or layer.name == "mixed4d_3x3_bottleneck_pre_relu"}
GRAPH_FILE = "tensorflow_inception_graph.pb"


def layer_list(entry=None) -> list[LayerInfo]:
    return LAYERS


def load(entry, dtype: str = "float32", weights: Optional[Path] = None) -> FeatureNet:
    if dtype != "float32":
        raise ModelError("precision", f"{entry.name} computes in float32 only", "use precision: float32")
    if weights is None:
        from .keras_apps import download
        path, fix = download(entry), f"delete it to download it again, or give {entry.takes_weights} with weights: PATH"
    else:
        path, fix = Path(weights), f"give {entry.takes_weights}"
    return GraphNet(entry, read_graph_def(path, fix), str(path), fix)


def read_graph_def(path: Path, fix: str) -> "tf.compat.v1.GraphDef":
    """The GraphDef in a .pb file, or in the .pb inside a .zip (inception5h.zip's layout)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [n for n in archive.namelist() if n.endswith(".pb")]
                if not members:
                    raise ModelError(str(path), f"no .pb file in this zip (inception5h.zip holds {GRAPH_FILE})", fix)
                data = archive.read(GRAPH_FILE if GRAPH_FILE in members else members[0])
        elif path.suffix.lower() == ".zip":
            raise ModelError(str(path), "not a readable zip file (damaged or cut short?)", fix)
        else:
            data = path.read_bytes()
        graph_def = tf.compat.v1.GraphDef()
        graph_def.ParseFromString(data)
    except ModelError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelError(str(path), f"cannot read it: {exc}", fix) from None
    except Exception as exc:  # protobuf's DecodeError: not a GraphDef
        raise ModelError(str(path), f"not a TensorFlow GraphDef ({type(exc).__name__})", fix) from None
    return graph_def


class GraphNet(CutNet):
    """The frozen graph as a FeatureNet: one pruned function per set of layer names."""

    def __init__(self, entry, graph_def, where: str, fix: str):
        super().__init__(entry.name, LAYERS, lambda rgb: rgb - MEAN, min_side=entry.min_side)
        self._imported = _import(graph_def, where, fix)
        check_structure(self._imported.graph, where, fix)

    def cut(self, names: tuple[str, ...]):
        graph = self._imported.graph
        return self._imported.prune(self._imported.inputs[0], [graph.get_tensor_by_name(f"graph/{n}:0") for n in names])


def _import(graph_def, where: str, fix: str):
    """The whole graph in a wrapped function whose one input replaces its `input` placeholder."""
    def imported(pixels):
        tf.compat.v1.import_graph_def(graph_def, input_map={"input:0": pixels}, name="graph")

    try:
        return tf.compat.v1.wrap_function(imported, [tf.TensorSpec((None, None, None, 3), tf.float32)])
    except (ValueError, TypeError) as exc:  # no `input` node, or ops TensorFlow does not know
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(where, f"not the DeepDream GoogLeNet graph: {first}", fix) from None


def check_structure(graph, where: str, fix: str) -> None:
    """ModelError unless every STRUCTURE node is there with its channel count."""
    for name, channels in STRUCTURE.items():
        try:
            found = graph.get_tensor_by_name(f"graph/{name}:0").shape[-1]
        except KeyError:
            raise ModelError(where, f"not the DeepDream GoogLeNet graph: it has no node {name!r}", fix) from None
        if found != channels:
            raise ModelError(where, f"not the DeepDream GoogLeNet graph: {name} has {found} channels, not {channels}",
                             fix)
