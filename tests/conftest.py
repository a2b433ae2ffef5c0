"""Shared fixtures: tiny presets written into tmp_path, the CLI run in-process, models loaded once."""
import os
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[1]
PRESETS = REPO / "presets"
SAMPLE = PRESETS / "chelsea.png"

# Tiny but real: the default model dreams a 48 px image for a couple of steps.
TINY = {
    "input": str(SAMPLE), "size": 48, "frames": 3, "seed": 1,
    "dream": {"steps": 2, "octaves": 2, "octave_scale": 1.4},
    "first_frame": {"steps": 3},
    "transform": [{"stretch": {"axis": "vertical", "amount": 0.05}}],
    "outputs": {"gif": {"fps": 10}, "mp4": {"fps": 10}},
}


def assert_one_line_error(code, err, *fragments):
    """Bad input: exit 2, one line `dreamanim: error: where: what (fix)`, no traceback."""
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("dreamanim: error: "), err
    assert "Traceback" not in err and "(" in err  # every message carries its fix in parentheses
    for fragment in fragments:
        assert fragment in err, (fragment, err)


@pytest.fixture
def write_preset(tmp_path):
    def write(name="tiny", **changes):
        data = {**TINY, **changes}
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data))
        return path
    return write


@pytest.fixture
def run_cli(capsys):
    """Run `dreamanim ARGS` in-process; returns (exit code, stdout, stderr)."""
    from dreamanim.cli.main import main

    def run(*args):
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture
def fresh_registry():
    """Each test sees only the built-ins: the transforms, parameter models and plugin modules
    a test loads are dropped afterwards, so two tests may both define `mine`."""
    import sys

    from dreamanim.motion import plugins, registry
    registry.get("zoom")  # the built-ins load once, and stay
    saved, modules = dict(registry._registry), set(sys.modules)
    yield
    registry._registry.clear()
    registry._registry.update(saved)
    for name in set(sys.modules) - modules:
        if name.startswith((plugins.PLUGIN_MODULE_PREFIX, "fake_pkg")):
            del sys.modules[name]


class QuietProgress:
    """A progress sink that shows nothing: tests subclass it to act at one point of a render."""
    def frames(self, total, done): pass
    def frame(self, t, steps): pass
    def step(self, objective): pass
    def frame_done(self, t): pass
    def writing(self, name, total): pass
    def wrote_frame(self): pass
    def written(self): pass


class Interrupt(QuietProgress):
    """Interrupts the render like Ctrl-C after `after` frames."""
    def __init__(self, after):
        self.after = after

    def frame_done(self, t):
        if t + 1 == self.after:
            raise KeyboardInterrupt


def frames_hash_of(preset):
    """The frames hash a render of `preset` records (what --resume compares)."""
    from dreamanim.rendering.plan import Plan
    from dreamanim.rendering.store import frames_hash
    return frames_hash(Plan(preset).identity())
