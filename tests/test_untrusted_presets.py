"""A preset's plugin files are code: `transforms PRESET` names them without running them, `plot`
runs them only when one of the preset's transforms comes from them, and `--no-plugins` (render,
plot, transforms) runs none, a preset that needs one failing in one line naming it."""
import pytest
import yaml

from conftest import REPO, SAMPLE, assert_one_line_error

# Importing this plugin leaves a mark: the tests see whether its code ran.
PLUGIN = '''
from pathlib import Path
from dreamanim import transform

Path(__file__).with_suffix(".ran").write_text("the plugin's code ran")


@transform("mine")
def mine(frame, ctx, *, amount: float = 0.5):
    """Darken by `amount`."""
    return frame * (1 - amount)
'''


@pytest.fixture(autouse=True)
def _each_test_sees_only_the_built_ins(fresh_registry):
    yield


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "mine.py").write_text(PLUGIN)
    return tmp_path


def ran(folder):
    return (folder / "mine.ran").exists()


def preset(folder, transform, name="p.yaml", **more):
    path = folder / name
    path.write_text(yaml.safe_dump({"input": str(SAMPLE), "size": 48, "frames": 2, "seed": 1,
                                    "dream": {"steps": 1, "octaves": 1}, "plugins": ["mine.py"],
                                    "transform": transform, "outputs": ["gif"], **more}))
    return path


NEEDS = ("transform[0].mine: is not a built-in or installed transform, so it needs the preset's plugin files ({}), "
         "and --no-plugins runs none (a plugin is Python code that runs on your machine: read it, then run "
         "again without --no-plugins)")


def test_render_with_no_plugins_refuses_a_preset_that_needs_one(run_cli, folder):
    path = preset(folder, [{"mine": {"amount": 0.1}}])
    code, _, err = run_cli("render", path, "--no-plugins", "-o", folder / "out")
    assert err == f"dreamanim: error: {path}: {NEEDS.format(folder / 'mine.py')}\n" and code == 2
    assert not ran(folder) and not (folder / "out.frames").exists()


@pytest.mark.slow
def test_render_with_no_plugins_renders_a_preset_that_does_not_need_them(run_cli, folder):
    code, _, err = run_cli("render", preset(folder, [{"zoom": {"amount": 0.02}}]), "--no-plugins",
                           "-o", folder / "out", "--quiet")
    assert code == 0, err
    assert not ran(folder) and (folder / "out.gif").is_file()


def test_plot_runs_plugins_only_for_a_transform_they_define(run_cli, folder):
    built_in = preset(folder, [{"zoom": {"amount": {0: 0.01, 1: 0.02}}}], name="built_in.yaml")
    code, out, err = run_cli("plot", built_in, "-o", folder / "a.png")
    assert code == 0, err
    assert not ran(folder) and (folder / "a.png").is_file()

    theirs = preset(folder, [{"mine": {"amount": {0: 0.1, 1: 0.2}}}], name="theirs.yaml")
    code, _, err = run_cli("plot", theirs, "-o", folder / "b.png", "--no-plugins")
    assert err == f"dreamanim: error: {theirs}: {NEEDS.format(folder / 'mine.py')}\n" and code == 2
    assert not ran(folder) and not (folder / "b.png").exists()
    code, out, err = run_cli("plot", theirs, "-o", folder / "b.png")  # it needs them: runs them
    assert code == 0, err
    assert ran(folder) and "transform[0].mine.amount" not in err and (folder / "b.png").is_file()


def test_transforms_names_a_presets_plugin_files_without_running_them(run_cli, folder):
    path = preset(folder, [{"mine": {}}])
    code, out, err = run_cli("transforms", path)
    assert code == 0, err
    assert not ran(folder) and "\nzoom " in out and "\nmine " not in out
    assert out.endswith("\nNot loaded (a plugin file is Python code: it runs when loaded, so read it first):\n"
                        f"    {folder / 'mine.py'}  (a plugin of {path}; list its transforms with "
                        f"`dreamanim transforms {folder / 'mine.py'}`)\n")

    code, out, err = run_cli("transforms", "--no-plugins", folder / "mine.py")
    assert code == 0 and not ran(folder) and "\nmine " not in out and "(--no-plugins; " in out

    code, out, err = run_cli("transforms", folder / "mine.py")  # asked for by name: it runs
    assert code == 0 and ran(folder) and "\nmine " in out


@pytest.mark.parametrize("command", ["render", "plot", "transforms"])
def test_the_help_says_a_preset_with_plugins_is_code(run_cli, command):
    code, out, _ = run_cli(command, "--help")
    text = " ".join(out.split())
    assert code == 0 and "--no-plugins" in text and "Python code" in text


def test_the_plugin_guide_says_it_near_the_top():
    guide = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert 0 < guide.index("## A preset with plugins is code") < guide.index("## The ten-line version")
    assert "treat such a preset like a script" in guide and "--no-plugins" in guide
