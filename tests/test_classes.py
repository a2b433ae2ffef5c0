"""Classes and total variation as objective terms: names offline with a did-you-mean, keyframable
weights fed at run time, a class raises its own probability, tv smooths; bad values are one line."""
import numpy as np
import pytest

from conftest import SAMPLE, assert_one_line_error
from dreamanim.engine.models import classes
from dreamanim.engine.objective_spec import ObjectiveSpec
from dreamanim.preset import load_preset
from dreamanim.preset.schema import DreamSettings

LITE0_DEFAULTS = {"block9_add": 1.0, "block10_add": 0.5}


def test_names_offline_numbers_and_did_you_mean():
    assert len(classes.names()) == len(set(classes.names())) == 1000
    assert classes.class_number("goldfinch") == 11 and classes.class_number("Great_White-Shark") == 2
    assert classes.class_number("pagoda") == classes.class_number("stupa") == 832
    assert classes.class_number(281) == classes.class_number("281") == 281
    with pytest.raises(ValueError, match="did you mean 'pagoda'"):
        classes.class_number("pagodda")
    with pytest.raises(ValueError, match="134 .crane bird. or 517 .construction crane."):
        classes.class_number("crane")
    with pytest.raises(ValueError, match="0..999"):
        classes.class_number(1000)
    assert [n for n, _ in classes.search("finch")][:3] == [11, 12, 14]  # goldfinch, house finch, indigo finch


def test_spec_and_weights_layers_then_classes_then_tv():
    plain = DreamSettings()
    assert ObjectiveSpec.of(plain, LITE0_DEFAULTS) == ObjectiveSpec(("block9_add", "block10_add"))  # graph as before
    both = DreamSettings(layers={"block9_add": 1.0}, classes={"jellyfish": 2.0, "11": 0.5}, tv=0.1)
    spec = ObjectiveSpec.of(both, LITE0_DEFAULTS)
    assert (spec.layers, spec.classes, spec.tv, spec.terms) == (("block9_add",), (107, 11), True, 4)
    assert ObjectiveSpec.weights(both, LITE0_DEFAULTS) == [1.0, 2.0, 0.5, 0.1]
    only = DreamSettings(classes=["volcano"])  # classes alone: no default layers mixed in
    assert ObjectiveSpec.of(only, LITE0_DEFAULTS).layers == () and ObjectiveSpec.weights(only, {}) == [1.0]


def test_keyframed_class_weights_are_schedules(write_preset):
    path = write_preset(dream={"steps": 1, "classes": {"jellyfish": {0: 1.0, 2: 0.0}, "volcano": {0: 0.0, 2: 1.0}},
                               "tv": {0: 0.0, 2: 0.2}}, frames=3)
    preset = load_preset(path)
    assert preset.dream_for(1).classes == {"jellyfish": 0.5, "volcano": 0.5} and preset.dream_for(2).tv == 0.2
    specs = {ObjectiveSpec.of(preset.dream_for(t), LITE0_DEFAULTS) for t in (1, 2)}
    assert len(specs) == 1  # one trace key: the weights change, not the graph


def _probabilities(net, image):
    import tensorflow as tf
    from dreamanim.engine.tensorflow.efficientnet_lite0 import classify
    return tf.nn.softmax(classify(net, image[None].astype(np.float32))).numpy()[0]


@pytest.mark.slow
def test_a_class_raises_its_own_probability_not_another():
    from dreamanim.engine.dreamer import dreamer_for
    dreamer = dreamer_for("efficientnet_lite0", "float32")
    image = np.random.default_rng(0).uniform(96, 160, (96, 96, 3)).astype(np.float32)
    target = classes.class_number("jellyfish")
    other = int(np.random.default_rng(21).choice([i for i in range(1000) if i != target]))
    before = _probabilities(dreamer.net, image)
    traces = dreamer.traces
    dreamed = dreamer.dream(image, DreamSettings(classes=["jellyfish"], steps=20, octaves=1, step_size=0.02),
                            np.random.default_rng(0))
    after = _probabilities(dreamer.net, dreamed)
    assert target in np.argsort(-after)[:5] and after[target] > 50 * before[target]
    assert other not in np.argsort(-after)[:5] and after[other] / before[other] < after[target] / before[target] / 10
    # another weight for the same class: the same compiled step
    dreamer.dream(image, DreamSettings(classes={"jellyfish": 0.3}, steps=2, octaves=1, step_size=0.02),
                  np.random.default_rng(0))
    assert dreamer.traces == traces + 1


@pytest.mark.slow
def test_tv_lowers_the_total_variation_at_equal_steps():
    from PIL import Image
    from dreamanim.engine.dreamer import dreamer_for
    dreamer = dreamer_for("efficientnet_lite0", "float32")
    image = np.asarray(Image.open(SAMPLE).convert("RGB").resize((96, 72)), np.float32)

    def tv(x):
        return np.abs(np.diff(x, axis=0)).mean() + np.abs(np.diff(x, axis=1)).mean()

    made = {w: tv(dreamer.dream(image, DreamSettings(steps=6, octaves=2, tv=w), np.random.default_rng(0)))
            for w in (None, 0.05, 0.25)}
    assert made[0.25] < made[0.05] < made[None] * 0.97


@pytest.mark.slow
def test_classes_combine_with_layers_in_a_render(run_cli, write_preset, tmp_path):
    path = write_preset(dream={"steps": 1, "octaves": 1, "layers": {"block9_add": 1.0},
                               "classes": {"jellyfish": {0: 1.0, 2: 0.2}}, "tv": 0.05}, frames=3)
    code, _, err = run_cli("render", path, "-o", tmp_path / "out", "-q")
    assert code == 0, err
    assert len(list((tmp_path / "out.frames").glob("frame_*.png"))) == 3


@pytest.mark.parametrize("dream, model, fragments", [
    ({"classes": ["pagodda"]}, None, ["dream.classes.pagodda", "unknown ImageNet class 'pagodda'",
                                      "did you mean 'pagoda'?", "dreamanim classes WORD"]),
    ({"classes": ["crane"]}, None, ["dream.classes.crane", "134 (crane bird) or 517 (construction crane)"]),
    ({"classes": {1000: 1.0}}, None, ["dream.classes.1000", "is not an ImageNet class (0..999)"]),
    ({"classes": ["goldfinch"]}, "vgg16", ["dream.classes", "vgg16 has no classifier head", "efficientnet_lite0"]),
    ({"classes": []}, None, ["dream.classes"]),
    ({"tv": -1}, None, ["dream.tv", "greater than or equal to 0"]),
    ({"tv": "lots"}, None, ["dream.tv"]),
])
def test_bad_values_are_one_line(run_cli, write_preset, tmp_path, dream, model, fragments):
    data = {"dream": {"steps": 1, **dream}}
    if model:
        data["model"] = model
    code, _, err = run_cli("render", write_preset(**data), "-o", tmp_path / "bad", "-q")
    assert_one_line_error(code, err, *fragments)
    assert not (tmp_path / "bad.frames").exists()


def test_classes_command_lists_and_searches(run_cli):
    code, out, _ = run_cli("classes")
    assert code == 0 and len(out.splitlines()) == 1000 and out.splitlines()[11].split()[:2] == ["11", "goldfinch"]
    code, out, _ = run_cli("classes", "pagoda")
    assert code == 0 and out.split() == ["832", "stupa", "|", "tope", "|", "pagoda"]
    code, _, err = run_cli("classes", "zzzq")
    assert_one_line_error(code, err, "classes: no ImageNet class name contains 'zzzq'")
