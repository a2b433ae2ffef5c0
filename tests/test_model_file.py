"""A user's own Keras model: `model: my.keras` relative to the preset, layers from the file, pixels as `preprocess:` says."""
import numpy as np
import pytest

from conftest import assert_one_line_error


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    """A small classifier saved as .keras: a fixed 32x32 input (as a fine-tuned file has), a nested
    convolutional base, a layer of its own after it, and a dense head."""
    import keras
    rng = np.random.default_rng(0)
    base_in = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="stem")(base_in)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="features")(x)
    base = keras.Model(base_in, x, name="base")
    image = keras.Input((32, 32, 3))
    y = keras.layers.Conv2D(12, 1, activation="relu", name="mine")(base(image))
    y = keras.layers.Dense(4)(keras.layers.GlobalAveragePooling2D()(y))
    model = keras.Model(image, y)
    model.set_weights([rng.normal(0, 0.3, tuple(v.shape)).astype(np.float32) for v in model.weights])
    path = tmp_path_factory.mktemp("mine") / "artworks.keras"
    model.save(path)
    return path, model


def test_layers_come_from_the_file_nested_ones_too(classifier):
    from dreamanim.engine.models import model_entry, model_layers
    path, _ = classifier
    layers = {layer.name: (layer.channels, layer.stride) for layer in model_layers(str(path))}
    assert layers == {"base/stem": (8, 1), "base/pool": (8, 2), "base/features": (16, 2), "mine": (12, 2)}
    assert set(model_entry(str(path)).default_layers) <= set(layers)


@pytest.mark.slow
def test_a_model_file_dreams_at_any_size(classifier, write_preset, run_cli, tmp_path):
    import shutil

    import tensorflow as tf
    from dreamanim.preset import DreamSettings
    from dreamanim.engine.dreamer import dreamer_for
    from dreamanim.engine.models.model_file import declare
    path, model = classifier
    shutil.copy(path, tmp_path / "artworks.keras")
    preset = write_preset(model="artworks.keras", preprocess="tf", frames=2, outputs={"gif": {}},
                          dream={"steps": 2, "octaves": 2, "layers": {"base/features": 1.0, "mine": 0.5}},
                          first_frame={})
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "-q")
    assert code == 0, err
    assert len(list((tmp_path / "out.frames").glob("frame_*.png"))) == 2
    # The file's own weights, on an image of another size than the file's 32x32.
    declare(str(path), {"mean": [127.5] * 3, "std": [127.5] * 3})  # the same scaling as tf
    dreamer = dreamer_for(str(path))
    square = np.random.default_rng(1).uniform(0, 255, (1, 32, 32, 3)).astype(np.float32)
    ours = dreamer.net.features(tf.constant(square), ["base/features"])["base/features"]
    want = model.get_layer("base")(tf.constant(square) / 127.5 - 1.0)
    np.testing.assert_allclose(ours.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    frame = np.random.default_rng(2).uniform(0, 255, (40, 56, 3)).astype(np.float32)  # not the file's 32x32
    settings = DreamSettings(steps=3, octaves=1, layers={"mine": 1.0})
    dreamed = dreamer.dream(frame, settings, np.random.default_rng(0))
    assert dreamer.objective(dreamed, settings) > dreamer.objective(frame, settings)


def test_without_preprocess_is_one_line_saying_why(classifier, write_preset, run_cli, tmp_path):
    import shutil
    shutil.copy(classifier[0], tmp_path / "artworks.keras")
    code, _, err = run_cli("render", write_preset(model="artworks.keras"), "-o", tmp_path / "out")
    assert_one_line_error(code, err, "preprocess", "artworks.keras", "cannot be guessed", "caffe | torch | tf | none")
    assert not (tmp_path / "out.frames").exists()


@pytest.mark.parametrize("changes, fragments", [
    ({"preprocess": "tf"}, ["preprocess", "efficientnet_lite0 scales its pixels itself", "model file"]),
    ({"model": "gone.keras", "preprocess": "caffe"}, ["gone.keras", "model file not found"]),
    ({"model": "x.keras", "preprocess": {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}},
     ["preprocess", "0..1 values", "multiply them by 255"]),
    ({"model": "x.keras", "preprocess": "imagenet"}, ["preprocess", "caffe"]),
])
def test_bad_model_file_settings_are_one_line(changes, fragments, write_preset, run_cli, tmp_path):
    code, _, err = run_cli("render", write_preset(**changes), "-o", tmp_path / "out")
    assert_one_line_error(code, err, *fragments)


def test_a_file_that_is_no_model_is_one_line(write_preset, run_cli, tmp_path):
    (tmp_path / "notes.h5").write_bytes(b"not HDF5 at all")
    code, _, err = run_cli("render", write_preset(model="notes.h5", preprocess="none"), "-o", tmp_path / "out")
    assert_one_line_error(code, err, "notes.h5", "cannot load it as a Keras model")


@pytest.mark.slow
def test_weights_of_the_same_network_replace_the_files_own(classifier, tmp_path):
    import keras
    import tensorflow as tf
    from dreamanim.engine.models import load_model
    from dreamanim.engine.models.model_file import declare
    path, model = classifier
    other = keras.models.clone_model(model)  # the same network, other (random) weights
    other.save_weights(tmp_path / "other.weights.h5")
    declare(str(path), "none")
    square = tf.constant(np.random.default_rng(3).uniform(0, 255, (1, 32, 32, 3)), tf.float32)
    theirs = load_model(str(path), weights=tmp_path / "other.weights.h5").features(square, ["mine"])["mine"]
    own = load_model(str(path)).features(square, ["mine"])["mine"]  # the file's own, untouched
    want = keras.Model(other.inputs, other.get_layer("mine").output)(square)
    np.testing.assert_allclose(theirs.numpy(), want.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(own.numpy(), keras.Model(model.inputs, model.get_layer("mine").output)(square).numpy(),
                               rtol=1e-5, atol=1e-5)
