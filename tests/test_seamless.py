"""Seamless loops: the end crossfades into the start, the wrap-around is no bigger than an
ordinary step, the numbers reach the summary, and the saved frames stay raw (resume-safe)."""
import re

import imageio.v3 as iio
import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from dreamanim.preset import load_preset
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan
from dreamanim.rendering.seamless import LoopMeter, blend_count, frame_difference, play, seamless_plan

from conftest import assert_one_line_error


def test_the_plan_plays_every_frame_once_and_crossfades_the_end_into_the_start():
    plan = seamless_plan(20, 4)
    assert len(plan) == 16  # N - K frames are played
    plain = [a for a, b, w in plan if w == 0]
    fades = sorted((a, b, w) for a, b, w in plan if w > 0)
    assert plain == list(range(4, 16))
    assert [(a, b) for a, b, _ in fades] == [(16, 0), (17, 1), (18, 2), (19, 3)]
    weights = [w for _, _, w in fades]
    assert weights == sorted(weights) and 0 < weights[0] < 0.5 < weights[-1] < 1
    # played in cycle order: ... frame 15, fade 0 .. fade 3, frame 4 ...; the file starts mid-fade
    cycle = plan * 2
    start = cycle.index((15, 15, 0.0))
    assert [a for a, _, _ in cycle[start:start + 6]] == [15, 16, 17, 18, 19, 4]


def test_short_renders_blend_fewer_frames_instead_of_failing():
    assert blend_count(2, 16) == 0 and seamless_plan(2, 16) == [(0, 0, 0.0), (1, 1, 0.0)]
    assert blend_count(9, 16) == 4 and blend_count(100, 16) == 16
    assert seamless_plan(1, 16) == [(0, 0, 0.0)]


def drifting_texture(n, h=40, w=48):
    """A smooth texture sliding 1 px a frame: the end is far from the start, like a dream's."""
    rng = np.random.default_rng(0)
    texture = gaussian_filter(rng.uniform(0, 255, (h, w + n, 3)), (2, 2, 0))
    texture = (texture - texture.mean()) * (60 / texture.std()) + 128
    return [np.clip(texture[:, t:t + w], 0, 255).astype(np.uint8) for t in range(n)]


def test_the_seamless_wrap_is_no_bigger_than_a_step_where_the_plain_loop_jumps():
    frames = drifting_texture(40)
    forward, seamless = LoopMeter(), LoopMeter()
    list(forward.watch(iter(frames)))
    played = list(seamless.watch(play(lambda t: frames[t], seamless_plan(40, 16))))
    assert forward.jump > 3 * forward.typical_step
    assert seamless.jump <= seamless.typical_step, (seamless.jump, seamless.steps)
    # The crossfade has no hidden seam either: no step of the cycle stands out.
    assert max(seamless.steps + [seamless.jump]) < 1.3 * seamless.typical_step
    assert all(f.dtype == np.uint8 and f.shape == frames[0].shape for f in played)


def test_meter_numbers():
    a, b = np.zeros((2, 2, 3), np.uint8), np.full((2, 2, 3), 10, np.uint8)
    meter = LoopMeter()
    assert list(meter.watch(iter([a, b, b]))) == [a, b, b]
    assert meter.steps == [10.0, 0.0] and meter.jump == 10.0 and meter.typical_step == 5.0
    assert frame_difference(a, b) == 10.0
    single = LoopMeter()
    list(single.watch(iter([a])))
    assert single.jump is None and single.typical_step is None


def test_bad_seamless_keys_are_one_line_errors(write_preset, run_cli):
    code, _, err = run_cli("render", write_preset(loop="seemless"), "--quiet")
    assert_one_line_error(code, err, "loop", "'seamless'")
    code, _, err = run_cli("render", write_preset(seamless={"blend_frames": 0}), "--quiet")
    assert_one_line_error(code, err, "seamless.blend_frames", "greater than or equal to 1")
    code, _, err = run_cli("render", write_preset(seamless={"blend": 4}), "--quiet")
    assert_one_line_error(code, err, "seamless.blend: unknown key", "blend_frames")


# 40 tiny frames, 16 blended: enough blend frames for the fade to be gentler than the motion.
SEAMLESS = dict(size=40, frames=40, loop="seamless", seamless={"blend_frames": 16}, outputs={"gif": {"fps": 12}})


@pytest.mark.slow
def test_a_tiny_seamless_render_loops_without_a_jump(write_preset, run_cli, tmp_path):
    code, out, err = run_cli("render", write_preset(**SEAMLESS), "-o", tmp_path / "loop")
    assert code == 0, err
    gif = iio.imread(tmp_path / "loop.gif", index=None)[..., :3]
    assert len(gif) == 40 - 16
    saved = [iio.imread(p) for p in sorted((tmp_path / "loop.frames").glob("frame_*.png"))]
    steps = [frame_difference(a, b) for a, b in zip(saved, saved[1:])]
    assert frame_difference(saved[-1], saved[0]) > 3 * np.median(steps)  # a plain loop would jump
    jump, typical = (float(x) for x in re.search(r"loop jump ([\d.]+) \(typical step ([\d.]+)\)", out).groups())
    assert jump <= typical, out


@pytest.mark.slow
def test_seamless_blending_leaves_the_saved_frames_raw_so_resume_can_switch_loops(write_preset, tmp_path):
    preset = load_preset(write_preset(frames=8, outputs={"gif": {}}))
    first = render(Plan(preset), tmp_path / "anim")
    raw = [iio.imread(p) for p in sorted(first.frames_folder.glob("frame_*.png"))]
    for path in tmp_path.glob("anim.*"):  # keep only the frames folder
        if path.is_file():
            path.unlink()
    preset = load_preset(write_preset(frames=8, loop="seamless", seamless={"blend_frames": 2},
                                              outputs={"gif": {}}))
    again = render(Plan(preset), tmp_path / "anim", resume=True)
    assert again.rendered == 0  # the same frames: nothing dreamed again
    assert all(np.array_equal(a, iio.imread(p))
               for a, p in zip(raw, sorted(again.frames_folder.glob("frame_*.png")), strict=True))
    gif = iio.imread(again.outputs["gif"], index=None)[..., :3].astype(float)
    assert len(gif) == 6 and again.loop_jump <= again.loop_step * 1.5
    # The written frames are the planned blends of the raw frames (up to GIF quantisation).
    for written, (a, b, w) in zip(gif, seamless_plan(8, 2)):
        expected = (1 - w) * raw[a].astype(float) + w * raw[b].astype(float)
        assert np.abs(written - expected).mean() < 5
