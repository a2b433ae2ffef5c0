"""End to end at a tiny size: real frames, GIF and MP4 that read back, resume, seeds, loop modes."""
import json
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from conftest import Interrupt
from dreamanim.preset import load_preset
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan

pytestmark = pytest.mark.slow


def frames_of(folder):
    return [iio.imread(p) for p in sorted(folder.glob("frame_*.png"))]


def test_cli_render_writes_frames_gif_and_mp4(write_preset, run_cli, tmp_path):
    code, out, err = run_cli("render", write_preset(), "-o", tmp_path / "out" / "anim", "--quiet")
    assert code == 0, err
    assert [p.name for p in sorted((tmp_path / "out").iterdir())] == [
        "anim.frames", "anim.gif", "anim.mp4", "anim.preset.yaml", "anim.sheet.png"]
    frames = frames_of(tmp_path / "out" / "anim.frames")
    assert len(frames) == 3 and frames[0].shape == (32, 48, 3)  # 300x451 cat, longer side 48
    assert iio.imread(tmp_path / "out" / "anim.gif", index=None).shape == (3, 32, 48, 3)
    mp4 = iio.imread(tmp_path / "out" / "anim.mp4", plugin="FFMPEG", index=None)
    assert mp4.shape == (3, 32, 48, 3)
    manifest = json.loads((tmp_path / "out" / "anim.frames" / "manifest.json").read_text())
    assert manifest["frames_done"] == 3 and manifest["seed"] == 1 and manifest["preset"]["size"] == 48


@pytest.mark.parametrize("loop, count", [("forward", 4), ("reverse", 4), ("pingpong", 6)])
def test_loop_modes_give_the_right_frames_in_the_right_order(write_preset, tmp_path, loop, count):
    preset = load_preset(write_preset(frames=4, loop=loop))
    result = render(Plan(preset), tmp_path / "anim")
    stored = frames_of(result.frames_folder)
    order = {"forward": [0, 1, 2, 3], "reverse": [3, 2, 1, 0], "pingpong": [0, 1, 2, 3, 2, 1]}[loop]
    gif = iio.imread(result.outputs["gif"], index=None).astype(float)
    mp4 = iio.imread(result.outputs["mp4"], plugin="FFMPEG", index=None).astype(float)
    assert len(gif) == len(mp4) == count
    for written in (gif, mp4):
        for i, t in enumerate(order):  # each written frame is closest to the stored frame it should be
            errors = [np.abs(written[i] - f).mean() for f in stored]
            assert int(np.argmin(errors)) == t, (loop, i, errors)


def test_same_seed_same_frames_other_seed_other_frames(write_preset, tmp_path):
    def frames(seed, name):
        preset = load_preset(write_preset(frames=2, seed=seed))
        return frames_of(render(Plan(preset), tmp_path / name).frames_folder)
    a, b, c = frames(7, "a"), frames(7, "b"), frames(8, "c")
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[1], c[1])


def test_resume_gives_the_same_frames_as_an_uninterrupted_render(write_preset, tmp_path):
    preset = load_preset(write_preset(frames=4))
    whole = frames_of(render(Plan(preset), tmp_path / "whole").frames_folder)
    with pytest.raises(KeyboardInterrupt):
        render(Plan(preset), tmp_path / "cut", progress=Interrupt(after=2))
    assert len(frames_of(tmp_path / "cut.frames")) == 2 and not (tmp_path / "cut.gif").exists()
    result = render(Plan(preset), tmp_path / "cut", resume=True)
    assert result.rendered == 2
    resumed = frames_of(result.frames_folder)
    assert len(resumed) == 4 and all(np.array_equal(x, y) for x, y in zip(whole, resumed))


def test_model_is_traced_once_per_shape_across_frames(write_preset, tmp_path):
    from dreamanim.engine.dreamer import _dreamer, octave_sizes
    traces = {}
    for frames in (2, 4):
        _dreamer.cache_clear()  # a fresh Dreamer each time (a process keeps one per model and reuses its traces)
        preset = load_preset(write_preset(frames=frames, size=96))
        traces[frames] = render(Plan(preset), tmp_path / f"anim{frames}").traces
    shapes = octave_sizes(64, 96, preset.dream.octaves, preset.dream.octave_scale)
    assert traces[2] == traces[4] == len(shapes) == 2  # frame 0's extra steps reuse the same traces


def test_frames_show_the_dream_and_the_stretch(write_preset, tmp_path):
    preset = load_preset(write_preset(frames=2, size=64))
    result = render(Plan(preset), tmp_path / "anim")
    from dreamanim.source.pixels import load_image
    source = load_image(Path(preset.input), 64)
    first = frames_of(result.frames_folder)[0].astype(float)
    assert np.abs(first - source).mean() > 2  # the dream changed the picture
    assert result.objectives[1] > 0
