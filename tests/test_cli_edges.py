"""What a careless user types: odd -o values, an empty preset, a plugin that is not Python or
calls sys.exit(), a 100,000-character value. A clear line or a documented meaning, never a traceback."""
import errno
import textwrap

import pytest
import yaml

from conftest import SAMPLE, assert_one_line_error

from dreamanim.errors import PresetError, shown
from dreamanim.common.writers import cannot_write


@pytest.fixture(autouse=True)
def _each_test_sees_only_the_built_ins(fresh_registry):
    yield


def one_frame(write_preset):
    return write_preset(frames=1, outputs=["gif"])


# --- -o ------------------------------------------------------------------------------------

def test_an_empty_output_name(run_cli, write_preset):
    code, _, err = run_cli("render", write_preset(), "-o", "")
    assert err == ("dreamanim: error: -o '': is an empty output name (give a base name such as "
                   "renders/cat, or a folder such as renders/)\n") and code == 2


@pytest.mark.slow
@pytest.mark.parametrize("output, folder", [(".", "here"), ("..", "."), ("new/", "here/new"), ("old", "here/old")])
def test_a_folder_output_holds_the_outputs_under_the_presets_name(run_cli, write_preset, tmp_path, monkeypatch,
                                                                  output, folder):
    preset = one_frame(write_preset)
    (tmp_path / "here" / "old").mkdir(parents=True)  # an existing folder, given without the slash
    monkeypatch.chdir(tmp_path / "here")
    code, _, err = run_cli("render", preset, "-o", output, "--quiet")
    assert code == 0, err
    made = sorted(p.name for p in (tmp_path / folder).iterdir() if p.name.startswith("tiny."))
    assert made == ["tiny.frames", "tiny.gif", "tiny.preset.yaml", "tiny.sheet.png", "tiny.yaml"][:5 if folder == "." else 4]


def test_a_renders_frames_folder_as_output(run_cli, write_preset, tmp_path):
    (tmp_path / "anim.frames").mkdir()
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim.frames")
    assert_one_line_error(code, err, f"-o {tmp_path / 'anim.frames'}: is the frames folder of a render",
                          f"-o {tmp_path / 'anim'}")


def test_sheet_and_plot_outputs_that_are_folders(run_cli, write_preset, tmp_path):
    preset = write_preset(transform=[{"zoom": {"amount": {0: 0.01, 2: 0.02}}}])
    code, _, err = run_cli("plot", preset, "-o", tmp_path / "chart/")
    assert_one_line_error(code, err, "the chart is a PNG image", "ending in .png")
    (tmp_path / "x.png").mkdir()
    code, _, err = run_cli("plot", preset, "-o", tmp_path / "x.png", "--force")
    assert_one_line_error(code, err, f"{tmp_path / 'x.png'}: is a folder (give a file name")


# --- an empty preset ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n# and another\n", "---\n"])
def test_an_empty_preset(run_cli, tmp_path, text):
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    code, _, err = run_cli("render", path)
    assert err == (f"dreamanim: error: {path}: the preset is empty (it holds no keys, at most comments) "
                   "(give at least one key: `input: noise` is enough to render from the defaults; "
                   "see docs/presets.md)\n") and code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.yaml"]


# --- plugins that are not Python, or that exit -----------------------------------------------

def preset_with(tmp_path, plugins, transform=()):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"input": str(SAMPLE), "size": 48, "frames": 3, "seed": 1,
                                    "dream": {"steps": 1, "octaves": 1}, "plugins": list(plugins),
                                    "transform": list(transform), "outputs": ["gif"]}))
    return path


def test_a_plugin_that_is_not_a_python_file(run_cli, tmp_path):
    (tmp_path / "notes.txt").write_text("remember the milk")
    (tmp_path / "folder").mkdir()
    (tmp_path / "compiled.pyc").write_bytes(b"\x00\x01garbage")
    for name, what in (("notes.txt", "not a Python source file"), ("folder", "is a folder, not a plugin file"),
                       ("compiled.pyc", "not a Python source file")):
        code, _, err = run_cli("render", preset_with(tmp_path, [name]), "-o", tmp_path / "out")
        assert_one_line_error(code, err, f"p.yaml: plugins[0]: ", what, str(tmp_path / name))
    code, _, err = run_cli("transforms", tmp_path / "compiled.pyc")
    assert_one_line_error(code, err, "compiled.pyc: is not a Python source file (give the plugin's .py file)")
    code, _, err = run_cli("transforms", tmp_path / "folder")
    assert_one_line_error(code, err, "folder: is a folder (give a plugin .py file or a preset)")


def test_a_plugin_calling_sys_exit_when_imported(run_cli, tmp_path):
    (tmp_path / "quits.py").write_text("import sys\n\nsys.exit(3)\n")
    code, _, err = run_cli("render", preset_with(tmp_path, ["quits.py"]), "-o", tmp_path / "out")
    assert err == (f"dreamanim: error: plugin {tmp_path / 'quits.py'}:3: failed to import: it called "
                   "sys.exit(3) (fix the plugin file)\n") and code == 2
    code, _, err = run_cli("transforms", tmp_path / "quits.py")
    assert_one_line_error(code, err, "quits.py:3: failed to import: it called sys.exit(3)")


