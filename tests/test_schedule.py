"""Keyframed values: interpolation at and between keyframes, the safe expression language, and
schedules in presets (per-frame dream settings and transform parameters, load-time checks)."""
import math

import numpy as np
import pytest
import yaml

from dreamanim.preset import load_preset
from dreamanim.motion.context import FrameContext
from dreamanim.schedule.expression import Expression, ExpressionError
from dreamanim.schedule.keyframes import parse_schedule, restore_schedules, round_half_away

from conftest import frames_hash_of, assert_one_line_error

KEYS = {10: 1.0, 40: -1.0, 20: 3.0}  # deliberately out of order: keyframes are sorted by t


def value(interpolation, t, keys=KEYS):
    return parse_schedule({**keys, "interpolation": interpolation}).value_at(t, 100)


@pytest.mark.parametrize("interpolation", ["linear", "smooth", "step"])
def test_every_interpolation_hits_its_keyframes_and_holds_the_ends(interpolation):
    for t, v in KEYS.items():
        assert value(interpolation, t) == v
    assert value(interpolation, 0) == 1.0 and value(interpolation, 9) == 1.0     # before the first
    assert value(interpolation, 41) == -1.0 and value(interpolation, 500) == -1.0  # after the last


def test_linear_is_a_straight_line_between_keyframes():
    assert value("linear", 15) == pytest.approx(2.0)
    assert value("linear", 12) == pytest.approx(1.4)
    assert value("linear", 30) == pytest.approx(1.0)
    assert value("linear", 35) == pytest.approx(0.0)
    assert parse_schedule(KEYS).interpolation == "linear"  # the default


def test_smooth_eases_in_and_out():
    assert value("smooth", 15) == pytest.approx(2.0)             # halfway is halfway
    assert value("smooth", 12) == pytest.approx(1 + 2 * (0.2 ** 2 * (3 - 0.4)))  # smoothstep
    # Slow near each keyframe, fast in the middle: it moves less than linear right after 10
    # and right before 20, and the steps grow toward the middle.
    assert value("smooth", 11) - 1.0 < value("linear", 11) - 1.0
    assert 3.0 - value("smooth", 19) < 3.0 - value("linear", 19)
    steps = [value("smooth", t + 1) - value("smooth", t) for t in range(10, 20)]
    assert steps[0] < steps[2] < steps[4] and steps[-1] < steps[-3] < steps[-5]


def test_step_holds_each_value_until_the_next_keyframe():
    assert [value("step", t) for t in (10, 11, 19, 20, 21, 39, 40)] == [1, 1, 1, 3, 3, 3, -1]


def test_expressions_of_t_and_T():
    wave = Expression("0.04 + 0.02*sin(2*pi*t/60)")
    assert wave(0, 60) == pytest.approx(0.04) and wave(15, 60) == pytest.approx(0.06)
    assert wave(45, 60) == pytest.approx(0.02)
    assert Expression("t/T")(30, 120) == 0.25
    assert Expression("7/2")(0, 1) == 3.5  # true division, in floats
    assert Expression("max(1, min(t, 5)) + abs(-2) - cos(pi) ** 2")(9, 1) == pytest.approx(5 + 2 - 1)
    assert Expression("-t + +3")(1, 1) == 2


@pytest.mark.parametrize("text", [
    "__import__('os')", "__import__('os').system('true')", "().__class__", "t.real", "open('/etc/passwd')",
    "x", "pi2", "__builtins__", "exec", "lambda: 1", "[t]", "(t, 1)", "{}", "t if t else 1", "t > 1",
    "t and 1", "t % 2", "t // 2", "t ^ 2", "~t", "not t", "'a'", "True", "None", "1j", "sin", "sin(x=t)",
    "sin(t, t)", "min(t)", "abs(*[t])", "t[0]", "f'{t}'", "(y := 2)", "[t for t in (1,)]", "t; 1", "",
    "sin(t)" * 100,
])
def test_anything_outside_the_safe_set_is_rejected(text):
    with pytest.raises(ExpressionError):
        Expression(text)


@pytest.mark.parametrize("text, good_t, bad_t", [
    ("1/(t-5)", 4, 5), ("abs((t-3)**0.5)", 3, 2), ("sin((t-3)**0.5)", 4, 0), ("10**(t*100)", 3, 4),
    ("1e300*10**t", 8, 9)])
def test_an_expression_without_a_finite_real_value_is_an_error(text, good_t, bad_t):
    expression = Expression(text)
    assert math.isfinite(expression(good_t, 10))
    with pytest.raises(ExpressionError):
        expression(bad_t, 10)


