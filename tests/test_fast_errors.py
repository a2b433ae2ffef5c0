"""A mistake in a preset is reported without TensorFlow (or SciPy) ever being imported: at once.

The time itself is measured by benchmarks/preset_error.py, not asserted here.
"""
import subprocess
import sys

import pytest

from conftest import REPO, assert_one_line_error

PROBE = ("import sys; from dreamanim.cli.main import main; code = main(sys.argv[1:]); "
         "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'scipy'}); "
         "sys.stdout.write(','.join(heavy)); sys.exit(code)")


def run_fresh(*args, cwd=REPO):
    """`dreamanim ARGS` in a new Python process => (exit code, heavy libraries imported, stderr)."""
    run = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                         timeout=120)
    return run.returncode, run.stdout, run.stderr


@pytest.mark.parametrize("override, fragment", [
    ("dream.setps=3", "dream.setps: unknown key; did you mean 'steps'?"),
    ("transform[0].stretch.amout=0.1", "amout"),
    ("input=missing.png", "missing.png"),
    ("frames=0", "frames"),
])
def test_a_preset_error_is_reported_without_importing_tensorflow(override, fragment):
    code, heavy, err = run_fresh("render", REPO / "presets" / "vertical_stretch.yaml", "--set", override)
    assert_one_line_error(code, err, fragment)
    assert not {"tensorflow", "keras"} & set(heavy.split(",")), f"imported {heavy} before reporting {err!r}"
    if override == "dream.setps=3":  # a schema error: not even SciPy (the transforms' helpers) is loaded
        assert heavy == "", heavy


@pytest.mark.slow
def test_the_python_api_starts_tensorflow_quietly(tmp_path):
    script = "import numpy as np, dreamanim; print(dreamanim.dream(np.full((48, 48, 3), 120.0), steps=1, octaves=1).shape)"
    env = {k: v for k, v in __import__("os").environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "(48, 48, 3)", run.stderr
    assert run.stderr == ""  # no absl warning, oneDNN, CUDA probing or cuInit lines
