"""Objectives: each raises its own value, negative weights suppress, channels pick feature maps,
the guide pulls toward its features, max_loss stops early, octave_range keeps the size,
weights never retrace; and their preset keys fail with one line when wrong."""
import numpy as np
import pytest
import tensorflow as tf

from dreamanim.preset import DreamSettings
from dreamanim.engine.dreamer import Dreamer, octave_sizes
from dreamanim.engine.models import load_model, model_entry
from dreamanim.engine.tensorflow.objectives import guide_features
from dreamanim.source.pixels import load_image
from dreamanim.source.noise import noise

from conftest import PRESETS, SAMPLE, assert_one_line_error

pytestmark = pytest.mark.slow

GUIDE = PRESETS / "coffee.jpg"
LAYER = "block9_add"


@pytest.fixture(scope="module")
def lite0():
    entry = model_entry("efficientnet_lite0")
    return Dreamer(load_model("efficientnet_lite0"), entry.default_layers, entry.default_step)


@pytest.fixture(scope="module")
def cat64():
    return load_image(SAMPLE, 64)


def features(dreamer, frame, layer=LAYER):
    return dreamer.net.features(tf.constant(frame[None], tf.float32), [layer])[layer].numpy()


@pytest.mark.parametrize("objective", [
    {"reduce": "mean"}, {"reduce": "meansq"}, {"reduce": "l2"},
    {"reduce": "meansq", "border": 2, "layers": {"block4_add": 1.0}},
    {"channels": {LAYER: [3, 40]}, "layers": {LAYER: 1.0}},
    {"guide": str(GUIDE)},
], ids=["mean", "meansq", "l2", "border", "channels", "guide"])
def test_every_objective_raises_its_own_value(lite0, cat64, objective):
    settings = DreamSettings(steps=10, octaves=1, **objective)
    before = lite0.objective(cat64, settings)
    after = lite0.objective(lite0.dream(cat64, settings, np.random.default_rng(0)), settings)
    assert after > before + 0.08 * abs(before), (before, after)  # l2, the slowest riser, gains ~15-20%


def test_border_leaves_the_edge_activations_out_of_the_objective(lite0, cat64):
    acts = features(lite0, cat64, "block4_add")  # 8x8 at 64 px
    settings = DreamSettings(layers={"block4_add": 1.0}, border=2)
    assert lite0.objective(cat64, settings) == pytest.approx(np.mean(acts[:, 2:-2, 2:-2] ** 2), rel=1e-5)
    # A tiny map keeps at least its centre: never an empty (NaN) objective.
    assert np.isfinite(lite0.objective(cat64, DreamSettings(layers={"block4_add": 1.0}, border=50)))


def test_a_negative_weight_lowers_that_layers_activation(lite0, cat64):
    measure = DreamSettings(layers={LAYER: 1.0})
    dreamed = lite0.dream(cat64, DreamSettings(layers={LAYER: -1.0}, steps=6, octaves=1), np.random.default_rng(0))
    before, after = lite0.objective(cat64, measure), lite0.objective(dreamed, measure)
    assert after < 0.8 * before, (before, after)


def test_channels_objective_is_only_the_selected_channels(lite0, cat64):
    picked = [3, 40]
    settings = DreamSettings(layers={LAYER: 1.0}, channels={LAYER: picked}, steps=6, octaves=1)
    acts = features(lite0, cat64)
    assert lite0.objective(cat64, settings) == pytest.approx(np.mean(acts[..., picked] ** 2), rel=1e-5)

    # Dreaming on them grows the picked feature maps far more than the others.
    dreamed = features(lite0, lite0.dream(cat64, settings, np.random.default_rng(0)))
    growth = np.mean(dreamed ** 2, axis=(0, 1, 2)) / np.mean(acts ** 2, axis=(0, 1, 2))
    others = np.delete(growth, picked)
    assert growth[picked].min() > 2 * np.median(others), (growth[picked], np.median(others))


def cosine_match(dreamer, frame, guide):
    """Mean over positions of the best cosine similarity with any guide feature."""
    x = features(dreamer, frame).reshape(-1, guide.shape[1])
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    g = guide / np.linalg.norm(guide, axis=1, keepdims=True)
    return float((x @ g.T).max(axis=1).mean())


def test_the_guide_makes_the_dream_resemble_the_guides_features(lite0, cat64):
    guide = guide_features(tf.constant(features(lite0, load_image(GUIDE, 64)))).numpy()
    layers = {LAYER: 1.0}
    guided = lite0.dream(cat64, DreamSettings(layers=layers, guide=str(GUIDE), steps=10, octaves=1),
                         np.random.default_rng(0))
    plain = lite0.dream(cat64, DreamSettings(layers=layers, steps=10, octaves=1), np.random.default_rng(0))
    before = cosine_match(lite0, cat64, guide)  # ~0.44; guided ~0.51-0.60, plain ~0.42-0.43
    # Not just bigger activations: the guided dream points them at the guide's, the plain one does not.
    assert cosine_match(lite0, guided, guide) > before + 0.04
    assert cosine_match(lite0, guided, guide) > cosine_match(lite0, plain, guide) + 0.04


