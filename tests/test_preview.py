"""`render --preview K`: every K-th frame, small, moving exactly as the full render, in its own files."""
import json

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from conftest import assert_one_line_error
from dreamanim.preset import load_preset
from dreamanim.motion.context import rng_for
from dreamanim.rendering.plan import PREVIEW_SIZE, Plan


def test_the_preview_plan_is_small_and_lasts_as_long(write_preset):
    real = load_preset(write_preset(frames=10, size=384))
    preview = Plan(real, every=4)
    assert (preview.frames, preview.size) == (3, PREVIEW_SIZE)            # real frames 0, 4, 8
    assert preview.outputs.mp4 is None and preview.outputs.gif.fps == 10 / 4  # same duration
    assert (Plan(real).frames, Plan(real).size, Plan(real).outputs) == (10, 384, real.outputs)  # K = 1: the render
    small = load_preset(write_preset(size=48))
    assert Plan(small, every=2).size == 48                                 # never enlarged
    looped = load_preset(write_preset(frames=72, loop="seamless", seamless={"blend_frames": 18}))
    assert Plan(looped, every=4).blend_frames == 4                         # the fade lasts as long (18/4)


def test_previewed_frames_dream_as_much_as_the_frames_they_stand_for(write_preset):
    real = load_preset(write_preset(frames=12, dream={"steps": 2, "step_size": {0: 0.01, 8: 0.05}}))
    preview = Plan(real, every=4)
    assert preview.dream_for(0) == real.dream_for(0)       # frame 0 (first_frame: 3 steps) as it is
    second = preview.dream_for(1)
    assert second.steps == 2 * 4                           # the dreaming of 4 frames at once
    assert second.step_size == pytest.approx(0.03)         # the schedule at real frame 4, not 1
    assert preview.dream_for(2).step_size == pytest.approx(0.05)


PROBE = """
from dreamanim import transform
CALLS = []

@transform("count_calls")
def count_calls(frame, ctx):
    CALLS.append((ctx.t, ctx.frames, int(ctx.rng.integers(1 << 30))))
    return frame + 1
"""


def test_the_transforms_run_for_every_real_frame_in_between(write_preset, tmp_path, fresh_registry):
    (tmp_path / "probe.py").write_text(PROBE)
    real = load_preset(write_preset(frames=10, seed=3, plugins=["probe.py"], transform=["count_calls"]))
    calls = real.chain.steps[0].info.fn.__globals__["CALLS"]
    calls.clear()  # the load's dry run called it once
    moved = Plan(real, every=4).move(np.zeros((2, 2, 3), np.float32), 1)
    assert np.all(moved == 4)  # four transforms between previewed frames 1 and 2
    assert calls == [(t, 10, rng_for(3, t).integers(1 << 30)) for t in (4, 5, 6, 7)]


@pytest.mark.slow
def test_preview_frames_are_the_full_renders_frames_moved_as_far(write_preset, run_cli, tmp_path):
    # A dream too faint to change a pixel, and a random transform: every previewed frame must be
    # exactly the full render's frame it stands for, random draws and all.
    preset = write_preset(frames=5, dream={"steps": 1, "octaves": 1, "step_size": 1e-6},
                          first_frame={}, transform=[{"random_shift": {"low": -3, "high": 3}}])
    code, _, err = run_cli("render", preset, "-o", tmp_path / "anim", "--quiet")
    assert code == 0, err
    code, out, err = run_cli("render", preset, "-o", tmp_path / "anim", "--preview", 2)
    assert code == 0, err
    assert "anim.preview.gif" in out and "anim.preview.sheet.png" in out
    full = [iio.imread(tmp_path / "anim.frames" / f"frame_{t + 1:05d}.png").astype(int) for t in range(5)]
    shown = [iio.imread(tmp_path / "anim.preview.frames" / f"frame_{i + 1:05d}.png").astype(int) for i in range(3)]
    assert not (tmp_path / "anim.preview.frames" / "frame_00004.png").exists()
    for i, frame in enumerate(shown):
        assert np.abs(frame - full[2 * i]).max() <= 1, i
    assert np.abs(shown[1] - full[1]).mean() > 5  # it did move on by two frames, not one

    made = json.loads((tmp_path / "anim.preview.frames" / "manifest.json").read_text())
    assert made["preview"] == {"every": 2, "size": 48} and made["preset"]["frames"] == 5
    gif = Image.open(tmp_path / "anim.preview.gif")
    assert gif.n_frames == 3 and gif.info["duration"] == 200   # 10 fps / 2: lasts as long
    sheet = Image.open(tmp_path / "anim.preview.sheet.png")   # 3 frames of 48x32: 2 columns, 2 rows
    assert sheet.size == (2 * 48 + 3 * 5, 2 * (32 + 18) + 3 * 5)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "anim.frames", "anim.gif", "anim.mp4", "anim.preset.yaml", "anim.preview.frames", "anim.preview.gif",
        "anim.preview.sheet.png", "anim.sheet.png", "tiny.yaml"]  # no sidecar for a preview

    for name in ("anim.preview.gif", "anim.preview.sheet.png"):  # as if it had been interrupted
        (tmp_path / name).unlink()
    code, _, err = run_cli("render", preset, "-o", tmp_path / "anim", "--preview", 3, "--resume")
    assert_one_line_error(code, err, "anim.preview.frames", "different settings")


def test_a_bare_preview_flag_before_the_preset_takes_the_default(write_preset, run_cli, tmp_path):
    (tmp_path / "anim.preview.gif").write_bytes(b"my old preview")
    code, _, err = run_cli("render", "--preview", write_preset(), "-o", tmp_path / "anim")
    assert_one_line_error(code, err, "anim.preview.gif", "already exists", "--force")  # the preset was read
    assert (tmp_path / "anim.preview.gif").read_bytes() == b"my old preview"
    code, _, err = run_cli("render", write_preset(), "--preview", "0")
    assert_one_line_error(code, err, "--preview", ">= 1")


def test_help_explains_the_preview(run_cli):
    code, out, _ = run_cli("render", "--help")
    assert code == 0 and "--preview [K]" in out and "every K-th frame" in out and "OUTPUT.preview.gif" in out
