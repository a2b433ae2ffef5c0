"""Presets: every shipped one loads; --set overrides any key with the file's validation; frozen objects."""
import pytest

from dreamanim.config import load_preset, transform_values

from conftest import PRESETS


@pytest.mark.parametrize("path", sorted(PRESETS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_preset_loads(path):
    preset, folder = load_preset(path)
    assert preset.frames >= 1 and (folder / preset.input).is_file()


def test_overrides_reach_nested_keys_and_list_items():
    preset, _ = load_preset(PRESETS / "vertical_stretch.yaml",
                            ["dream.steps=2", "transform[0].stretch.amount=0.07", "frames=5", "outputs=[gif]"])
    assert preset.dream.steps == 2 and preset.frames == 5
    values = transform_values(preset.transform[0])
    assert values["axis"] == "vertical" and values["amount"] == 0.07
    assert preset.outputs.mp4 is None and preset.outputs.gif.fps == 12


def test_first_frame_overrides_apply_to_frame_zero_only(write_preset):
    preset, _ = load_preset(write_preset(first_frame={"steps": 9, "octaves": 1}))
    assert preset.dream_for(0).steps == 9 and preset.dream_for(0).octaves == 1
    assert preset.dream_for(1).steps == 2


def test_presets_are_frozen(write_preset):
    preset, _ = load_preset(write_preset())
    with pytest.raises(Exception):
        preset.frames = 4


def test_frames_hash_ignores_video_settings_only(write_preset):
    a, _ = load_preset(write_preset())
    b, _ = load_preset(write_preset(outputs={"gif": {"fps": 3}}, loop="pingpong"))
    c, _ = load_preset(write_preset(seed=99))
    assert a.frames_hash() == b.frames_hash() != c.frames_hash()