def test_max_loss_stops_each_octave_early(lite0, cat64):
    seen = []
    settings = DreamSettings(steps=5, octaves=2, octave_scale=1.3, max_loss=-1e9)  # passed at once: 1 step/octave
    out = lite0.dream(cat64, settings, np.random.default_rng(0), on_step=seen.append)
    assert len(seen) == 2 and not np.array_equal(out, cat64)
    seen.clear()
    lite0.dream(cat64, settings.model_copy(update={"max_loss": 1e9}), np.random.default_rng(0), on_step=seen.append)
    assert len(seen) == 10


@pytest.mark.parametrize("shape", [(64, 64), (47, 71)])
def test_octave_range_keeps_the_frame_size(lite0, shape):
    frame = np.random.default_rng(0).uniform(0, 255, shape + (3,)).astype(np.float32)
    settings = DreamSettings(steps=1, octave_range=(-1, 1), octave_scale=1.3)
    out = lite0.dream(frame, settings, np.random.default_rng(0))
    assert out.shape == frame.shape and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 255 and not np.array_equal(out, frame)
    assert lite0.steps_for(shape, settings) == 3


def test_octave_range_dreams_below_and_above_the_frame_size():
    assert octave_sizes(100, 200, 3, 2.0, octave_range=(-1, 1)) == [(50, 100), (100, 200), (200, 400)]
    assert octave_sizes(64, 64, 3, 2.0, octave_range=(-3, -1)) == [(32, 32)]  # 8 and 16 px are skipped
    assert octave_sizes(64, 64, 3, 1.4) == octave_sizes(64, 64, 1, 1.4, octave_range=(-2, 0))


def test_changing_layer_weights_does_not_retrace(lite0, cat64):
    d = Dreamer(lite0.net, lite0.default_layers, lite0.default_step)
    frame = np.pad(np.ascontiguousarray(cat64[:, :48]), ((0, 5), (0, 0), (0, 0)), mode="edge")  # 48x48
    for t, w in enumerate([1.0, 0.5, 0.0]):  # a crossfade from block9_add to block10_add
        frame = d.dream(frame, DreamSettings(layers={"block9_add": w, "block10_add": 1 - w}, steps=1, octaves=2),
                        np.random.default_rng(t))
    assert d.traces == 2  # one per octave size (34 and 48 px), not one per frame


def test_noise_kinds_are_seeded_and_shaped():
    classic = (100.0 + np.random.default_rng([3, 0x5EED]).uniform(0, 32, (40, 40, 3))).astype(np.float32)
    np.testing.assert_array_equal(noise(40, 3), classic)  # the defaults keep `input: noise` as it was
    for kind in ("uniform", "gaussian", "plasma"):
        a = noise(40, 3, kind=kind)
        assert a.shape == (40, 40, 3) and a.dtype == np.float32 and 0 <= a.min() and a.max() <= 255
        np.testing.assert_array_equal(a, noise(40, 3, kind=kind))
        assert not np.array_equal(a, noise(40, 4, kind=kind))
    grey = noise(40, 3, kind="plasma", color=False)
    assert np.array_equal(grey[..., 0], grey[..., 2])
    roughness = {k: np.abs(np.diff(noise(64, 0, kind=k, amount=20), axis=1)).mean() / noise(64, 0, kind=k, amount=20).std()
                 for k in ("uniform", "plasma")}
    assert roughness["plasma"] < 0.3 * roughness["uniform"], roughness  # smooth clouds, not grain


@pytest.mark.parametrize("dream, fragments", [
    ({"layers": {LAYER: 1.0}, "channels": {LAYER: [3, 112]}}, ["dream.channels.block9_add", "112 channels"]),
    ({"layers": {LAYER: 1.0}, "channels": {"block10_add": [1]}}, ["dream.channels.block10_add", "not among the layers"]),
    ({"guide": "no_such_guide.jpg"}, ["dream.guide", "guide image not found"]),
    ({"octaves": 2, "octave_range": [-2, 1]}, ["dream", "not both"]),
    ({"octave_range": [1, -1]}, ["dream.octave_range", "lo <= hi"]),
    ({"reduce": "max"}, ["dream.reduce"]),
])
def test_bad_objective_keys_fail_with_one_line(write_preset, run_cli, tmp_path, dream, fragments):
    code, _, err = run_cli("render", write_preset(dream=dream), "-o", tmp_path / "out", "--quiet")
    assert_one_line_error(code, err, *fragments)
    assert not (tmp_path / "out.frames").exists()


def test_noise_and_objective_keys_render(write_preset, run_cli, tmp_path):
    preset = write_preset(input="noise", noise={"kind": "plasma", "amount": 40}, size=40, frames=2,
                          outputs={"gif": {}},
                          dream={"layers": {LAYER: 1.0, "block10_add": -0.5}, "reduce": "l2", "border": 1,
                                 "channels": {LAYER: [1, 2]}, "guide": str(GUIDE), "max_loss": 1e6,
                                 "steps": 1, "octave_range": [-1, 1]},
                          first_frame={"octaves": 1})
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "--quiet")
    assert code == 0, err
    assert len(list((tmp_path / "out.frames").glob("frame_*.png"))) == 2
