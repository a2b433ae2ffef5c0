"""User plugins through the CLI: loaded from a preset or a package, listed, and every way they
can go wrong gives one line naming the transform and its file, exit 2, and loses no frame."""
import re
import sys
import textwrap

import imageio.v3 as iio
import numpy as np
import pytest
import yaml

from dreamanim import FrameContext
from dreamanim import preset as config
from dreamanim.motion import registry

from conftest import REPO, SAMPLE, assert_one_line_error

EXAMPLES = REPO / "examples"
HEADER = "import numpy as np\nfrom dreamanim import transform, FrameContext, affine\n\n"


@pytest.fixture(autouse=True)
def _each_test_sees_only_the_built_ins(fresh_registry):
    yield


def write_plugin(folder, body, name="mine.py"):
    path = folder / name
    path.write_text(HEADER + textwrap.dedent(body))
    return path


def write_preset(folder, transform, plugins=("mine.py",), frames=1, name="p.yaml"):
    data = {"input": str(SAMPLE), "size": 48, "frames": frames, "seed": 1,
            "dream": {"steps": 1, "octaves": 1}, "plugins": list(plugins),
            "transform": transform, "outputs": ["gif"]}
    path = folder / name
    path.write_text(yaml.safe_dump(data))
    return path


MINE = '''
@transform("mine")
def mine(frame, ctx: FrameContext, *, amount: float = 0.05, steps: int = 1):
    """Zoom by amount, steps times."""
    if not 0 <= amount < 0.5:
        raise ValueError(f"amount must be between 0 and 0.5, got {amount}")
    for _ in range(steps):
        frame = affine.scale(frame, sy=1 - amount, sx=1 - amount)
    return frame
'''


# --- loading: nothing is rendered, nothing is written ---------------------------------------

def test_plugin_reusing_a_built_in_name(run_cli, tmp_path):
    write_plugin(tmp_path, '@transform("zoom")\ndef z(frame, ctx, *, amount: float = 0.1):\n    return frame\n')
    code, _, err = run_cli("render", write_preset(tmp_path, ["zoom"]), "-o", tmp_path / "a")
    assert_one_line_error(code, err, "'zoom'", str(tmp_path / "mine.py"), "built-in", "zoom.py", "another name")
    assert not list(tmp_path.glob("a.*"))


def test_two_plugins_defining_the_same_name(run_cli, tmp_path):
    write_plugin(tmp_path, MINE)
    write_plugin(tmp_path, MINE, name="other.py")
    code, _, err = run_cli("render", write_preset(tmp_path, ["mine"], plugins=["mine.py", "other.py"]))
    assert_one_line_error(code, err, "'mine'", str(tmp_path / "other.py"), f"plugin {tmp_path / 'mine.py'}")


def test_missing_plugin_file(run_cli, tmp_path):
    code, _, err = run_cli("render", write_preset(tmp_path, ["mine"], plugins=["plugins/nope.py"]))
    assert_one_line_error(code, err, "p.yaml: plugins[0]", "not found", str(tmp_path / "plugins" / "nope.py"),
                          "relative to the preset")


@pytest.mark.parametrize("body, fragments", [
    ("def broken(:\n", [":4: failed to import: SyntaxError"]),
    ("x = 1\nraise RuntimeError('no GPU here')\n", [":5: failed to import: RuntimeError: no GPU here"]),
    ("import scipy_typo\n", [":4:", "ModuleNotFoundError", "install scipy_typo"]),
    ('@transform("mine")\ndef mine(frame, ctx, amount: float = 0.1):\n    return frame\n',
     ["'mine'", "'amount' must be keyword-only", "fn(frame, ctx, *, param: type = default)"]),
    ('@transform("mine")\ndef mine(frame, *, amount: float = 0.1):\n    return frame\n',
     ["'mine' must take (frame, ctx) first"]),
], ids=["syntax", "raises", "missing-module", "positional-param", "no-ctx"])
def test_plugin_that_fails_to_import(run_cli, tmp_path, body, fragments):
    write_plugin(tmp_path, body)
    code, _, err = run_cli("render", write_preset(tmp_path, ["zoom"]), "-o", tmp_path / "a")
    assert_one_line_error(code, err, f"plugin {tmp_path / 'mine.py'}", *fragments)
    assert not list(tmp_path.glob("a.*"))


