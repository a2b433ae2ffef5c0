"""Automatic channels: `channels: {layer: {strongest | weakest | random: N}}` chooses on the frame it
dreams (the layer's output there, as computed here independently), per octave when asked, random
with the seed; a new choice never retraces; the sidecar records the choice and renders the same
frames again, also after --resume; every bad value is one line before TensorFlow where it can be."""
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import yaml
from PIL import Image

from conftest import SAMPLE, TINY, Interrupt, assert_one_line_error
from dreamanim.engine.dreamer import Dreamer, octave_sizes
from dreamanim.engine.models import load_model, model_entry
from dreamanim.engine.objective_spec import ObjectiveSpec
from dreamanim.preset import DreamSettings, load_preset
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan
from dreamanim.rendering.sidecar import read_channels
from dreamanim.source.pixels import load_image

pytestmark = pytest.mark.slow
LAYER = "block9_add"  # 112 channels


@pytest.fixture(scope="module")
def lite0():
    entry = model_entry("efficientnet_lite0")
    return Dreamer(load_model("efficientnet_lite0"), entry.default_layers, entry.default_step)


@pytest.fixture(scope="module")
def cat():
    return load_image(SAMPLE, 64)


def activation(dreamer, frame):
    """The layer's output on the frame, straight from the network (no dream code)."""
    return dreamer.net.features(tf.constant(frame[None], tf.float32), [LAYER])[LAYER].numpy()[0]


def auto(rule, **more):
    return DreamSettings(**{"layers": {LAYER: 1.0}, "channels": {LAYER: rule}, "steps": 1, "octaves": 1, **more})


@pytest.mark.parametrize("mode, reduce", [("strongest", "meansq"), ("weakest", "meansq"),
                                          ("strongest", "mean"), ("weakest", "l2")])
def test_strongest_and_weakest_rank_the_layers_output_on_the_frame(lite0, cat, mode, reduce):
    lite0.dream(cat, auto({mode: 8}, reduce=reduce), np.random.default_rng(0))
    a = activation(lite0, cat)
    strength = a.mean(axis=(0, 1)) if reduce == "mean" else (a ** 2).mean(axis=(0, 1))
    order = np.argsort(strength)
    expected = sorted((order[-8:] if mode == "strongest" else order[:8]).tolist())
    assert lite0.chosen[LAYER].channels == expected
    others = np.delete(strength, expected)
    chosen = strength[expected]
    assert (chosen.min() >= others.max()) if mode == "strongest" else (chosen.max() <= others.min())


def test_per_octave_chooses_again_on_each_octaves_image(lite0):
    frame = load_image(SAMPLE, 96)
    settings = DreamSettings(layers={LAYER: 1.0}, channels={LAYER: {"strongest": 6, "per_octave": True}},
                             steps=3, octaves=2)
    lite0.dream(frame, settings, np.random.default_rng(0))
    sizes = octave_sizes(*frame.shape[:2], 2, 1.4)
    per_octave = lite0.chosen[LAYER].channels
    assert len(per_octave) == len(sizes) == 2 and all(len(p) == 6 for p in per_octave)
    first = tf.image.resize(frame, sizes[0], method="bilinear", antialias=True).numpy()  # the first octave's image
    assert per_octave[0] == sorted(np.argsort(-(activation(lite0, first) ** 2).mean(axis=(0, 1)))[:6].tolist())
    once = DreamSettings(layers={LAYER: 1.0}, channels={LAYER: {"strongest": 6}}, steps=3, octaves=2)
    lite0.dream(frame, once, np.random.default_rng(0))
    assert lite0.chosen[LAYER].channels == per_octave[0]  # without per_octave: the first octave's, kept


def test_random_is_drawn_with_the_seed(lite0, cat):
    def draw(seed):
        lite0.dream(cat, auto({"random": 10, "seed": seed}), np.random.default_rng(0))
        return lite0.chosen[LAYER].channels
    a, b, c = draw(3), draw(3), draw(4)
    assert a == b != c and len(set(a)) == 10 and all(0 <= x < 112 for x in a)


def test_a_new_choice_never_retraces_the_step(cat):
    entry = model_entry("efficientnet_lite0")
    dreamer = Dreamer(load_model("efficientnet_lite0"), entry.default_layers, entry.default_step)
    frame = load_image(SAMPLE, 96)
    settings = DreamSettings(layers={LAYER: 1.0}, channels={LAYER: {"strongest": 5, "per_octave": True}},
                             steps=2, octaves=2)
    choices = []
    for shift in (0, 30, 60):  # three different frames
        dreamer.dream(np.roll(frame, shift, axis=1), settings, np.random.default_rng(shift))
        choices += dreamer.chosen[LAYER].channels
    assert len({tuple(c) for c in choices}) > 1  # the choice changed between frames or octaves ...
    assert dreamer.traces == len(octave_sizes(*frame.shape[:2], 2, 1.4)) == 2  # ... and the step did not
    assert dreamer.probes == 2
    # Another count is another graph (a count shapes it); the explicit form is untouched by all this.
    assert ObjectiveSpec.of(DreamSettings(channels={LAYER: [3, 17]}), {}).picks == 0


