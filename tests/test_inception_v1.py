"""inception_v1, the original DeepDream GoogLeNet, without its 50 MB download: a tiny frozen GraphDef
with the same input convention and node names goes through the very loader inception_v1 uses."""
import zipfile

import numpy as np
import pytest

from dreamanim.engine.models import MODELS, load_model, model_layers
from dreamanim.engine.tensorflow.inception_v1 import LAYERS, MEAN, MODULES, STRUCTURE

from conftest import PRESETS, assert_one_line_error


def tiny_googlenet(drop: str = ""):
    """(a tf.function of the DeepDream GoogLeNet's shape in miniature, the GraphDef frozen from it).

    Its placeholder is `input` (RGB less 117) and it has the STRUCTURE nodes with their channel
    counts (1x1 convolutions stand in for the Inception modules), strides as the real graph's,
    and the 2015 graph's op types (LRN, the old Concat); `drop` leaves one of them out."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    rng = np.random.default_rng(0)

    def conv(x, name, channels, k=1, stride=1):
        w = tf.constant(rng.normal(0, (2 / (k * k * x.shape[-1])) ** 0.5, (k, k, x.shape[-1], channels)), tf.float32)
        b = tf.constant(rng.normal(0, 0.1, channels), tf.float32)
        pre = tf.nn.bias_add(tf.nn.conv2d(x, w, stride, "SAME"), b, name=f"{name}_pre_relu")
        return tf.nn.relu(pre, name=name if name != drop else f"other_{name}")

    def pool(x):
        return tf.nn.max_pool2d(x, 3, 2, "SAME")

    @tf.function
    def net(image):
        x = conv(image, "conv2d0", 64, k=7, stride=2)
        x = tf.nn.local_response_normalization(pool(x), 4, 1.0, 1e-4, 0.5, name="localresponsenorm0")
        x = conv(conv(x, "conv2d1", 64), "conv2d2", 192, k=3)
        out, x = {}, pool(x)
        for module, (_, channels) in MODULES.items():
            if module in ("mixed4a", "mixed5a"):
                x = pool(x)
            total = channels[0] + channels[2] + channels[4] + channels[5]
            if module == "mixed4d":  # the tutorial's inner node, and a concat like the real modules'
                inner = conv(x, "mixed4d_3x3_bottleneck", channels[1])
                out["mixed4d_3x3_bottleneck_pre_relu"] = inner.op.inputs[0]
                x = tf.raw_ops.Concat(concat_dim=3, values=[conv(x, "mixed4d_rest", total - channels[1]), inner],
                                      name=module if module != drop else "other")
            else:
                x = conv(x, module, total)
            out[module] = x
        return out

    concrete = net.get_concrete_function(tf.TensorSpec((None, None, None, 3), tf.float32, name="input"))
    return net, convert_variables_to_constants_v2(concrete).graph.as_graph_def()


@pytest.fixture(scope="module")
def graph_files(tmp_path_factory):
    """The tiny graph as a .pb and inside a .zip laid out as inception5h.zip, and its function."""
    net, graph_def = tiny_googlenet()
    folder = tmp_path_factory.mktemp("inception5h")
    pb = folder / "tensorflow_inception_graph.pb"
    pb.write_bytes(graph_def.SerializeToString())
    archive = folder / "inception5h.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("imagenet_comp_graph_label_strings.txt", "dummy\n")
        z.write(pb, "tensorflow_inception_graph.pb")
    return net, pb, archive


def test_layer_table_is_the_deepdream_googlenet_offline():
    channels = {layer.name: layer.channels for layer in model_layers("inception_v1")}
    assert channels["mixed4c"] == 512 and channels["mixed4d"] == 528 and channels["mixed4a"] == 508
    assert channels["mixed3a"] == 256 and channels["mixed5b"] == 1024 and channels["conv2d0"] == 64
    assert channels["mixed4d_3x3_bottleneck_pre_relu"] == 144 and "head0_bottleneck_pre_relu" in channels
    # The 59 convolutions of the notebook's graph have 7,548 channels in all.
    convs = [layer for layer in LAYERS if layer.name.endswith("_pre_relu")]
    assert len(convs) == 59 and sum(layer.channels for layer in convs) == 7548
    assert MODELS["inception_v1"].default_layers == {"mixed4c": 1.0}


def test_layers_command_works_offline(run_cli):
    code, out, _ = run_cli("layers", "inception_v1")
    assert code == 0 and "mixed4c" in out and "mixed4d_3x3_bottleneck_pre_relu" in out


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["pb", "zip"])
def test_the_loader_runs_the_graph_itself(graph_files, kind):
    import tensorflow as tf
    net, pb, archive = graph_files
    model = load_model("inception_v1", weights=pb if kind == "pb" else archive)
    rgb = tf.constant(np.random.default_rng(1).uniform(0, 255, (1, 96, 112, 3)), tf.float32)
    names = ["mixed4c", "mixed4d_3x3_bottleneck_pre_relu", "mixed3a"]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(rgb)
        ours = model.features(rgb, names)
        theirs = net(rgb - MEAN)
        ours_value = tf.reduce_mean(tf.square(ours["mixed4c"])) + tf.reduce_mean(ours["mixed4d_3x3_bottleneck_pre_relu"])
        theirs_value = tf.reduce_mean(tf.square(theirs["mixed4c"])) + tf.reduce_mean(theirs["mixed4d_3x3_bottleneck_pre_relu"])
    for name in names:
        np.testing.assert_allclose(ours[name].numpy(), theirs[name].numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tape.gradient(ours_value, rgb).numpy(), tape.gradient(theirs_value, rgb).numpy(),
                               rtol=1e-4, atol=1e-7)
    # One pruned function per layer set: mixed5b, deeper than anything asked, is not computed.
    ops = {op.name for op in model._cut[tuple(names)].graph.get_operations()}
    assert any(op.endswith("/mixed4c") for op in ops) and not any(op.endswith("/mixed5b") for op in ops)


def test_structure_table_names_the_modules_and_the_inner_node():
    assert {"mixed3a", "mixed4c", "mixed4d", "mixed5b", "mixed4d_3x3_bottleneck_pre_relu"} <= set(STRUCTURE)
    assert STRUCTURE["mixed4c"] == 512 and STRUCTURE["mixed4d"] == 528


@pytest.mark.slow
def test_a_render_dreams_with_the_graph(run_cli, write_preset, graph_files, tmp_path):
    preset = write_preset(model="inception_v1", weights=str(graph_files[2]), frames=2, outputs={"gif": {}},
                          dream={"steps": 1, "octaves": 1}, first_frame={})
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "-q")
    assert code == 0, err


@pytest.mark.slow
def test_the_classic_preset_runs_on_a_local_graph(run_cli, graph_files, tmp_path):
    sets = [f"weights={graph_files[2]}", "size=48", "frames=2", "dream.steps=1", "dream.octaves=2", "outputs=[gif]"]
    code, _, err = run_cli("render", PRESETS / "classic_googlenet.yaml", *[a for kv in sets for a in ("--set", kv)],
                           "-o", tmp_path / "classic", "-q")
    assert code == 0, err


@pytest.mark.slow
@pytest.mark.parametrize("problem", ["lacks mixed4c", "corrupt zip", "not a graph"])
def test_another_file_is_one_line(problem, run_cli, write_preset, tmp_path):
    if problem == "lacks mixed4c":
        path = tmp_path / "other.pb"
        path.write_bytes(tiny_googlenet(drop="mixed4c")[1].SerializeToString())
        fragments = ["not the DeepDream GoogLeNet graph", "no node 'mixed4c'"]
    elif problem == "corrupt zip":
        path = tmp_path / "inception5h.zip"
        path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
        fragments = ["not a readable zip file"]
    else:
        path = tmp_path / "notes.pb"
        path.write_bytes(b"these are not the weights you are looking for")
        fragments = ["not a TensorFlow GraphDef"]
    preset = write_preset(model="inception_v1", weights=path.name, dream={"steps": 1, "octaves": 1})
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "-q")
    assert_one_line_error(code, err, path.name, *fragments, "inception5h.zip")
    assert not (tmp_path / "out.frames").exists()


@pytest.mark.slow
def test_offline_first_use_is_one_line(run_cli, write_preset, tmp_path, monkeypatch):
    import keras
    calls = []

    def offline(fname, origin, **kwargs):
        calls.append(origin)
        raise Exception(f"URL fetch failure on {origin}: None -- [Errno -3] Temporary failure in name resolution")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # nothing cached
    monkeypatch.setattr(keras.utils, "get_file", offline)
    code, _, err = run_cli("render", write_preset(model="inception_v1", dream={"steps": 1}), "-o", tmp_path / "o", "-q")
    assert_one_line_error(code, err, "model inception_v1", "could not download its ImageNet weights (offline?)",
                          "efficientnet_lite0, efficientnet_lite1, efficientnet_lite2, vgg16", "weights: PATH")
    assert calls == [MODELS["inception_v1"].keras.weights_url]
    assert calls[0] == "https://storage.googleapis.com/download.tensorflow.org/models/inception5h.zip"
