"""Every keras.applications network with ImageNet weights is a model, derived from the installed Keras:
listed without TensorFlow, its layers listed offline, its own preprocess_input, its weights
downloaded by Keras (never here). DREAMANIM_ALL_MODELS=1 lists the layers of every one (~1 min)."""
import os

import numpy as np
import pytest

from dreamanim.engine.models import MODELS, model_entry, model_layers
from dreamanim.engine.models.keras_catalogue import FAMILY_LAYERS, model_name
from dreamanim.engine.models.keras_catalogue_data import EXCLUDED, NETWORKS
from dreamanim.engine.models.zoo import ENTRIES

from conftest import assert_one_line_error

CATALOGUED = {row[0]: row for row in NETWORKS}
HAND = {e.keras.application: e.name for e in ENTRIES if e.keras and e.keras.application}


def name_of(application: str) -> str:
    """The model name a Keras constructor goes by: the hand entry's, or the catalogue's."""
    if application in HAND:
        return HAND[application]
    name = model_name(application)
    mine = MODELS.get(name)
    return name if mine and mine.keras and mine.keras.application == application else f"{name}_keras"


def smallest_per_family() -> list[str]:
    best = {}
    for application, family, *_, in NETWORKS:
        mb = CATALOGUED[application][4]
        if family not in best or mb < CATALOGUED[best[family]][4]:
            best[family] = application
    return sorted(best.values())


def test_the_catalogue_is_every_imagenet_constructor_of_the_installed_keras():
    from dreamanim.engine.tensorflow.keras_catalogue_build import imagenet_constructors
    found = imagenet_constructors()
    assert sorted(list(CATALOGUED) + list(EXCLUDED)) == sorted(found), \
        "Keras changed: python -m dreamanim.engine.tensorflow.keras_catalogue_build"
    assert len(found) >= 38 and {"ResNet50", "VGG19", "Xception", "MobileNetV2", "DenseNet121", "EfficientNetB0",
                                 "EfficientNetV2S", "ConvNeXtTiny"} <= set(CATALOGUED)
    for application, family in found.items():
        if application in EXCLUDED:
            continue
        entry = model_entry(name_of(application))
        assert entry.keras.application == application and not entry.offline
        assert family in FAMILY_LAYERS  # a pattern of its own, not the fallback
    assert set(EXCLUDED) == {"NASNetLarge", "NASNetMobile"}  # built for one input size only
    assert MODELS["vgg16"].builder.endswith("vgg16") and MODELS["vgg16_keras"].keras.application == "VGG16"
    assert model_name("ResNet50V2") == "resnet50_v2" and model_name("EfficientNetV2B0") == "efficientnet_v2_b0"


def test_each_takes_its_own_familys_preprocess_input():
    import keras
    for application, family, *_ in NETWORKS:
        entry = model_entry(name_of(application))
        if application in HAND:
            continue  # inception_v3 / inception_resnet_v2: imagenet_utils' tf mode, the same function
        assert entry.keras.preprocess == family
        assert callable(getattr(keras.applications, family).preprocess_input)


@pytest.mark.slow
@pytest.mark.parametrize("application", sorted(CATALOGUED) if os.environ.get("DREAMANIM_ALL_MODELS") == "1"
                         else smallest_per_family())
def test_layers_are_listed_offline(application, monkeypatch):
    import keras
    monkeypatch.setattr(keras.utils, "get_file", lambda *a, **k: pytest.fail("listing layers downloads nothing"))
    name = name_of(application)
    layers = model_layers(name)
    names, strides = [layer.name for layer in layers], [layer.stride for layer in layers]
    entry = model_entry(name)
    assert set(entry.default_layers) <= set(names) and set(entry.gallery_layers) <= set(names)
    assert strides == sorted(strides) and len(names) >= 8, names  # network order, block outputs
    assert all(layer.channels > 0 for layer in layers)


@pytest.mark.slow
def test_the_weights_file_is_the_one_keras_downloads():
    from dreamanim.engine.tensorflow.keras_catalogue_build import weights_download
    url, file_hash = weights_download("MobileNetV3Small")
    row = CATALOGUED["MobileNetV3Small"]
    assert (url, file_hash) == (row[2], row[3]) and url.endswith("_no_top_v2.h5")


@pytest.mark.slow
def test_a_catalogued_network_dreams_with_local_weights(write_preset, run_cli, tmp_path, monkeypatch):
    import keras
    monkeypatch.setattr(keras.utils, "get_file", lambda *a, **k: pytest.fail("a local file needs no download"))
    net = keras.applications.MobileNetV3Small(weights=None, include_top=False, input_shape=(None, None, 3))
    net.save_weights(tmp_path / "mine.weights.h5")
    preset = write_preset(model="mobilenet_v3_small", weights="mine.weights.h5", frames=2, outputs={"gif": {}},
                          dream={"steps": 1, "octaves": 1}, first_frame={})
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "-q")
    assert code == 0, err


@pytest.mark.slow
def test_offline_first_use_is_one_line(write_preset, run_cli, tmp_path, monkeypatch):
    import keras
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))

    def offline(fname, origin, **kwargs):
        raise Exception(f"URL fetch failure on {origin}: None -- [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    code, _, err = run_cli("render", write_preset(model="mobilenet_v2", dream={"steps": 1}), "-o", tmp_path / "o", "-q")
    assert_one_line_error(code, err, "model mobilenet_v2", "could not download its ImageNet weights (offline?)",
                          CATALOGUED["MobileNetV2"][2])


def test_sizes_are_the_float32_parameters():
    assert 80 <= CATALOGUED["ResNet50"][4] <= 100 and CATALOGUED["MobileNetV3Small"][4] < 10
    assert all(np.isfinite(row[4]) and row[4] > 0 for row in NETWORKS)
