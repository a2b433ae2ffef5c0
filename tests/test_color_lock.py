"""Colour lock: frames keep frame 0's colours (Lab mean/std or histograms), strength blends,
it holds a long feedback loop's brightness, and --resume gives the same locked frames."""
import imageio.v3 as iio
import numpy as np
import pytest

from dreamanim.rendering.color_lock import lab_to_rgb, make_color_lock, mean_brightness_saturation, rgb_to_lab
from dreamanim.preset import load_preset
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan

from conftest import Interrupt, assert_one_line_error, frames_hash_of


def scene(seed=0, h=40, w=56):
    """A smooth, coloured test picture (waves in each channel), float 40..220: inside the sRGB
    gamut with room to move, as dreamed frames mostly are."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    channels = [np.sin(6 * x + rng.uniform(0, 6)) + np.cos(5 * y + rng.uniform(0, 6)) for _ in range(3)]
    return ((np.stack(channels, -1) + 2) * 45 + 40).astype(np.float32)


def test_lab_conversion_matches_reference_values_and_round_trips():
    rgb = np.array([[[255, 255, 255], [255, 0, 0], [0, 0, 0], [128, 128, 128]]], np.float64)
    lab = rgb_to_lab(rgb)
    # CIELAB (D65) of sRGB white, red, black, mid grey, as published (e.g. by Bruce Lindbloom).
    expected = [[100, 0, 0], [53.24, 80.09, 67.20], [0, 0, 0], [53.59, 0, 0]]
    assert np.allclose(lab[0], expected, atol=0.01)
    pixels = np.random.default_rng(0).uniform(0, 255, (16, 16, 3))
    assert np.abs(lab_to_rgb(rgb_to_lab(pixels)) - pixels).max() < 1e-6


def test_lab_lock_gives_the_reference_mean_and_spread_and_keeps_the_picture():
    reference = scene(1)
    drifted = np.clip(scene(2) * [1.1, 0.9, 0.5] + 30, 0, 255).astype(np.float32)  # brighter, yellow cast
    out = make_color_lock(reference, "lab", 1.0)(drifted)
    assert out.dtype == np.float32 and out.shape == drifted.shape
    ref_lab, out_lab = rgb_to_lab(reference).reshape(-1, 3), rgb_to_lab(out).reshape(-1, 3)
    assert np.allclose(out_lab.mean(0), ref_lab.mean(0), atol=1.0)  # Lab units (L is 0..100)
    assert np.allclose(out_lab.std(0), ref_lab.std(0), atol=1.0)
    # The shapes stay: per channel a monotone (affine in Lab) change, so lightness order is kept.
    corr = np.corrcoef(rgb_to_lab(drifted)[..., 0].ravel(), out_lab[:, 0])[0, 1]
    assert corr > 0.99


def test_histogram_lock_gives_each_channel_the_reference_distribution_and_keeps_flat_areas_flat():
    reference = scene(3)
    drifted = scene(4) * 0.5
    drifted[:10, :10] = 40.0  # a flat patch: equal values must stay equal
    out = make_color_lock(reference, "histogram", 1.0)(drifted)
    for c in range(3):
        assert np.allclose(np.quantile(out[..., c], [0.1, 0.5, 0.9]),
                           np.quantile(reference[..., c], [0.1, 0.5, 0.9]), atol=4.0)
    assert np.ptp(out[:10, :10], axis=(0, 1)).max() == 0


@pytest.mark.parametrize("mode", ["lab", "histogram"])
def test_strength_blends_between_the_frame_and_the_matched_frame(mode):
    reference, frame = scene(5), scene(6) * 0.6
    full = make_color_lock(reference, mode, 1.0)(frame)
    half = make_color_lock(reference, mode, 0.5)(frame)
    assert np.allclose(half, (frame + full) / 2, atol=1e-3)
    assert make_color_lock(reference, mode, 0.0)(frame) is frame
    assert make_color_lock(reference, "off", 1.0)(frame) is frame


def test_preset_keys_short_form_and_errors(write_preset, run_cli):
    preset = load_preset(write_preset(color_lock="histogram"))
    assert (preset.color_lock.mode, preset.color_lock.strength) == ("histogram", 1.0)
    preset = load_preset(write_preset(color_lock={"mode": "lab", "strength": 0.4}))
    assert (preset.color_lock.mode, preset.color_lock.strength) == ("lab", 0.4)
    assert load_preset(write_preset()).color_lock.mode == "off"
    # The lock changes the frames, so it is part of what a resume must match.
    assert frames_hash_of(load_preset(write_preset(color_lock="lab"))) != frames_hash_of(load_preset(write_preset()))
    code, _, err = run_cli("render", write_preset(color_lock="hsv"), "--quiet")
    assert_one_line_error(code, err, "color_lock.mode", "'lab', 'histogram' or 'off'")
    code, _, err = run_cli("render", write_preset(), "--set", "color_lock.strength=1.5", "--quiet")
    assert_one_line_error(code, err, "color_lock.strength", "less than or equal to 1")


# A long feedback loop at a tiny size that drifts visibly within 60 frames: a zoom into the
# dream, with strong steps, washes the picture out towards a pale pastel.
DRIFTING = dict(size=40, frames=60, seed=0, dream={"steps": 2, "octaves": 1, "step_size": 0.05},
                first_frame={"steps": 2}, transform=[{"zoom": {"amount": 0.05}}], outputs={})


def brightness_drift(folder):
    frames = sorted(folder.glob("frame_*.png"))
    first = mean_brightness_saturation(iio.imread(frames[0]))[0]
    return max(abs(mean_brightness_saturation(iio.imread(f))[0] / first - 1) for f in frames)


@pytest.mark.slow
def test_lock_holds_the_brightness_of_a_60_frame_feedback_loop(write_preset, tmp_path):
    drift = {}
    for mode in ("off", "lab"):
        preset = load_preset(write_preset(**DRIFTING, color_lock=mode))
        drift[mode] = brightness_drift(render(Plan(preset), tmp_path / mode).frames_folder)
    assert drift["lab"] < 0.05 < drift["off"], drift


@pytest.mark.slow
def test_resume_reads_the_reference_back_and_gives_the_same_locked_frames(write_preset, tmp_path):
    preset = load_preset(write_preset(frames=4, color_lock={"mode": "histogram", "strength": 0.8}))
    whole = render(Plan(preset), tmp_path / "whole").frames_folder
    with pytest.raises(KeyboardInterrupt):
        render(Plan(preset), tmp_path / "cut", progress=Interrupt(after=2))
    resumed = render(Plan(preset), tmp_path / "cut", resume=True)
    assert resumed.rendered == 2
    for a, b in zip(sorted(whole.glob("frame_*.png")), sorted(resumed.frames_folder.glob("frame_*.png")), strict=True):
        assert np.array_equal(iio.imread(a), iio.imread(b)), a.name