def test_whole_numbers_round_half_away_from_zero():
    assert [round_half_away(x) for x in (2.5, -2.5, 1.5, 0.49, -0.5, 3.0)] == [3, -3, 2, 0, -1, 3]


# --- schedules in presets ----------------------------------------------------------------

PROBE = '''
import numpy as np
from dreamanim import transform

@transform("schedule_probe")
def schedule_probe(frame, ctx, *, level: float = 0.0, count: int = 0, point: tuple[float, float] = (0.0, 0.0)):
    """Fill the frame with level + count + 10 * point[1]: the test reads back what it was given."""
    return np.full_like(frame, level + count + 10 * point[1])
'''


@pytest.fixture
def probe_preset(write_preset, tmp_path, fresh_registry):  # the probe plugin is gone afterwards
    (tmp_path / "probe.py").write_text(PROBE)
    return lambda params, **changes: write_preset(
        plugins=["probe.py"], transform=[{"schedule_probe": params}], **changes)


def chain_output(preset, t):
    frame = np.zeros((4, 4, 3), np.float32)
    out = preset.chain(frame, FrameContext(t, preset.frames, np.random.default_rng(0)))
    return float(out[0, 0, 0])


def test_transform_parameters_take_their_value_at_each_frame(probe_preset):
    preset = load_preset(probe_preset({"level": {0: 10, 8: 50, "interpolation": "linear"},
                                          "count": "t/4", "point": [0.0, {0: 0.0, 4: 1.0, "interpolation": "step"}]},
                                         frames=12))
    # level: 10 + 5t until 8 then 50; count: t/4 rounded half away from zero; point[1]: 0 then 1 from t=4
    expected = [10 + 5 * min(t, 8) + round_half_away(t / 4) + (10 if t >= 4 else 0) for t in range(12)]
    assert [chain_output(preset, t) for t in range(12)] == expected
    assert {s.key for s in preset.schedules} == {
        "transform[0].schedule_probe.level", "transform[0].schedule_probe.count",
        "transform[0].schedule_probe.point[1]"}
    count = next(s for s in preset.schedules if s.key.endswith("count"))
    assert count.integer and count.at(6, 12) == 2 and isinstance(count.at(6, 12), int)  # 1.5 => 2


def test_dream_settings_resolve_per_frame_and_layer_weights_crossfade(write_preset):
    preset = load_preset(write_preset(
        frames=5, first_frame={"steps": 7},
        dream={"layers": {"block9_add": {0: 1, 4: 0}, "block12_add": {0: 0, 4: 1}},
               "steps": {0: 1, 4: 3, "interpolation": "step"}, "step_size": "0.01 * (1 + t)", "octaves": 1}))
    weights = [preset.dream_for(t).layers for t in range(5)]
    assert [w["block9_add"] for w in weights] == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert [w["block12_add"] for w in weights] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert [preset.dream_for(t).steps for t in range(5)] == [7, 1, 1, 1, 3]  # frame 0: first_frame
    assert [preset.dream_for(t).step_size for t in range(5)] == pytest.approx([0.01, 0.02, 0.03, 0.04, 0.05])
    assert preset.dream_for(3).octaves == 1 and preset.dream.steps == 1  # the plain field: frame 0's value
    assert preset.dream_for(3) != preset.dream_for(2)


def test_a_first_frame_schedule_is_its_value_at_frame_zero(write_preset):
    preset = load_preset(write_preset(frames=40, first_frame={"steps": "T/8 + t"}))
    assert preset.dream_for(0).steps == 5 and preset.first_frame.steps == 5 and preset.dream_for(1).steps == 2
    assert preset.schedules == ()  # nothing left to resolve later


def test_schedules_given_with_set(write_preset):
    preset = load_preset(write_preset(frames=20), ["transform[0].stretch.amount={0: 0.01, 10: 0.05}",
                                                      "dream.steps=1 + t/10"])
    assert [s.key for s in preset.schedules] == ["dream.steps", "transform[0].stretch.amount"]
    assert preset.dream_for(15).steps == 3


def test_the_frames_hash_covers_the_schedules(write_preset):
    def frames_hash(amount):
        return frames_hash_of(load_preset(write_preset(transform=[{"zoom": {"amount": amount}}], frames=10)))
    assert frames_hash({0: 0.01, 5: 0.03}) == frames_hash({0: 0.01, 5: 0.03})
    # Same frame-0 value, other frames differ: a --resume must refuse to mix them.
    assert frames_hash({0: 0.01, 5: 0.03}) != frames_hash({0: 0.01, 5: 0.04})
    assert frames_hash({0: 0.01, 5: 0.03}) != frames_hash({0: 0.01, 5: 0.03, "interpolation": "smooth"})
    assert frames_hash("0.01 + t/1000") != frames_hash("0.01 + t/999")