def test_a_plugin_that_fails_registers_nothing(tmp_path):
    write_plugin(tmp_path, MINE + "\nraise RuntimeError('after registering')\n")
    with pytest.raises(registry.PluginError):
        registry.load_plugin_file(tmp_path / "mine.py")
    assert "mine" not in registry._registry


@pytest.mark.parametrize("params, fragments", [
    ({"amuont": 0.1}, ["transform[0].mine.amuont", "unknown key", "did you mean 'amount'"]),
    ({"amount": "lots"}, ["transform[0].mine.amount", "must be a valid number", "'lots'"]),
    ({"amount": True}, ["transform[0].mine.amount", "must be a valid number"]),
    ({"steps": 2.5}, ["transform[0].mine.steps", "must be a valid integer"]),
    ({"amount": 0.7}, ["transform[0].mine: amount must be between 0 and 0.5, got 0.7"]),
], ids=["unknown", "string-for-float", "bool-for-float", "float-for-int", "own-check"])
def test_bad_parameters_name_the_transform_and_its_file(run_cli, tmp_path, params, fragments):
    write_plugin(tmp_path, MINE)
    code, _, err = run_cli("render", write_preset(tmp_path, [{"mine": params}]), "-o", tmp_path / "a")
    assert_one_line_error(code, err, *fragments, f"the plugin {tmp_path / 'mine.py'} defines "
                          "mine(amount: float = 0.05, steps: int = 1)")
    assert not list(tmp_path.glob("a.*"))


def test_a_libraries_value_error_says_which_plugin_line_called_it(run_cli, tmp_path):
    write_plugin(tmp_path, '''
        @transform("mine")
        def mine(frame, ctx, *, wobble: float = 1.0):
            """Noisy."""
            return frame + ctx.rng.normal(0, wobble, frame.shape).astype(np.float32)
        ''')
    code, _, err = run_cli("render", write_preset(tmp_path, [{"mine": {"wobble": -1}}]), "-o", tmp_path / "a")
    assert_one_line_error(code, err, "transform[0].mine: ValueError: scale < 0", f"at {tmp_path / 'mine.py'}:8")


def test_a_transform_broken_from_the_start_fails_before_frame_one(run_cli, tmp_path):
    write_plugin(tmp_path, '@transform("mine")\ndef mine(frame, ctx):\n    """Wrong dtype."""\n'
                           '    return frame.astype(np.float64)\n')
    code, _, err = run_cli("render", write_preset(tmp_path, ["mine"]), "-o", tmp_path / "a")
    assert_one_line_error(code, err, f"transform 'mine' ({tmp_path / 'mine.py'})", "test frame",
                          "returned float64", "astype(np.float32)")
    assert not list(tmp_path.glob("a.*"))


# --- rendering: a transform that goes wrong at frame 2 --------------------------------------

