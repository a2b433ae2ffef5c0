"""Contact sheets: exact sizes from the inputs, frames picked evenly, labels drawn, `dreamanim sheet`."""
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, assert_one_line_error
from dreamanim.rendering.contact_sheet import BACKGROUND, MAX_CELL, frame_numbers, grid, pick_evenly, sheet_for
from dreamanim.errors import InputError


def solid(w, h, colour):
    return np.full((h, w, 3), colour, np.uint8)


def frame_colour(t):
    """A colour per frame number, distinct enough to tell frames apart on a sheet."""
    return ((t * 37) % 256, (t * 91 + 40) % 256, (255 - t * 53) % 256)


@pytest.fixture
def frames(tmp_path):
    """A fake render: anim.frames/ with 30 solid-colour 60x40 frames."""
    folder = tmp_path / "anim.frames"
    folder.mkdir()
    for t in range(1, 31):
        Image.fromarray(solid(60, 40, frame_colour(t))).save(folder / f"frame_{t:05d}.png")
    return folder


@pytest.mark.parametrize("n, columns, labels, size", [
    (5, 3, False, (3 * 40 + 4 * 6, 2 * 30 + 3 * 6)),
    (5, 3, True, (3 * 40 + 4 * 6, 2 * (30 + 19) + 3 * 6)),   # label strip: round(12 * 1.6) = 19
    (1, 4, True, (40 + 2 * 6, 30 + 19 + 2 * 6)),             # never more columns than images
    (8, 8, False, (8 * 40 + 9 * 6, 30 + 2 * 6)),
])
def test_grid_size_follows_the_documented_formula(n, columns, labels, size):
    images = [solid(40, 30, (i * 30, 0, 0)) for i in range(n)]
    names = [f"frame {i}" for i in range(n)] if labels else None
    sheet = grid(images, names, columns=columns, cell=(40, 30), gap=6, font_size=12)
    assert sheet.size == size and sheet.mode == "RGB"


def test_default_layout_is_about_square_and_never_enlarges_small_frames():
    sheet = grid([solid(50, 20, 200)] * 10)          # 10 images => 4 columns, 3 rows
    gap = 5                                           # half the smallest font size (11), at least 4
    assert sheet.size == (4 * 50 + 5 * gap, 3 * 20 + 4 * gap)


