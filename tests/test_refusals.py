"""Refusals that say enough to act on: a --resume refused names the keys that differ, a --set typo
in a transform's name gets a did-you-mean; the shipped presets' formats play for as long."""
import pytest
import yaml

from conftest import PRESETS, assert_one_line_error
from dreamanim.preset import load_preset

TINY = {"input": "noise", "size": 48, "frames": 2, "dream": {"steps": 1, "octaves": 1},
        "transform": [{"zoom": {"amount": 0.05}}], "outputs": {"gif": {"fps": 5}}}


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


@pytest.mark.slow
def test_a_refused_resume_names_the_keys_that_differ(tiny, tmp_path, run_cli):
    out = tmp_path / "anim"
    assert run_cli("render", tiny, "-o", out, "-q")[0] == 0
    code, _, err = run_cli("render", tiny, "-o", out, "--set", "dream.steps=2", "--resume", "-q")
    assert_one_line_error(code, err, "anim.gif: already exists", "different settings [dream.steps: 1 then, 2 now]")
    for made in tmp_path.glob("anim.*"):
        if made.is_file():
            made.unlink()
    code, _, err = run_cli("render", tiny, "-o", out, "--set", "dream.steps=2", "--seed", 4, "--resume", "-q")
    assert_one_line_error(code, err, "anim.frames: its frames were rendered with different settings: "
                                     "seed: 0 then, 4 now; dream.steps: 1 then, 2 now (")


def test_a_set_typo_in_a_transform_name_gets_a_did_you_mean(tiny, run_cli):
    code, _, err = run_cli("render", tiny, "--set", "transform[0].zooom.amount=0.2")
    assert_one_line_error(code, err, "--set transform[0].zooom.amount=0.2: transform[0] is zoom, not zooom",
                          "did you mean transform[0].zoom.amount?")
    code, _, err = run_cli("render", tiny, "--set", "transform[0].rotate.degrees=2")
    assert_one_line_error(code, err, "transform[0] is zoom, not rotate", "--set 'transform[0]={rotate:")


@pytest.mark.parametrize("name", sorted(p.stem for p in PRESETS.glob("*.yaml")))
def test_every_shipped_presets_formats_play_for_as_long(name):
    preset = load_preset(PRESETS / f"{name}.yaml", check_model=False, plugins="never")
    fps = {fmt: s.fps for fmt, s in preset.outputs.given().items() if s.fps is not None}  # (None: the clip's)
    assert len(set(fps.values())) <= 1, fps  # the same frames, for as long (a GIF: to its 1/100 s)


@pytest.mark.slow
def test_another_format_of_the_same_frames_is_made_without_resume(tiny, tmp_path, run_cli):
    code, _, err = run_cli("render", tiny, "-o", tmp_path / "a.webm", "-q")
    assert code == 0, err
    sheet, sidecar = (tmp_path / "a.sheet.png").read_bytes(), (tmp_path / "a.preset.yaml").read_text()
    code, out, err = run_cli("render", tiny, "-o", tmp_path / "a.webp")
    assert code == 0, err
    assert "(0 dreamed now)" in out and (tmp_path / "a.webp").is_file() and (tmp_path / "a.webm").is_file()
    assert (tmp_path / "a.sheet.png").read_bytes() == sheet and (tmp_path / "a.preset.yaml").read_text() == sidecar
    code, _, err = run_cli("render", tiny, "-o", tmp_path / "a.webp", "-q")  # made already: still refused
    assert_one_line_error(code, err, "a.webp: already exists", "--resume")
    code, _, err = run_cli("render", tiny, "-o", tmp_path / "a.gif", "--seed", 3, "-q")  # other frames: refused
    assert_one_line_error(code, err, "already exists")
