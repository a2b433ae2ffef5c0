"""Presets: every shipped one loads; --set overrides any key with the file's validation; frozen objects."""
from pathlib import Path

import imageio.v3 as iio
import pytest

from dreamanim.preset import load_preset

from conftest import PRESETS, SAMPLE, assert_one_line_error, frames_hash_of


@pytest.mark.parametrize("path", sorted(PRESETS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_preset_loads(path):
    preset = load_preset(path)
    assert preset.frames >= 1 and (preset.input == "noise" or Path(preset.input).is_file())  # (jellyfish: noise)


def test_overrides_reach_nested_keys_and_list_items():
    preset = load_preset(PRESETS / "vertical_stretch.yaml",
                            ["dream.steps=2", "transform[0].stretch.amount=0.07", "frames=5", "outputs=[gif]"])
    assert preset.dream.steps == 2 and preset.frames == 5
    values = preset.transform[0].params
    assert values["axis"] == "vertical" and values["amount"] == 0.07
    assert preset.outputs.mp4 is None and preset.outputs.gif.fps == 12


def test_first_frame_overrides_apply_to_frame_zero_only(write_preset):
    preset = load_preset(write_preset(first_frame={"steps": 9, "octaves": 1}))
    assert preset.dream_for(0).steps == 9 and preset.dream_for(0).octaves == 1
    assert preset.dream_for(1).steps == 2


def test_presets_are_frozen(write_preset):
    preset = load_preset(write_preset())
    with pytest.raises(Exception):
        preset.frames = 4


def test_frames_hash_ignores_video_settings_only(write_preset):
    a = load_preset(write_preset())
    b = load_preset(write_preset(outputs={"gif": {"fps": 3}}, loop="pingpong"))
    c = load_preset(write_preset(seed=99))
    assert frames_hash_of(a) == frames_hash_of(b) != frames_hash_of(c)


def test_first_frame_schedule_holds_when_dream_schedules_the_same_key(write_preset):
    preset = load_preset(write_preset(dream={"steps": 2, "octaves": 2, "step_size": "0.02 + 0.001*t"},
                                         first_frame={"step_size": "0.05 + 0*t"}), check_model=False)
    assert preset.dream_for(0).step_size == pytest.approx(0.05)
    assert preset.dream_for(2).step_size == pytest.approx(0.022)


def test_set_reaches_a_transform_written_in_short_form(write_preset):
    preset = load_preset(write_preset(transform=["zoom"]), ["transform[0].zoom.amount=0.1"], check_model=False)
    assert preset.transform[0].params["amount"] == 0.1


@pytest.mark.parametrize("override, fragment", [("frames.x.y=1", "frames is 3, not a mapping or list"),
                                                ("frames.x=1", "frames is 3, not a mapping or list"),
                                                ("transform[0].zoom.amount.x=1", "transform[0].zoom.amount is 0.05")])
def test_set_through_a_plain_value_is_a_one_line_error(run_cli, write_preset, override, fragment):
    preset = write_preset(transform=[{"zoom": {"amount": 0.05}}])
    code, _, err = run_cli("render", preset, "--set", override)
    assert_one_line_error(code, err, f"--set {override}", fragment, "check the key path")


@pytest.mark.parametrize("changes, fragment", [
    ({"dream": {"steps": "1 + t*1e12", "octaves": 2}}, "dream.steps: must be less than or equal to 1000"),
    ({"dream": {"steps": 2, "octaves": 40}}, "dream.octaves: must be less than or equal to 16"),
    ({"dream": {"steps": 2, "octave_range": [-10 ** 9, 0]}}, "dream.octave_range: must be [lo, hi] with -15"),
    ({"first_frame": {"tile_size": 10 ** 6}}, "first_frame.tile_size: must be less than or equal to 8192"),
])
def test_a_value_that_would_hang_the_render_is_refused_at_load(run_cli, write_preset, changes, fragment):
    code, _, err = run_cli("render", write_preset(**changes))
    assert_one_line_error(code, err, fragment)


def copy_image(src, dst, change=False):
    pixels = iio.imread(src)
    iio.imwrite(dst, 255 - pixels if change else pixels)
    return dst


@pytest.mark.parametrize("key", ["input", "guide", "weights"])
def test_frames_hash_follows_what_the_named_files_hold(write_preset, tmp_path, key):
    image = copy_image(SAMPLE, tmp_path / "picture.png")
    changes = {"input": {"input": "picture.png"},
               "guide": {"dream": {"steps": 2, "octaves": 2, "guide": "picture.png"}},
               "weights": {"weights": "picture.png"}}[key]
    path = write_preset(**changes)
    before = frames_hash_of(load_preset(path, check_model=False))
    copy_image(SAMPLE, image)  # the same pixels written again: the same frames
    assert frames_hash_of(load_preset(path, check_model=False)) == before
    copy_image(SAMPLE, image, change=True)
    assert frames_hash_of(load_preset(path, check_model=False)) != before


def test_resume_after_the_input_image_changed_is_refused(run_cli, write_preset, tmp_path):
    image = copy_image(SAMPLE, tmp_path / "picture.png")
    preset, out = write_preset(input="picture.png", frames=2, outputs=["gif"]), tmp_path / "anim"

    def outputs_removed():  # leave only the frames, as an interrupted render does
        for made in tmp_path.glob("anim*"):
            if made.is_file():
                made.unlink()
        return out

    code, _, err = run_cli("render", preset, "-o", out, "-q")
    assert code == 0, err
    code, _, err = run_cli("render", preset, "-o", outputs_removed(), "-q", "--resume")
    assert code == 0, err  # the same picture: the frames are reused
    copy_image(SAMPLE, image, change=True)
    code, _, err = run_cli("render", preset, "-o", outputs_removed(), "-q", "--resume")
    assert_one_line_error(code, err, "anim.frames", "different settings", "--force")
