"""A damaged saved frame (empty, cut short, another size, not a PNG, a broken chunk) is found when a
render resumes, and it and the frames after it are dreamed again from the last whole one: the
result equals an uninterrupted render. One found while the videos are written is one line naming
it, and --resume mends it."""
import io
import shutil

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

import yaml

from conftest import TINY, QuietProgress, assert_one_line_error
from dreamanim.preset import load_preset
from dreamanim.errors import InputError
from dreamanim.rendering.frame_check import frame_problem
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan

pytestmark = pytest.mark.slow


def _truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def _flipped(path):  # a broken chunk: its checksum no longer matches
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _as_jpeg(path):  # the right picture, but not a PNG
    buffer = io.BytesIO()
    Image.open(path).convert("RGB").save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())


DAMAGE = {
    "truncated": (_truncated, "is truncated ("),
    "zero bytes": (lambda p: p.write_bytes(b""), "is empty (0 bytes)"),
    "wrong size": (lambda p: Image.new("RGB", (20, 12)).save(p), "is 20x12 pixels, not 48x32 like the render's frames"),
    "not a PNG": (_as_jpeg, "is not a PNG file"),
    "grey PNG": (lambda p: Image.open(p).convert("L").save(p), "is not an 8-bit RGB frame (Pillow mode L)"),
    "broken chunk": (_flipped, "is damaged ("),
}


def frames_of(folder):
    return [iio.imread(p) for p in sorted(folder.glob("frame_*.png"))]


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """An uninterrupted 4-frame render: (its preset file, its frames folder, its frames)."""
    folder = tmp_path_factory.mktemp("whole")
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump({**TINY, "frames": 4}))
    result = render(Plan(load_preset(path)), folder / "whole")
    return path, result.frames_folder, frames_of(result.frames_folder)


def copy_of(whole, tmp_path):
    preset_path, folder, _ = whole
    shutil.copytree(folder, tmp_path / "anim.frames")
    return load_preset(preset_path), tmp_path / "anim"


@pytest.mark.parametrize("kind", DAMAGE)
def test_resume_dreams_a_damaged_frame_and_those_after_it_again(whole, tmp_path, kind):
    preset, base = copy_of(whole, tmp_path)
    damage, problem = DAMAGE[kind]
    damage(base.with_name("anim.frames") / "frame_00003.png")
    notes = []
    result = render(Plan(preset), base, resume=True, on_note=notes.append)
    assert result.rendered == 2  # frames 3 and 4, from frame 2
    resumed = frames_of(result.frames_folder)
    assert len(resumed) == 4 and all(np.array_equal(a, b) for a, b in zip(whole[2], resumed))
    assert len(notes) == 1 and problem in notes[0], notes
    assert notes[0].startswith(f"{result.frames_folder / 'frame_00003.png'} ")
    assert "dreaming it and the 1 frame(s) after it again from frame_00002.png" in notes[0]
    assert sorted(p.name for p in result.frames_folder.iterdir())[-1] == "manifest.json"  # no partials


def test_a_damaged_first_frame_is_dreamed_again_from_the_start(whole, tmp_path):
    preset, base = copy_of(whole, tmp_path)
    (base.with_name("anim.frames") / "frame_00001.png").write_bytes(b"")
    notes = []
    result = render(Plan(preset), base, resume=True, on_note=notes.append)
    assert result.rendered == 4
    assert all(np.array_equal(a, b) for a, b in zip(whole[2], frames_of(result.frames_folder)))
    assert notes == [f"{result.frames_folder / 'frame_00001.png'} is empty (0 bytes): dreaming it and the "
                     "3 frame(s) after it again from the start"]


def test_frame_problem_passes_a_whole_frame(whole):
    folder = whole[1]
    assert frame_problem(folder / "frame_00002.png", (48, 32)) is None
    assert frame_problem(folder / "frame_00002.png", (32, 32)) == "is 48x32 pixels, not 32x32 like the render's frames"


class DamageWhileWriting(QuietProgress):
    """Damages a saved frame as the GIF starts: after the store checked its frames."""
    def __init__(self, frame):
        self.frame = frame

    def writing(self, name, total):
        if name.endswith(".gif"):
            _truncated(self.frame)


def test_a_frame_damaged_before_the_videos_are_written_is_one_line_and_resume_mends_it(whole, tmp_path):
    preset, base = copy_of(whole, tmp_path)
    frame = base.with_name("anim.frames") / "frame_00002.png"
    with pytest.raises(InputError) as caught:
        render(Plan(preset), base, resume=True, progress=DamageWhileWriting(frame))
    assert caught.value.line().startswith(f"{frame}: damaged saved frame: it is truncated (")
    assert caught.value.line().endswith("(render again with --resume: it dreams this frame and the ones "
                                        "after it again)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anim.frames"]  # no half-written GIF, no partial
    result = render(Plan(preset), base, resume=True)
    assert result.rendered == 3
    assert all(np.array_equal(a, b) for a, b in zip(whole[2], frames_of(result.frames_folder)))
    assert iio.imread(result.outputs["gif"], index=None).shape == (4, 32, 48, 3)


def test_the_cli_names_a_damaged_frame_met_while_writing(whole, tmp_path, run_cli, monkeypatch):
    preset_path = whole[0]
    _, base = copy_of(whole, tmp_path)
    frame = base.with_name("anim.frames") / "frame_00004.png"
    frame.write_bytes(b"not a png at all")
    monkeypatch.setattr("dreamanim.rendering.store.frame_problem", lambda path, size: None)  # as if damaged after the check
    code, _, err = run_cli("render", preset_path, "-o", base, "--resume", "--quiet")
    assert_one_line_error(code, err, f"{frame}: damaged saved frame: it is not a PNG file (render again with --resume")
    assert not list(tmp_path.glob(".*partial*")) and not (tmp_path / "anim.gif").exists()


def test_the_sheet_names_a_damaged_frame(whole, tmp_path, run_cli):
    copy_of(whole, tmp_path)
    frame = tmp_path / "anim.frames" / "frame_00004.png"
    frame.write_bytes(b"")
    code, _, err = run_cli("sheet", tmp_path / "anim")
    assert_one_line_error(code, err, f"{frame}: damaged saved frame: it is empty (0 bytes)", "--resume")
