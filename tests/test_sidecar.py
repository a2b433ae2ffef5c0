"""Every render can be reproduced: OUTPUT.preset.yaml renders the same frames again, and the
frames, the sheet, the GIF and the MP4 carry the same resolved preset in their metadata."""
import json
import shutil
import subprocess

import imageio.v3 as iio
import numpy as np
import pytest
import yaml
from PIL import Image

from conftest import PRESETS, SAMPLE, TINY, assert_one_line_error
from dreamanim import __version__
from dreamanim.preset import load_preset
from dreamanim.rendering.sidecar import resolved, sidecar_text


@pytest.fixture
def relative_preset(tmp_path):
    """A tiny preset whose input is relative to its own folder, as users write them."""
    folder = tmp_path / "presets"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "cat.png")
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump({**TINY, "input": "cat.png", "frames": 2}))
    return path


def test_sidecar_is_a_preset_with_every_key_absolute_paths_and_the_command_line(relative_preset, tmp_path):
    preset = load_preset(relative_preset, ["dream.steps=1", "seed=42"])
    text = sidecar_text(preset)
    assert text.startswith(f"# Rendered by dreamanim {__version__}")
    elsewhere = tmp_path / "far" / "away"
    elsewhere.mkdir(parents=True)
    (elsewhere / "again.yaml").write_text(text)
    again = load_preset(elsewhere / "again.yaml")   # the input is found from anywhere
    assert again.input == str(relative_preset.parent / "cat.png")
    assert (again.seed, again.dream.steps, again.frames, again.size) == (42, 1, 2, 48)
    assert again.dream.layers == {"block9_add": 1.0, "block10_add": 0.5}  # the model's default, named
    assert again.dream.step_size == 0.04
    data = yaml.safe_load(text)
    assert data["transform"] == [{"stretch": {"axis": "vertical", "amount": 0.05, "center": [0.5, 0.5],
                                              "border": "reflect", "order": 1}}]  # defaults filled in
    assert "output" not in data
    assert resolved(again) == resolved(preset)  # a fixed point


@pytest.mark.parametrize("name", sorted(p.stem for p in PRESETS.glob("*.yaml")))
def test_every_shipped_preset_survives_the_round_trip(name, tmp_path):
    preset = load_preset(PRESETS / f"{name}.yaml")
    (tmp_path / "x.preset.yaml").write_text(sidecar_text(preset))
    again = load_preset(tmp_path / "x.preset.yaml")
    assert resolved(again) == resolved(preset)
    assert again.schedules_data() == preset.schedules_data()  # keyframes and expressions kept
    for t in (0, 1, preset.frames // 2, preset.frames - 1):  # every frame is dreamed the same way
        assert effective(again, t) == effective(preset, t), t


def effective(preset, t):
    """Frame t's dream settings with the model's defaults named (paths are absolute once loaded)."""
    from dreamanim.engine.models import model_entry
    settings, entry = preset.dream_for(t), model_entry(preset.model)
    return settings.model_copy(update={"layers": settings.layers or dict(entry.default_layers),
                                       "step_size": settings.step_size or entry.default_step})


def test_an_existing_sheet_or_sidecar_is_kept_without_force(run_cli, write_preset, tmp_path):
    for name in ("anim.sheet.png", "anim.preset.yaml"):
        mine = tmp_path / name
        mine.write_bytes(b"mine")
        code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim")
        assert_one_line_error(code, err, name, "already exists", "--force")
        assert mine.read_bytes() == b"mine" and not (tmp_path / "anim.frames").exists()
        mine.unlink()


def mp4_comment(path):
    import imageio_ffmpeg
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
                          capture_output=True, text=True, check=True)
    return next(line[len("comment="):] for line in done.stdout.splitlines() if line.startswith("comment="))


@pytest.mark.slow
def test_the_sidecar_renders_the_same_frames_and_every_output_carries_it(relative_preset, run_cli, tmp_path,
                                                                          monkeypatch):
    data = yaml.safe_load(relative_preset.read_text())  # with keyframes and an expression, too
    data["dream"]["step_size"] = {0: 0.02, 1: 0.04, "interpolation": "smooth"}
    data["transform"] = [{"stretch": {"amount": "0.05 - 0.01 * t"}}]
    relative_preset.write_text(yaml.safe_dump(data))
    code, out, err = run_cli("render", relative_preset, "-o", tmp_path / "out" / "anim", "--seed", 5)
    assert code == 0, err
    assert "anim.sheet.png" in out and "anim.preset.yaml" in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "anim.frames", "anim.gif", "anim.mp4", "anim.preset.yaml", "anim.sheet.png"]
    sidecar = tmp_path / "out" / "anim.preset.yaml"

    monkeypatch.chdir(tmp_path / "out")  # somewhere else, relative paths and all
    code, _, err = run_cli("render", "anim.preset.yaml", "-o", tmp_path / "again" / "anim", "--quiet")
    assert code == 0, err
    first = sorted((tmp_path / "out" / "anim.frames").glob("frame_*.png"))
    again = sorted((tmp_path / "again" / "anim.frames").glob("frame_*.png"))
    assert len(first) == len(again) == 2
    assert all(np.array_equal(iio.imread(a), iio.imread(b)) for a, b in zip(first, again))

    stored = json.loads(Image.open(first[1]).text["dreamanim"])   # PNG tEXt of a frame
    assert stored["dreamanim"] == __version__ and stored["seed"] == 5
    written = yaml.safe_load(sidecar.read_text())
    assert written["dream"]["step_size"] == {0: 0.02, 1: 0.04, "interpolation": "smooth"}
    assert written["transform"][0]["stretch"]["amount"] == "0.05 - 0.01 * t"
    assert stored["preset"] == json.loads(json.dumps(written))  # the same, JSON's keys being strings
    for path, text in ((tmp_path / "out" / "anim.sheet.png", lambda p: Image.open(p).text["dreamanim"]),
                       (tmp_path / "out" / "anim.gif", lambda p: Image.open(p).info["comment"].decode("ascii")),
                       (tmp_path / "out" / "anim.mp4", mp4_comment)):
        assert json.loads(text(path)) == stored, path
