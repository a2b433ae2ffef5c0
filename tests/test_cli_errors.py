"""Every bad input: exit 2, one line `dreamanim: error: where: what (fix)`, no traceback, nothing lost."""
import pytest
import yaml

from conftest import TINY, assert_one_line_error


def test_missing_preset(run_cli, tmp_path):
    assert_one_line_error(*run_cli("render", tmp_path / "nope.yaml")[::2], "nope.yaml", "not found")


def test_yaml_syntax_error_names_the_line(run_cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("frames: 3\ndream:\n  steps: [1, 2\nsize: 4\n")
    assert_one_line_error(*run_cli("render", bad)[::2], "bad.yaml:4", "YAML syntax error")


@pytest.mark.parametrize("change, fragments", [
    ({"dream": {"stpes": 3}}, ["dream.stpes", "unknown key", "did you mean 'steps'"]),
    ({"frmes": 3}, ["frmes", "did you mean 'frames'"]),
    ({"frames": -4}, ["frames", "greater than or equal to 1", "-4"]),
    ({"seed": -1}, ["seed", "greater than or equal to 0", "-1"]),  # numpy refuses it mid-render
    ({"size": 0}, ["size", "greater than or equal to 16"]),
    ({"dream": {"octave_scale": 1.0}}, ["dream.octave_scale", "greater than 1"]),
    ({"dream": {"steps": "many"}}, ["dream.steps", "integer"]),
    ({"loop": "sideways"}, ["loop", "forward", "pingpong"]),
    ({"transform": [{"stretch": {"amount": 1.5}}]}, ["transform[0].stretch", "amount must be between"]),
    ({"transform": [{"stretch": {"axis": "diagonal"}}]}, ["transform[0].stretch.axis", "vertical"]),
    ({"transform": [{"stretch": {"amuont": 0.1}}]}, ["transform[0].stretch.amuont", "did you mean 'amount'"]),
    ({"transform": [{"strech": {}}]}, ["transform[0].strech", "unknown transform", "did you mean 'stretch'", "zoom"]),
    ({"model": "vgg61"}, ["model", "unknown model", "did you mean 'vgg16'"]),
    ({"input": "missing.png"}, ["input", "image not found", "missing.png"]),
])
def test_bad_preset_values(run_cli, write_preset, change, fragments):
    assert_one_line_error(*run_cli("render", write_preset(**change))[::2], *fragments)


@pytest.mark.slow
def test_unknown_layer_lists_the_valid_ones(run_cli, write_preset):
    code, _, err = run_cli("render", write_preset(model="vgg16", dream={"layers": {"block4_conv9": 1}}))
    assert_one_line_error(code, err, "dream.layers.block4_conv9", "did you mean", "block1_conv1", "block5_conv3")


def test_bad_override(run_cli, write_preset):
    code, _, err = run_cli("render", write_preset(), "--set", "dream.steps=-1")
    assert_one_line_error(code, err, "dream.steps", "greater than or equal to 1")
    code, _, err = run_cli("render", write_preset(), "--set", "nonsense")
    assert_one_line_error(code, err, "--set nonsense", "KEY=VALUE")


def test_unreadable_input_image(run_cli, write_preset, tmp_path):
    (tmp_path / "broken.png").write_bytes(b"this is not a png")
    code, _, err = run_cli("render", write_preset(input="broken.png"), "-o", tmp_path / "x")
    assert_one_line_error(code, err, "broken.png", "cannot read image")


def test_output_folder_that_cannot_be_created(run_cli, write_preset, tmp_path):
    (tmp_path / "afile").write_text("I am a file, not a folder")
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "afile" / "sub" / "anim")
    assert_one_line_error(code, err, "cannot create the output folder")


def test_existing_output_is_kept_without_force(run_cli, write_preset, tmp_path):
    (tmp_path / "anim.gif").write_bytes(b"my precious gif")
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim")
    assert_one_line_error(code, err, "anim.gif", "already exists", "--force")
    assert (tmp_path / "anim.gif").read_bytes() == b"my precious gif"
    assert not (tmp_path / "anim.frames").exists()


def test_existing_frames_need_resume_or_force(run_cli, write_preset, tmp_path):
    frames = tmp_path / "anim.frames"
    frames.mkdir()
    (frames / "frame_00001.png").write_bytes(b"a frame")
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim")
    assert_one_line_error(code, err, "anim.frames", "--resume", "--force")
    assert (frames / "frame_00001.png").read_bytes() == b"a frame"


def test_resume_with_different_settings_is_refused(run_cli, write_preset, tmp_path):
    import json
    frames = tmp_path / "anim.frames"
    frames.mkdir()
    (frames / "manifest.json").write_text(json.dumps({"frames_hash": "0000", "frames_done": 1}))
    (frames / "frame_00001.png").write_bytes(b"a frame of another render")
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim", "--resume")
    assert_one_line_error(code, err, "different settings", "--force")


def test_bad_command_line(run_cli):
    code, _, err = run_cli("render")
    assert_one_line_error(code, err, "PRESET")
