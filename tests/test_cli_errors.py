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


def test_duplicate_key_and_keyframe_name_their_lines(run_cli, tmp_path, write_preset):
    text = yaml.safe_dump(TINY)
    twice = tmp_path / "twice.yaml"
    twice.write_text(text + "frames: 5\n")
    line = text.splitlines().index("frames: 3") + 1
    assert_one_line_error(*run_cli("render", twice)[::2],
                          f"twice.yaml:{len(text.splitlines()) + 1}: duplicate key 'frames' (first at line {line})")
    keyframes = tmp_path / "keyframes.yaml"
    keyframes.write_text(text.replace("  steps: 2", "  steps: {0: 2, 2: 3, 2: 4}"))
    assert_one_line_error(*run_cli("render", keyframes)[::2], "keyframes.yaml:", "duplicate key 2")
    code, _, err = run_cli("render", write_preset(), "--set", "dream.layers={a: 1, a: 2}")
    assert_one_line_error(code, err, "--set dream.layers={a: 1, a: 2}: duplicate key 'a'")


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", "1.0e+999"])
def test_non_finite_numbers_are_refused_in_the_preset_and_in_set(run_cli, tmp_path, write_preset, number):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(TINY).replace("  steps: 2", f"  steps: 2\n  step_size: {number}"))
    out = tmp_path / "x"
    assert_one_line_error(*run_cli("render", bad, "-o", out)[::2], "bad.yaml:", f"{number!r} is not a finite number")
    code, _, err = run_cli("render", write_preset(), "--set", f"dream.step_size={number}", "-o", out)
    assert_one_line_error(code, err, f"--set dream.step_size={number}: {number!r} is not a finite number")
    assert not list(tmp_path.glob("x*"))  # nothing written


@pytest.mark.parametrize("value", ["inf", "nan", "1e999", "'inf'"])  # strings to YAML, numbers to pydantic
def test_non_finite_strings_are_refused_by_the_schema(run_cli, write_preset, value):
    code, _, err = run_cli("render", write_preset(input="noise"), "--set", f"noise.scale={value}")
    assert_one_line_error(code, err, "noise.scale: must be a finite number")


def test_a_thin_input_fails_at_load_naming_the_numbers(run_cli, write_preset, tmp_path):
    import numpy as np
    from PIL import Image
    Image.fromarray(np.full((10, 10000, 3), 128, np.uint8)).save(tmp_path / "strip.png")
    code, _, err = run_cli("render", write_preset(input="strip.png"), "-o", tmp_path / "x")
    assert_one_line_error(code, err, "tiny.yaml: input: the image is 10000x10 px", "under the 16 px",
                          "crop it to at most 3:1")
    code, _, err = run_cli("render", write_preset(dream={**TINY["dream"], "guide": "strip.png"}), "-o", tmp_path / "x")
    assert_one_line_error(code, err, "tiny.yaml: dream.guide: the image is 10000x10 px")
    assert not list(tmp_path.glob("x*"))  # refused before anything is written
