"""A path typed on the command line is read from the current folder (--set input=, --set audio=,
--audio, batch --inputs), never from the preset's; a --inputs glob matching nothing is one line."""
import json
import shutil

import pytest
import yaml

from conftest import SAMPLE, assert_one_line_error
from dreamanim.api import overrides_for, read_preset
from dreamanim.batch import expand

TINY = {"input": "noise", "size": 48, "frames": 2, "dream": {"steps": 1, "octaves": 1},
        "transform": [{"zoom": {"amount": 0.05}}], "outputs": {"gif": {"fps": 5}}}


@pytest.fixture
def apart(tmp_path, monkeypatch):
    """A preset in presets/, the user in work/ holding odd.png: the two folders differ."""
    (tmp_path / "presets").mkdir()
    (tmp_path / "work").mkdir()
    preset = tmp_path / "presets" / "zoom.yaml"
    preset.write_text(yaml.safe_dump(TINY))
    shutil.copy(SAMPLE, tmp_path / "work" / "odd.png")
    monkeypatch.chdir(tmp_path / "work")
    return preset


def test_set_input_and_audio_are_read_from_the_current_folder(apart, tmp_path):
    preset = read_preset(apart, overrides_for(["input=odd.png"]), check_model=False)
    assert preset.input == str(tmp_path / "work" / "odd.png")
    assert read_preset(apart, overrides_for(["input=noise"]), check_model=False).input == "noise"
    assert overrides_for(["audio=x.mp3"]) == ["frames=", f"audio={json.dumps(str(tmp_path / 'work' / 'x.mp3'))}"]
    assert overrides_for(["plugins=[a.py]", "dream.steps=3"])[0] == f"plugins={json.dumps([str(tmp_path / 'work' / 'a.py')])}"


@pytest.mark.slow
def test_batch_inputs_from_another_folder_render_each_match(apart, tmp_path, run_cli):
    jobs = expand([str(apart)], inputs=["od*.png"])
    assert [j.overrides for j in jobs] == [(f"input={tmp_path / 'work' / 'odd.png'}",)]
    code, _, err = run_cli("batch", apart, "-o", "s/", "--inputs", "od*.png", "--workers", "1", "-q")
    assert code == 0, err
    assert (tmp_path / "work" / "s" / "zoom" / "zoom.gif").is_file()


def test_a_batch_glob_matching_nothing_is_one_line(apart, tmp_path, run_cli):
    code, _, err = run_cli("batch", apart, "-o", "s/", "--inputs", "nothing*.png")
    assert_one_line_error(code, err, "--inputs nothing*.png: matches no file in", "quote it")
    assert not (tmp_path / "work" / "s").exists()