def test_schedules_written_back_into_a_resolved_preset_load_again(write_preset, tmp_path):
    path = write_preset(frames=9, dream={"steps": "1 + t/4", "layers": {"block9_add": {0: 1, 8: 2}}},
                        transform=[{"zoom": {"amount": {0: 0.01, 8: 0.03, "interpolation": "smooth"},
                                             "center": [0.5, "0.5 + t/100"]}}])
    preset = load_preset(path)
    # A resolved dump of the preset (what a sidecar or manifest starts from) holds frame-0 values.
    flat = {**yaml.safe_load(path.read_text()), "dream": preset.dream.model_dump(exclude_unset=True),
            "transform": [{"zoom": {"amount": 0.01, "center": [0.5, 0.5]}}]}
    again = tmp_path / "again.yaml"
    again.write_text(yaml.safe_dump(restore_schedules(flat, preset.schedules)))
    reloaded = load_preset(again)
    assert frames_hash_of(reloaded) == frames_hash_of(preset)
    assert [reloaded.dream_for(t) for t in range(9)] == [preset.dream_for(t) for t in range(9)]


# --- bad schedules: one line, exit 2, naming the key (and the frame) ----------------------

@pytest.mark.parametrize("expression", ["__import__('os').system('true')", "t.__class__", "steps + 1",
                                        "open('x')", "t ^ 2"])
def test_an_unsafe_or_unknown_expression_fails_at_load_naming_the_key(expression, write_preset, run_cli, tmp_path):
    code, _, err = run_cli("render", write_preset(dream={"step_size": expression}), "-o", tmp_path / "out")
    assert_one_line_error(code, err, "dream.step_size", "expression")
    assert not (tmp_path / "out.frames").exists()


@pytest.mark.parametrize("dream, fragments", [
    ({"steps": {0: 2, 40: 0}}, ["dream.steps", "greater than or equal to 1", "got 0 at frame t=31"]),
    ({"step_size": "abs(0.01/(t-7))"}, ["dream.step_size", "at frame t=7", "divides by zero"]),
    ({"steps": {0: 2, "interpolaton": "smooth"}}, ["dream.steps", "did you mean 'interpolation'"]),
    ({"steps": {0: 2, 10: 3, "interpolation": "cubic"}}, ["dream.steps", "linear, smooth, step"]),
    ({"steps": {-5: 2}}, ["dream.steps", "whole numbers >= 0"]),
    ({"layers": {"block9_add": {0: "one"}}}, ["dream.layers.block9_add", "finite number"]),
])
def test_a_schedule_that_goes_wrong_at_some_frame_fails_at_load(dream, fragments, write_preset, run_cli, tmp_path):
    code, _, err = run_cli("plot", write_preset(frames=50, dream=dream), "-o", tmp_path / "c.png")
    assert_one_line_error(code, err, *fragments)


def test_a_transform_value_out_of_range_at_a_later_frame_is_named(write_preset, run_cli, tmp_path):
    preset = write_preset(frames=20, transform=[{"zoom": {"amount": {0: 0.5, 10: 1.5}}}])
    code, _, err = run_cli("plot", preset, "-o", tmp_path / "c.png")
    assert_one_line_error(code, err, "transform[0].zoom", "amount must be between -1 and 1", "at frame t=5")


def test_a_schedule_where_no_number_goes_is_not_a_schedule(write_preset, run_cli, tmp_path):
    code, _, err = run_cli("plot", write_preset(dream={"reduce": {0: 1}}), "-o", tmp_path / "c.png")
    assert_one_line_error(code, err, "dream.reduce")


# --- a real render ------------------------------------------------------------------------

@pytest.mark.slow
def test_a_tiny_render_with_a_crossfade_and_a_keyframed_zoom(write_preset, run_cli, tmp_path):
    preset = write_preset(size=32, frames=3, first_frame={"steps": 1},
                          dream={"layers": {"block9_add": {0: 1, 2: 0, "interpolation": "smooth"},
                                            "block10_add": {0: 0, 2: 1}},
                                 "steps": 1, "octaves": 1},
                          transform=[{"zoom": {"amount": "0.02 * (t + 1)"}}], outputs={"gif": {}})
    code, _, err = run_cli("render", preset, "-o", tmp_path / "x", "--quiet")
    assert code == 0, err
    assert len(list((tmp_path / "x.frames").glob("frame_*.png"))) == 3 and (tmp_path / "x.gif").stat().st_size
