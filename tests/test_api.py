"""The Python API: render a preset given as data, dream stills with one model load, the CLI's errors."""
import re

import numpy as np
import pytest
import yaml

import dreamanim
from dreamanim import api

from conftest import REPO, SAMPLE

SMALL = {"input": "noise", "size": 32, "frames": 2, "dream": {"steps": 1, "octaves": 1},
         "outputs": {"gif": {"fps": 5}}}


def test_render_from_a_dict_returns_every_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = dreamanim.render(SMALL, "out/", progress=False)
    assert set(result.outputs) == {"gif", "sheet", "preset"}
    assert all(path.is_file() for path in result.outputs.values())
    assert result.outputs["gif"].resolve() == (tmp_path / "out" / "preset.gif").resolve()
    assert len(list(result.frames_folder.glob("frame_*.png"))) == 2 and result.rendered == 2
    again = dreamanim.render(yaml.safe_dump(SMALL), "out/", frames=3, resume=False, force=True, progress=False)
    assert again.frames == 3 and again.preset.frames == 3


def test_bad_input_raises_what_the_cli_prints(write_preset, run_cli):
    path = write_preset(dream={"steps": 0})
    code, _, err = run_cli("render", path, "-q")
    with pytest.raises(dreamanim.PresetError) as caught:
        dreamanim.render(path, progress=False)
    assert code == 2 and err == f"dreamanim: error: {caught.value.line()}\n"
    with pytest.raises(dreamanim.PresetError, match=r"^preset: dream.steps"):
        dreamanim.render({**SMALL, "dream": {"steps": 0}}, progress=False)
    with pytest.raises(dreamanim.PresetError, match="dream: octaves"):
        dreamanim.dream(np.zeros((32, 32, 3)), octaves=0)
    with pytest.raises(dreamanim.InputError, match="H x W x 3"):
        dreamanim.dream(np.zeros((32, 32)))
    with pytest.raises(dreamanim.ModelError):
        dreamanim.dream(np.zeros((32, 32, 3)), layers=["no_such_layer"])


def test_dream_loads_its_model_once(monkeypatch):
    from dreamanim.engine import dreamer as engine
    builds = []
    real = engine.Dreamer
    monkeypatch.setattr(engine, "Dreamer", lambda *a, **k: builds.append(a) or real(*a, **k))
    engine._dreamer.cache_clear()
    image = np.full((40, 48, 3), 128, np.uint8)
    first = dreamanim.dream(image, steps=1, octaves=1, seed=3)
    second = dreamanim.dream(SAMPLE, steps=1, octaves=1, size=40)
    assert len(builds) == 1 and first.shape == (40, 48, 3) and first.dtype == np.uint8
    assert max(second.shape[:2]) == 40
    assert np.array_equal(first, dreamanim.dream(image, steps=1, octaves=1, seed=3))


def test_the_python_docs_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "presets").symlink_to(REPO / "presets")
    blocks = re.findall(r"^```python\n(.*?)\n```", (REPO / "docs" / "python.md").read_text(), re.S | re.M)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/python.md", "exec"), {})
