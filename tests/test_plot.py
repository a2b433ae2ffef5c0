"""`dreamanim plot`: a PNG chart with one panel per scheduled value, never over a file the user has,
without TensorFlow."""
import subprocess
import sys

import numpy as np
from PIL import Image

from conftest import REPO, assert_one_line_error

SCHEDULED = {
    "frames": 30,
    "dream": {"steps": {0: 1, 29: 4, "interpolation": "step"}, "step_size": "0.02 + 0.01*sin(2*pi*t/T)"},
    "transform": [{"zoom": {"amount": {0: 0.01, 15: 0.06, 29: 0.01, "interpolation": "smooth"}}}],
}
LINE = np.array([0x1F, 0x77, 0xB4])  # matplotlib's tab:blue, the colour of the curves


def test_plot_writes_one_panel_per_scheduled_value(write_preset, run_cli, tmp_path):
    out = tmp_path / "chart.png"
    code, stdout, err = run_cli("plot", write_preset(**SCHEDULED), "-o", out)
    assert code == 0, err
    assert str(out) in stdout and "3 scheduled value(s) over 30 frames" in stdout
    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert image.shape == (3 * 200, 900, 3)  # 900 px wide, 200 px per panel
    for panel in np.split(image, 3):  # every panel has a curve drawn in it
        assert (np.abs(panel - LINE).sum(axis=-1) < 30).sum() > 200


def test_the_chart_follows_frames_and_set(write_preset, run_cli, tmp_path):
    code, _, err = run_cli("plot", write_preset(**SCHEDULED), "-o", tmp_path / "one.png", "--frames", 90,
                           "--set", "dream.step_size=0.02", "--set", "dream.steps=2")
    assert code == 0, err
    assert Image.open(tmp_path / "one.png").size == (900, 200)


def test_the_default_name_is_the_presets_in_the_current_folder(write_preset, run_cli, tmp_path, monkeypatch):
    preset = write_preset("cat", **SCHEDULED)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("plot", preset)
    assert code == 0, err
    assert Image.open(tmp_path / "cat.schedules.png").size == (900, 600)


def test_a_preset_without_schedules_says_so(write_preset, run_cli, tmp_path):
    code, _, err = run_cli("plot", write_preset(), "-o", tmp_path / "chart.png")
    assert_one_line_error(code, err, "no scheduled values", "docs/schedules.md")
    assert not (tmp_path / "chart.png").exists()


def test_an_existing_chart_is_kept_unless_force(write_preset, run_cli, tmp_path):
    out = tmp_path / "chart.png"
    out.write_bytes(b"my own picture")
    preset = write_preset(**SCHEDULED)
    code, _, err = run_cli("plot", preset, "-o", out)
    assert_one_line_error(code, err, str(out), "already exists", "--force")
    assert out.read_bytes() == b"my own picture"
    code, _, err = run_cli("plot", preset, "-o", out, "--force")
    assert code == 0, err
    assert Image.open(out).size == (900, 600)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".png"] == ["chart.png"]  # no temporary left


def test_the_chart_must_be_a_png(write_preset, run_cli, tmp_path):
    code, _, err = run_cli("plot", write_preset(**SCHEDULED), "-o", tmp_path / "chart.jpg")
    assert_one_line_error(code, err, "chart.jpg", ".png")


def test_plot_does_not_load_tensorflow(write_preset, tmp_path):
    preset = write_preset(**SCHEDULED)
    script = ("import sys; from dreamanim.cli.main import main; "
              f"code = main(['plot', {str(preset)!r}, '-o', {str(tmp_path / 'c.png')!r}]); "
              "sys.exit(code or (3 if 'tensorflow' in sys.modules else 0))")
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # and so none of its start-up chatter either


def test_plot_help(run_cli):
    code, out, _ = run_cli("plot", "--help")
    assert code == 0
    for flag in ("PRESET", "--output", "--frames", "--set", "--force", "docs/schedules.md"):
        assert flag in out, flag
