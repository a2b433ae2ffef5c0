"""Every shipped preset loads and renders out of the box (at a tiny size: CI checks they run;
the full-size renders are what we look at)."""
import imageio.v3 as iio
import pytest

from conftest import PRESETS

SHIPPED = sorted(PRESETS.glob("*.yaml"))
TINY_OVERRIDES = ["size=40", "frames=2", "dream.steps=1", "dream.octaves=1",
                  "first_frame.steps=1", "first_frame.octaves=1"]


def test_there_are_presets():
    assert any(p.name == "vertical_stretch.yaml" for p in SHIPPED)


@pytest.mark.slow
@pytest.mark.parametrize("preset", SHIPPED, ids=lambda p: p.stem)
def test_preset_renders_at_a_tiny_size(preset, run_cli, tmp_path):
    args = [a for kv in TINY_OVERRIDES for a in ("--set", kv)]
    code, _, err = run_cli("render", preset, *args, "-o", tmp_path / preset.stem, "--quiet")
    assert code == 0, err
    frames = sorted((tmp_path / f"{preset.stem}.frames").glob("frame_*.png"))
    assert len(frames) == 2 and max(iio.imread(frames[0]).shape[:2]) == 40
    for video in tmp_path.glob(f"{preset.stem}.*[4f]"):  # .gif / .mp4, whichever the preset asks for
        assert video.stat().st_size > 0
