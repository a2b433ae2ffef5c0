"""`precision`: bfloat16 dreams what float32 dreams (the same gradient, up to rounding), and `auto`
picks it only for a model that gains from it on a CPU that has it."""
import numpy as np
import pytest

from dreamanim.preset import DreamSettings
from dreamanim.engine.models import load_model, model_precision, precision


def test_auto_asks_the_model_and_the_machine(monkeypatch):
    monkeypatch.setattr(precision, "cpu_has_native_bfloat16", lambda: True)
    assert model_precision("vgg16", "auto") == "bfloat16"
    assert model_precision("efficientnet_lite0", "auto") == "float32"  # depthwise: slower in bf16
    monkeypatch.setattr(precision, "cpu_has_native_bfloat16", lambda: False)
    assert model_precision("vgg16", "auto") == "float32"
    assert model_precision("efficientnet_lite0", "bfloat16") == "bfloat16"  # asked for: given


def test_oneDNN_off_means_no_native_bfloat16(monkeypatch):
    precision.cpu_has_native_bfloat16.cache_clear()
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    try:
        assert not precision.cpu_has_native_bfloat16()
    finally:
        precision.cpu_has_native_bfloat16.cache_clear()


@pytest.mark.slow
@pytest.mark.parametrize("model", ["vgg16", "efficientnet_lite0"])
def test_bfloat16_gradient_points_where_float32_does(model):
    from dreamanim.engine.dreamer import Dreamer
    from dreamanim.engine.models import model_entry
    frame = np.random.default_rng(0).uniform(0, 255, (48, 48, 3)).astype(np.float32)
    settings = DreamSettings()
    grads = {}
    for dtype in ("float32", "bfloat16"):
        net = load_model(model, dtype)
        assert net.dtype == dtype
        grads[dtype] = Dreamer(net, model_entry(model).default_layers, 0.01).tiled_gradient(frame, settings).ravel()
    a, b = grads["float32"], grads["bfloat16"]
    assert np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)) > 0.95  # cosine; 0.96-0.99 here
