"""An image sequence as input (`input: shots/` or a glob): sorted naturally, clip keys, resumable, bad inputs named."""
import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLE, TINY, Interrupt, assert_one_line_error


def write_shots(folder, count=6, size=(60, 40), start=1):
    """A pan over the sample photo, one PNG a frame, named without zero padding (frame_1 .. frame_N)."""
    folder.mkdir(parents=True, exist_ok=True)
    cat = np.asarray(Image.open(SAMPLE).convert("RGB").resize((size[0] * 2, size[1])))
    for i in range(count):
        x = i * 4
        Image.fromarray(cat[:, x:x + size[0]]).save(folder / f"frame_{start + i}.png")
    return folder


def sequence_preset(write_preset, input, **changes):
    return write_preset(input=str(input), frames=None, fps=12, transform=[],
                        outputs={"gif": {}}, **changes)


def frames_of(folder):
    return [np.asarray(Image.open(p)) for p in sorted(folder.glob("frame_*.png"))]


def test_natural_order_counts_numbers_as_numbers(tmp_path):
    from dreamanim.source.sequence import frame_files
    shots = write_shots(tmp_path / "shots", count=12)
    names = [p.name for p in frame_files(str(shots))]
    assert names[:3] == ["frame_1.png", "frame_2.png", "frame_3.png"] and names[-1] == "frame_12.png"


def test_a_folder_renders_every_frame_at_its_fps(write_preset, run_cli, tmp_path):
    shots = write_shots(tmp_path / "shots")
    preset = sequence_preset(write_preset, f"{shots}/")
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "--quiet")
    assert code == 0, err
    with Image.open(tmp_path / "out.gif") as gif:
        assert gif.n_frames == 6 and gif.info["duration"] == pytest.approx(1000 / 12, abs=5)  # (GIF counts in 1/100 s)
    # frame t starts from source frame t: the pan shows in the dreamed frames too
    first, last = frames_of(tmp_path / "out.frames")[0], frames_of(tmp_path / "out.frames")[-1]
    assert np.abs(first.astype(float) - last).mean() > 5


def test_a_glob_with_clip_keys_keeps_those_frames(write_preset, run_cli, tmp_path):
    shots = write_shots(tmp_path / "shots", count=8)
    preset = sequence_preset(write_preset, shots / "frame_*.png", clip={"start": "f2", "every": 2})
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "--quiet")
    assert code == 0, err
    assert len(frames_of(tmp_path / "out.frames")) == 3  # f2, f4, f6 of f0..f7


def test_resume_is_bit_for_bit(write_preset, tmp_path):
    from dreamanim.api import read_preset
    from dreamanim.rendering.loop import render
    from dreamanim.rendering.plan import Plan
    shots = write_shots(tmp_path / "shots")
    preset = read_preset(sequence_preset(write_preset, shots))
    whole = frames_of(render(Plan(preset), tmp_path / "whole").frames_folder)
    with pytest.raises(KeyboardInterrupt):
        render(Plan(preset), tmp_path / "cut", progress=Interrupt(after=3))
    assert len(frames_of(tmp_path / "cut.frames")) == 3
    resumed = frames_of(render(Plan(preset), tmp_path / "cut", resume=True).frames_folder)
    assert len(resumed) == 6 and all(np.array_equal(a, b) for a, b in zip(whole, resumed))


def test_a_changed_frame_is_other_settings_for_resume(write_preset, tmp_path):
    """The frames' contents are part of the render's identity, as a video's file is."""
    from conftest import frames_hash_of
    from dreamanim.api import read_preset
    shots = write_shots(tmp_path / "shots")
    path = sequence_preset(write_preset, shots)
    before = frames_hash_of(read_preset(path))
    Image.new("RGB", (60, 40), "red").save(shots / "frame_3.png")
    assert frames_hash_of(read_preset(path)) != before


@pytest.mark.parametrize("case, fragments", [
    ("empty", ["holds no frames"]),
    ("mixed", ["b.png is 30x30, but a.png is 60x40"]),
    ("not_an_image", ["notes.txt in the sequence is not a picture"]),
    ("glob_nothing", ["no file matches"]),
    ("truncated", ["frame_2.png in the sequence is damaged"]),
])
def test_bad_sequences_are_one_line_errors(case, fragments, write_preset, run_cli, tmp_path):
    folder = tmp_path / case
    folder.mkdir()
    input = folder
    if case == "mixed":
        Image.new("RGB", (60, 40)).save(folder / "a.png")
        Image.new("RGB", (30, 30)).save(folder / "b.png")
    elif case == "not_an_image":
        write_shots(folder, count=2)
        (folder / "notes.txt").write_text("not a frame")
    elif case == "glob_nothing":
        input = folder / "shot_*.png"
    elif case == "truncated":  # a copy cut short: found when the preset loads, not mid-render
        write_shots(folder, count=3)
        data = (folder / "frame_2.png").read_bytes()
        (folder / "frame_2.png").write_bytes(data[:len(data) // 2])
    preset = sequence_preset(write_preset, input)
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "--quiet")
    assert_one_line_error(code, err, "input", *fragments)
    assert not list(tmp_path.glob("out*"))  # nothing written


def test_fps_is_for_sequences_only(write_preset, run_cli, tmp_path):
    preset = write_preset(fps=12)
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "--quiet")
    assert_one_line_error(code, err, "fps: needs a sequence input", "is an image")
    assert TINY["input"]  # (the still of every tiny preset)