QUITTER = '''
import sys
from dreamanim import transform

@transform("quitter")
def quitter(frame, ctx, *, at: int = 0):
    """Calls sys.exit() on frame `at`."""
    if ctx.t == at:
        sys.exit()
    return frame
'''


@pytest.mark.slow
@pytest.mark.parametrize("at, on", [(0, "on a 24x32 test frame"), (1, "")])
def test_a_transform_calling_sys_exit(run_cli, tmp_path, at, on):
    (tmp_path / "quitter.py").write_text(textwrap.dedent(QUITTER))
    preset = preset_with(tmp_path, ["quitter.py"], [{"quitter": {"at": at}}])
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "--quiet")
    assert_one_line_error(code, err, f"transform 'quitter' ({tmp_path / 'quitter.py'}:9) ", on,
                          ": it called sys.exit() (")
    if at == 1:  # mid-render (moving frame 1 on to frame 2): the frames saved are kept
        assert sorted(p.name for p in (tmp_path / "out.frames").glob("frame_*")) == ["frame_00001.png",
                                                                                   "frame_00002.png"]


def test_an_unreadable_plugin_gets_a_hint_about_permissions(run_cli, tmp_path, monkeypatch):
    plugin = tmp_path / "mine.py"
    plugin.write_text("x = 1\n")
    real = type(plugin).read_bytes

    def read_bytes(self):
        if self.name == "mine.py":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(type(plugin), "read_bytes", read_bytes)
    code, _, err = run_cli("transforms", plugin)
    assert_one_line_error(code, err, f"plugin {plugin}: cannot read it: Permission denied (make it readable")
    assert "relative to the preset" not in err


# --- readable lines ---------------------------------------------------------------------------

LONG = "+".join(["t"] * 50_000)  # a 99,999-character expression


def test_a_huge_expression_is_cut_in_the_error(run_cli, write_preset):
    for args in (["--set", f"dream.step_size={LONG}"], ["--set", f"frames={'x' * 100_000}"]):
        code, _, err = run_cli("render", write_preset(), *args)
        assert_one_line_error(code, err, "characters)")
        assert len(err) < 700, len(err)
    code, _, err = run_cli("render", write_preset(), "--set", f"{'k' * 100_000}")
    assert_one_line_error(code, err, "--set kkkk", "...", "(100,000 characters): expected KEY=VALUE")
    assert len(err) < 300


def test_every_part_of_a_line_is_bounded():
    line = PresetError("w" * 10_000, "x" * 10_000, "f" * 10_000).line()
    assert len(line) < 2_000 and line.count("characters)") == 3
    assert shown("t" * 10) == "'tttttttttt'"
    assert shown(LONG).endswith("+t' (99,999 characters)") and len(shown(LONG)) < 110


@pytest.mark.parametrize("code, fix", [
    (errno.ENOSPC, "free some space on that disk"),
    (errno.EACCES, "make that folder writable for you"),
    (errno.EROFS, "that file system is read-only"),
    (errno.EDQUOT, "disk quota"),
])
def test_each_write_failure_gets_its_own_fix(code, fix):
    error = cannot_write("out/x.gif", OSError(code, "reason"))
    assert error.line() == f"out/x.gif: cannot write it: reason ({error.fix})" and fix in error.fix
    assert "PNG or JPEG" not in error.fix


def test_an_image_the_disk_cannot_read_is_not_blamed_on_its_format(tmp_path, monkeypatch):
    from dreamanim.errors import InputError
    from dreamanim.source.pixels import read_rgb8
    path = tmp_path / "cat.png"
    path.write_bytes(SAMPLE.read_bytes())

    def failing_open(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr("PIL.Image.open", failing_open)
    with pytest.raises(InputError) as caught:
        read_rgb8(path)
    assert caught.value.what.endswith("Input/output error") and "PNG or JPEG" not in caught.value.fix


def test_piping_a_listing_into_head_ends_quietly_with_exit_0():
    import subprocess
    import sys
    for command in ("models", "transforms"):
        done = subprocess.run(f"'{sys.executable}' -m dreamanim.cli.main {command} | head -1; exit ${{PIPESTATUS[0]}}",
                              shell=True, executable="/bin/bash", capture_output=True, text=True)
        assert done.returncode == 0 and done.stderr == "", (command, done.stderr)


def test_a_folder_or_a_picture_given_as_the_preset_says_what_to_do(run_cli, tmp_path):
    from conftest import PRESETS, assert_one_line_error
    code, _, err = run_cli("render", PRESETS)
    assert_one_line_error(code, err, "is a folder, not a preset file")
    code, _, err = run_cli("render", PRESETS / "chelsea.png")
    assert_one_line_error(code, err, "is a picture or a video, not a preset", "input: chelsea.png")


def test_resume_and_force_together_are_refused_before_anything_is_touched(run_cli, write_preset, tmp_path):
    from conftest import assert_one_line_error
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim", "--resume", "--force")
    assert_one_line_error(code, err, "--resume --force", "give --resume")
    assert list(tmp_path.glob("anim*")) == []