BROKEN_AT_FRAME_2 = {
    "shape": ("return frame[:-1]", ["returned float32 (31, 48, 3), expected float32 (32, 48, 3)"]),
    "dtype": ("return frame.astype(np.float64)", ["returned float64", "astype(np.float32)"]),
    "nan": ("return frame * np.nan", ["NaN or infinite"]),
    "raises": ("raise RuntimeError('boom')", [":9) on frame 2", "raised RuntimeError: boom"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", BROKEN_AT_FRAME_2)
def test_render_time_failure_keeps_frames_and_resume_continues_once_fixed(run_cli, tmp_path, kind):
    bad, fragments = BROKEN_AT_FRAME_2[kind]
    plugin = write_plugin(tmp_path, f'''
        @transform("mine")
        def mine(frame, ctx: FrameContext):
            """Fine on frame 1, broken after."""
            if ctx.t >= 1:
                {bad}
            return frame
        ''')
    preset, out = write_preset(tmp_path, ["mine"], frames=3), tmp_path / "out" / "a"
    code, _, err = run_cli("render", preset, "-o", out, "-q")
    assert_one_line_error(code, err, f"transform 'mine' ({plugin}", "on frame 2", *fragments,
                          "the 2 frame(s) so far are kept", "--resume")
    assert sorted(p.name for p in (tmp_path / "out" / "a.frames").glob("*.png")) == \
        ["frame_00001.png", "frame_00002.png"]
    assert not (tmp_path / "out" / "a.gif").exists()

    plugin.write_text(plugin.read_text().replace(bad, "pass"))
    code, _, err = run_cli("render", preset, "-o", out, "-q", "--resume")
    assert code == 0, err
    assert iio.imread(tmp_path / "out" / "a.gif", index=None).shape[0] == 3


# --- installed packages: the dreamanim.transforms entry-point group -------------------------

def fake_package(tmp_path, module_text, name="fake_pkg_swirl", ep_name="fakeswirl"):
    """A pip-installed package as Python sees it: the module and a dist-info with entry_points.txt."""
    site = tmp_path / "site"
    (site / f"{name}-1.0.dist-info").mkdir(parents=True)
    info = site / f"{name}-1.0.dist-info"
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[dreamanim.transforms]\n{ep_name} = {name}\n")
    (site / f"{name}.py").write_text(HEADER + textwrap.dedent(module_text))
    return site


SWIRLY = '''
@transform("fakeswirl")
def fakeswirl(frame, ctx: FrameContext, *, turns: float = 0.5):
    """A package's transform."""
    return frame
'''


@pytest.mark.slow
def test_entry_point_plugin_is_imported_only_when_a_preset_names_it(run_cli, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(fake_package(tmp_path, SWIRLY)))
    config.load_preset(write_preset(tmp_path, ["zoom"], plugins=[]))
    assert "fake_pkg_swirl" not in sys.modules and "fakeswirl" not in registry._registry

    code, _, err = run_cli("render", write_preset(tmp_path, [{"fakeswirl": {"turns": 2}}], plugins=[]),
                           "-o", tmp_path / "a", "-q")
    assert code == 0, err
    assert "fake_pkg_swirl" in sys.modules
    assert registry.get("fakeswirl").origin == "package fake_pkg_swirl"

    code, out, _ = run_cli("transforms")
    assert code == 0
    assert re.search(r"fakeswirl +A package's transform\.  \[package fake_pkg_swirl .*fake_pkg_swirl\.py\]", out)


@pytest.mark.parametrize("module_text, fragments", [
    ("raise ImportError('needs libfoo')\n", ["entry point 'fakeswirl' = fake_pkg_swirl of package fake_pkg_swirl",
                                             "fake_pkg_swirl.py:4", "ImportError: needs libfoo"]),
    (SWIRLY.replace('"fakeswirl"', '"other"'), ["fake_pkg_swirl.py (entry point",
                                                  "registered no transform named 'fakeswirl'",
                                                  '@transform("fakeswirl")']),
    (SWIRLY.replace('"fakeswirl"', '"zoom"'),
     ["fake_pkg_swirl.py", "'zoom' is already defined by the built-in"]),
], ids=["import-error", "wrong-name", "duplicate"])
def test_broken_entry_point_plugin(run_cli, tmp_path, monkeypatch, module_text, fragments):
    monkeypatch.syspath_prepend(str(fake_package(tmp_path, module_text)))
    code, _, err = run_cli("render", write_preset(tmp_path, ["fakeswirl"], plugins=[]), "-o", tmp_path / "a")
    assert_one_line_error(code, err, *fragments)
    assert not list(tmp_path.glob("a.*"))


# --- `dreamanim transforms` ---------------------------------------------------------------

def test_transforms_lists_built_ins_with_types_defaults_and_docs(run_cli):
    code, out, _ = run_cli("transforms")
    assert code == 0
    assert re.search(r"^zoom +Zoom in by 1/\(1-amount\)", out, re.M)
    assert "    amount: float = 0.05\n" in out and "    axis: vertical|horizontal = 'vertical'\n" in out
    assert "[plugin" not in out  # built-ins carry no origin tag


def test_transforms_lists_a_plugin_files_transforms(run_cli):
    # (a preset's plugin files are named, not run: tests/test_untrusted_presets.py)
    code, out, err = run_cli("transforms", EXAMPLES / "plugins" / "swirl.py")
    assert code == 0, err
    tag = rf"\[plugin {re.escape(str(EXAMPLES / 'plugins' / 'swirl.py'))}\]"
    assert re.search(rf"^swirl +Turn by `strength` degrees.*{tag}$", out, re.M)
    for line in ("strength: float = 4.0", "radius: float = 0.3", "center: [float, float] = [0.5, 0.5]",
                 "border: reflect|wrap|nearest|constant = 'reflect'"):
        assert f"    {line}\n" in out
    assert "\nzoom " in out  # the built-ins are still listed


def test_transforms_with_a_missing_file(run_cli, tmp_path):
    assert_one_line_error(*run_cli("transforms", tmp_path / "nope.py")[::2], "nope.py", "not found")
    assert_one_line_error(*run_cli("transforms", tmp_path / "nope.yaml")[::2], "nope.yaml", "not found")


def test_transforms_help_says_how_to_list_a_plugin(run_cli):
    code, out, _ = run_cli("transforms", "--help")
    assert code == 0 and "FILE" in out and "docs/plugins.md" in out


# --- the guide and its example ------------------------------------------------------------

def test_the_guides_ten_line_plugin_works_as_written(run_cli, tmp_path):
    guide = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    first = re.search(r"```python\n(.*?)```", guide, re.S).group(1)
    assert len(first.strip().splitlines()) <= 12
    (tmp_path / "my_plugin.py").write_text(first)
    code, out, err = run_cli("transforms", tmp_path / "my_plugin.py")
    assert code == 0 and "[plugin " in out, err


def test_swirl_turns_each_pixel_by_an_angle_that_halves_every_radius():
    registry.load_plugin_file(EXAMPLES / "plugins" / "swirl.py")
    swirl = registry.get("swirl").fn
    ctx = lambda seed=0: FrameContext(t=0, frames=2, rng=np.random.default_rng(seed))  # noqa: E731
    rows, cols = np.mgrid[0:41, 0:41].astype(np.float32)
    f = np.stack([rows * 5, cols * 5, np.zeros_like(rows)], axis=-1)  # each pixel holds its own (row, col)
    np.testing.assert_allclose(swirl(f, ctx(), strength=0.0), f, atol=1e-3)
    out = swirl(f, ctx(), strength=30.0, radius=0.2)
    assert out.shape == f.shape and out.dtype == np.float32
    for d in (3, 8, 15):  # the pixel d to the right of the centre samples the input turned by the angle
        src_row, src_col = out[20, 20 + d, :2] / 5 - 20
        angle = np.degrees(np.arctan2(src_row, src_col))
        assert abs(angle) == pytest.approx(30 * 0.5 ** (d / (0.2 * 41)), abs=0.5), d
    noisy = np.random.default_rng(0).uniform(0, 255, f.shape).astype(np.float32)
    assert np.array_equal(swirl(noisy, ctx(3), jitter=0.1), swirl(noisy, ctx(3), jitter=0.1))  # seeded
    assert not np.array_equal(swirl(noisy, ctx(3), jitter=0.1), swirl(noisy, ctx(4), jitter=0.1))


@pytest.mark.slow
def test_example_swirl_preset_renders(run_cli, tmp_path):
    tiny = ["size=48", "frames=2", "dream.steps=1", "dream.octaves=1", "first_frame.steps=1",
            "first_frame.octaves=1"]
    args = [a for kv in tiny for a in ("--set", kv)]
    code, _, err = run_cli("render", EXAMPLES / "swirl.yaml", *args, "-o", tmp_path / "swirl.gif", "-q")
    assert code == 0, err
    assert iio.imread(tmp_path / "swirl.gif", index=None).shape[0] == 2
    assert len(list((tmp_path / "swirl.frames").glob("frame_*.png"))) == 2