def test_a_recorded_choice_is_dreamed_as_the_same_channels_listed(lite0, cat):
    """Pinned automatic channels and the explicit list dream the very same pixels."""
    listed = lite0.dream(cat, auto([3, 17, 40], steps=2), np.random.default_rng(0))
    pinned = lite0.dream(cat, auto({"strongest": 3, "chosen": {0: [40, 3, 17]}}, steps=2), np.random.default_rng(0))
    np.testing.assert_array_equal(listed, pinned)
    assert lite0.chosen[LAYER].channels == [3, 17, 40]


def _preset_file(folder, rule, **changes):
    data = {**TINY, "size": 64, "frames": 3, "outputs": {"gif": {"fps": 10}},
            "dream": {"steps": 2, "octaves": 2, "layers": {LAYER: 1.0}, "channels": {LAYER: rule}}, **changes}
    path = folder / "auto.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def frames_of(folder):
    return [np.asarray(Image.open(p)) for p in sorted(folder.glob("frame_*.png"))]


def test_the_sidecar_records_the_choice_and_renders_the_same_frames(tmp_path):
    preset = load_preset(_preset_file(tmp_path, {"strongest": 4}))
    first = render(Plan(preset), tmp_path / "a")
    sidecar = yaml.safe_load((tmp_path / "a.preset.yaml").read_text())
    chosen = sidecar["dream"]["channels"][LAYER]["chosen"]
    assert sorted(chosen) == [0, 1, 2] and all(len(c) == 4 for c in chosen.values())
    assert chosen == {t: v[LAYER]["channels"] for t, v in read_channels(first.frames_folder).items()}
    (tmp_path / "again.yaml").write_text((tmp_path / "a.preset.yaml").read_text())
    again = render(Plan(load_preset(tmp_path / "again.yaml")), tmp_path / "b")
    a, b = frames_of(first.frames_folder), frames_of(again.frames_folder)
    assert len(a) == 3 and all(np.array_equal(x, y) for x, y in zip(a, b))
    # The record is what a render of the sidecar dreams: another channel on frame 2 makes another frame 2.
    edited = yaml.safe_load((tmp_path / "a.preset.yaml").read_text())
    edited["dream"]["channels"][LAYER]["chosen"][2] = [0, 1, 2, 3]
    (tmp_path / "edited.yaml").write_text(yaml.safe_dump(edited))
    c = frames_of(render(Plan(load_preset(tmp_path / "edited.yaml")), tmp_path / "c").frames_folder)
    assert np.array_equal(a[1], c[1]) and not np.array_equal(a[2], c[2])


def test_random_without_a_seed_draws_the_renders_and_resume_keeps_the_record(tmp_path):
    preset = load_preset(_preset_file(tmp_path, {"random": 5, "per_octave": True}, size=80))
    with pytest.raises(KeyboardInterrupt):
        render(Plan(preset), tmp_path / "cut", progress=Interrupt(after=2))
    result = render(Plan(preset), tmp_path / "cut", resume=True)
    assert result.rendered == 1
    chosen = yaml.safe_load((tmp_path / "cut.preset.yaml").read_text())["dream"]["channels"][LAYER]["chosen"]
    assert sorted(chosen) == [0, 1, 2]  # frames 0 and 1 were dreamed by the first run
    assert chosen[0] == chosen[1] == chosen[2] and len(chosen[0]) == 2  # the same draw each frame, per octave
    assert chosen[0][0] != chosen[0][1]
    other = load_preset(_preset_file(tmp_path, {"random": 5, "per_octave": True}, size=80, seed=2))
    render(Plan(other), tmp_path / "other")
    assert yaml.safe_load((tmp_path / "other.preset.yaml").read_text())["dream"]["channels"][LAYER]["chosen"][0] \
        != chosen[0]


PROBE = ("import sys; from dreamanim.cli.main import main; code = main(sys.argv[1:]); "
         "sys.stdout.write(','.join(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}))); "
         "sys.exit(code)")


@pytest.mark.parametrize("rule, fragments, before_tensorflow", [
    ("{strongest: 0}", ["dream.channels.block9_add", "strongest", "greater than or equal to 1"], True),
    ("{weakest: 113}", ["dream.channels.block9_add.weakest", "112 channels", "at most 112"], False),
    ("{strongst: 8}", ["unknown key 'strongst'", "did you mean 'strongest'"], True),
    ("{strongest: 8, random: 4}", ["give one of strongest, weakest, random", "not strongest and random together"], True),
    ("{per_octave: true}", ["give one of strongest, weakest, random"], True),
    ("{strongest: 2, chosen: {0: [1, 2, 3]}}", ["chosen.0", "2 different channel numbers"], True),
    ("{strongest: 2, chosen: {1: [1, 200]}}", ["chosen.1", "112 channels (0..111), got 200"], False),
], ids=["zero", "above", "unknown", "two", "none", "record-length", "record-channel"])
def test_every_bad_value_is_one_line(tmp_path, rule, fragments, before_tensorflow):
    path = _preset_file(tmp_path, {"strongest": 1})
    run = subprocess.run([sys.executable, "-c", PROBE, "render", str(path), "-o", str(tmp_path / "out"),
                          "--set", f"dream.channels.{LAYER}={rule}"], capture_output=True, text=True, timeout=300)
    assert_one_line_error(run.returncode, run.stderr, *fragments)
    if before_tensorflow:
        assert "tensorflow" not in run.stdout, f"imported TensorFlow before reporting {run.stderr!r}"
    assert not (tmp_path / "out.frames").exists()
