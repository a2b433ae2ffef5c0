"""--resume finishes a render stopped after some of its outputs were written, and loses nothing.

The videos, sheet and resolved preset are made from the saved frames: beside a frames folder
whose frames were made with the same settings, --resume writes them again. Without --resume an
existing file is never replaced, and with other settings --resume replaces nothing.
"""
import os

import imageio.v3 as iio
import pytest

from conftest import QuietProgress, assert_one_line_error
from dreamanim.preset import load_preset
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan

pytestmark = pytest.mark.slow

OLD = 1_000_000_000  # a modification time long past: a file written again is newer


class StopAt(QuietProgress):
    """Presses Ctrl-C when the render starts writing the file `name`."""
    def __init__(self, name):
        self.name = name

    def writing(self, name, total):
        if name == self.name:
            raise KeyboardInterrupt


def contents(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_resume_after_ctrl_c_while_the_mp4_is_written(write_preset, run_cli, tmp_path):
    preset_path = write_preset()
    preset = load_preset(preset_path)
    with pytest.raises(KeyboardInterrupt):
        render(Plan(preset), tmp_path / "anim", progress=StopAt("anim.mp4"))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["anim.frames", "anim.gif", "tiny.yaml"]  # the GIF is out, the MP4 never was
    frames = contents(tmp_path / "anim.frames")
    os.utime(tmp_path / "anim.gif", (OLD, OLD))

    code, out, err = run_cli("render", preset_path, "-o", tmp_path / "anim", "--resume")
    assert code == 0, err
    assert "0 dreamed now" in out
    assert contents(tmp_path / "anim.frames") == frames  # not one frame dreamed again or deleted
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "anim.frames", "anim.gif", "anim.mp4", "anim.preset.yaml", "anim.sheet.png", "tiny.yaml"]
    assert (tmp_path / "anim.gif").stat().st_mtime > OLD  # written again, from the same frames
    assert iio.imread(tmp_path / "anim.gif", index=None).shape == (3, 32, 48, 3)
    assert iio.imread(tmp_path / "anim.mp4", plugin="FFMPEG", index=None).shape == (3, 32, 48, 3)


@pytest.fixture
def finished(write_preset, run_cli, tmp_path):
    """A render whose MP4 and resolved preset went missing (ffmpeg failed, the disk filled up ...)."""
    preset_path = write_preset()
    code, _, err = run_cli("render", preset_path, "-o", tmp_path / "anim", "--quiet")
    assert code == 0, err
    for name in ("anim.mp4", "anim.preset.yaml"):
        (tmp_path / name).unlink()
    for name in ("anim.gif", "anim.sheet.png"):
        os.utime(tmp_path / name, (OLD, OLD))
    return preset_path, contents(tmp_path / "anim.frames")


def test_resume_writes_every_output_again_and_keeps_the_frames(finished, run_cli, tmp_path):
    preset_path, frames = finished
    code, _, err = run_cli("render", preset_path, "-o", tmp_path / "anim", "--resume", "--quiet")
    assert code == 0, err
    assert contents(tmp_path / "anim.frames") == frames
    for name in ("anim.gif", "anim.sheet.png"):
        assert (tmp_path / name).stat().st_mtime > OLD, name
    for name in ("anim.mp4", "anim.preset.yaml"):
        assert (tmp_path / name).is_file(), name


def test_without_resume_an_existing_output_is_still_refused(finished, run_cli, tmp_path):
    preset_path, frames = finished
    code, _, err = run_cli("render", preset_path, "-o", tmp_path / "anim")
    assert_one_line_error(code, err, "anim.gif", "already exists", "--resume", "--force", "-o")
    assert contents(tmp_path / "anim.frames") == frames
    assert (tmp_path / "anim.gif").stat().st_mtime == OLD and not (tmp_path / "anim.mp4").exists()


def test_resume_with_other_settings_replaces_nothing(finished, run_cli, tmp_path):
    preset_path, frames = finished
    code, _, err = run_cli("render", preset_path, "-o", tmp_path / "anim", "--resume", "--seed", 2)
    assert_one_line_error(code, err, "anim.gif", "already exists", "different settings", "--force")
    assert contents(tmp_path / "anim.frames") == frames
    assert (tmp_path / "anim.gif").stat().st_mtime == OLD


def test_resume_does_not_replace_files_beside_no_frames(write_preset, run_cli, tmp_path):
    mine = tmp_path / "anim.gif"
    mine.write_bytes(b"my own gif")
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim", "--resume")
    assert_one_line_error(code, err, "anim.gif", "already exists", "--force")
    assert mine.read_bytes() == b"my own gif" and not (tmp_path / "anim.frames").exists()