def test_default_cell_shrinks_big_frames_to_max_cell_keeping_their_shape():
    sheet = grid([solid(MAX_CELL * 2, MAX_CELL, 90)] * 2, columns=2, gap=4)
    assert sheet.size == (2 * MAX_CELL + 3 * 4, MAX_CELL // 2 + 2 * 4)


def test_images_keep_their_aspect_ratio_centred_in_their_cell():
    wide = solid(20, 10, (255, 255, 255))
    sheet = np.asarray(grid([wide], cell=(40, 40), gap=4))
    white = np.all(sheet == 255, axis=-1)
    rows, cols = np.nonzero(white)
    assert (rows.min(), rows.max() + 1) == (4 + 10, 4 + 30)   # 40x20, centred vertically
    assert (cols.min(), cols.max() + 1) == (4, 44)


def test_labels_are_drawn_under_their_cells_and_long_ones_fit():
    images = [solid(64, 48, (0, 0, 255))] * 2
    plain = np.asarray(grid(images, cell=(64, 48), gap=4, columns=2))
    labelled = np.asarray(grid(images, ["block9_add", "a_very_long_layer_name_indeed"],
                               cell=(64, 48), gap=4, columns=2, font_size=12))
    strip = labelled[4 + 48:4 + 48 + 19]
    assert np.all(plain[4 + 48:] == BACKGROUND)
    for x0 in (4, 4 + 64 + 4):  # ink under each cell, and none outside its column
        ink = np.any(strip[:, x0:x0 + 64] != BACKGROUND, axis=-1)
        assert ink.sum() > 20
    assert np.all(strip[:, :4] == BACKGROUND) and np.all(strip[:, 68:72] == BACKGROUND)


def test_grid_of_float_frames_and_grey_images():
    images = [np.full((16, 16, 3), 127.6, np.float32), Image.new("L", (16, 16), 9)]
    sheet = grid(images, ["block9_add", "stem"], cell=16, gap=4, font_size=11)
    assert sheet.size == (2 * 16 + 3 * 4, 16 + 18 + 2 * 4)
    assert tuple(np.asarray(sheet)[12, 12]) == (128, 128, 128)


def test_bad_grids_are_refused():
    with pytest.raises(ValueError, match="at least one image"):
        grid([])
    with pytest.raises(ValueError, match="2 labels for 1 images"):
        grid([solid(4, 4, 0)], ["a", "b"])
    with pytest.raises(ValueError, match="columns must be at least 1, got 0"):
        grid([solid(4, 4, 0)], columns=0)


@pytest.mark.parametrize("n, count", [(30, 12), (13, 12), (12, 12), (5, 12), (100, 7), (2, 2), (9, 1)])
def test_pick_evenly_includes_first_and_last(n, count):
    picked = pick_evenly(n, count)
    assert len(picked) == min(n, count) == len(set(picked)) and picked == sorted(picked)
    assert picked[0] == 0 and (count == 1 or picked[-1] == n - 1)
    gaps = np.diff(picked)
    assert len(gaps) == 0 or gaps.max() - gaps.min() <= 1  # evenly: gaps differ by at most one


def test_sheet_shows_frames_evenly_from_first_to_last(frames):
    sheet = sheet_for(frames, count=6, columns=3)
    cell_w, cell_h = 60, 40
    gap, label = 5, round(11 * 1.6)  # defaults for a 60x40 cell: font 11, gap 5
    assert sheet.size == (3 * cell_w + 4 * gap, 2 * (cell_h + label) + 3 * gap)
    a = np.asarray(sheet)
    shown = []
    for i in range(6):
        row, col = divmod(i, 3)
        y, x = gap + row * (cell_h + label + gap) + 20, gap + col * (cell_w + gap) + 30
        shown.append(tuple(int(v) for v in a[y, x]))
    assert shown == [frame_colour(t) for t in (1, 7, 13, 18, 24, 30)]


def test_frame_numbers_label_frames_by_their_place_in_the_full_render(frames):
    assert [n for _, n in frame_numbers(frames, 3)] == [1, 16, 30]
    (frames / "manifest.json").write_text(json.dumps({"preview": {"every": 4, "size": 160}}))
    assert [n for _, n in frame_numbers(frames, 3)] == [1, 61, 117]  # preview frame i is frame 4i+1


def test_sheet_of_an_empty_or_missing_folder_is_an_input_error(tmp_path):
    (tmp_path / "empty.frames").mkdir()
    for folder in (tmp_path / "empty.frames", tmp_path / "missing.frames"):
        with pytest.raises(InputError, match="holds no frames"):
            sheet_for(folder)


@pytest.mark.parametrize("given", ["anim", "anim.frames", "anim.gif", "anim.mp4"])
def test_cli_sheet_finds_the_frames_from_any_output_name(frames, run_cli, given):
    code, out, err = run_cli("sheet", frames.parent / given, "--count", 4, "--columns", 2)
    assert code == 0, err
    sheet = Image.open(frames.parent / "anim.sheet-4.png")
    assert sheet.size == (2 * 60 + 3 * 5, 2 * (40 + 18) + 3 * 5) and "anim.sheet-4.png" in out


def test_cli_sheet_never_overwrites_without_force(frames, run_cli, tmp_path):
    mine = tmp_path / "mine.png"
    mine.write_bytes(b"my precious sheet")
    code, _, err = run_cli("sheet", frames, "-o", mine)
    assert_one_line_error(code, err, "mine.png", "already exists", "--force")
    assert mine.read_bytes() == b"my precious sheet"
    code, _, err = run_cli("sheet", frames, "-o", mine, "--force", "--count", 30)
    assert code == 0, err
    assert Image.open(mine).size == (6 * 60 + 7 * 5, 5 * (40 + 18) + 6 * 5)  # 30 frames: 6 x 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anim.frames", "mine.png"]  # nothing left over


@pytest.mark.parametrize("args, fragments", [
    (["nowhere"], ["nowhere", "no frames folder", "OUTPUT of a render"]),
    (["nowhere.gif"], ["nowhere.gif", "no frames folder nowhere.frames"]),
    (["anim", "--count", "0"], ["--count", ">= 1"]),
    (["anim", "--columns", "two"], ["--columns", ">= 1"]),
])
def test_cli_sheet_bad_input_is_one_line(frames, run_cli, monkeypatch, args, fragments):
    monkeypatch.chdir(frames.parent)
    assert_one_line_error(*run_cli("sheet", *args)[::2], *fragments)


def test_empty_frames_folder_is_one_line(run_cli, tmp_path):
    (tmp_path / "anim.frames").mkdir()
    assert_one_line_error(*run_cli("sheet", tmp_path / "anim")[::2], "holds no frames")


def test_sheet_command_does_not_load_tensorflow(frames):
    code = ("import sys; from dreamanim.cli.main import main; "
            f"assert main(['sheet', {str(frames)!r}]) == 0; "
            "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (frames.parent / "anim.sheet-12.png").is_file()


@pytest.mark.slow
def test_cli_sheet_right_after_a_render_writes_a_new_file(write_preset, run_cli, tmp_path):
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim", "--quiet")
    assert code == 0, err
    made = (tmp_path / "anim.sheet.png").read_bytes()
    code, out, err = run_cli("sheet", tmp_path / "anim", "--count", 2)
    assert code == 0, err
    assert "anim.sheet-2.png" in out and Image.open(tmp_path / "anim.sheet-2.png").size == (2 * 48 + 3 * 5, 32 + 18 + 2 * 5)
    assert (tmp_path / "anim.sheet.png").read_bytes() == made  # the render's own sheet is kept
    code, _, err = run_cli("sheet", tmp_path / "anim", "--count", 2)  # the same again: never replaced
    assert_one_line_error(code, err, "anim.sheet-2.png", "already exists", "--force")
