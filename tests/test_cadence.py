"""`cadence: N`: every N-th frame dreamed, the frames between interpolated along the motion
(coherence.inbetween for a moving picture, inbetween_moved for a still); resumable; bad values
are one-line errors."""
import imageio.v3 as iio
import numpy as np
import pytest
import yaml

from clips import pan, texture, write_video
from conftest import Interrupt, assert_one_line_error, frames_hash_of
from dreamanim.preset import load_preset
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan
from dreamanim.source import coherence as co

H, W, M = 72, 96, 10  # frame size, and the border where a pan brings in what no frame showed


def blob_detail(h, w, x, y):
    """A dreamed-looking detail: a bright textured patch at (x, y) on a zero background."""
    detail = np.zeros((h, w, 3), np.float32)
    detail[y:y + 16, x:x + 16] = 30 + 0.3 * texture(16, 16, seed=5)
    return detail


def test_an_inbetween_lies_between_its_neighbours_along_the_flow_of_a_pan():
    # A camera pans 3 px right per frame: frame t's content is frame t-1's, 3 px further left.
    src = pan(4, H, W, dx=3, dy=0)
    # The dream of frame 0 and of frame 3 hold one patch that moved with the picture (9 px left),
    # 40 units bright in frame 0 and 80 in frame 3: the in-betweens should carry it along the pan,
    # at 1/3 and 2/3 of the way in brightness.
    dream_a = src[0] + blob_detail(H, W, 50, 30) * 1.0
    dream_b = src[3] + blob_detail(H, W, 41, 30) * 2.0
    for t in (1, 2):
        alpha = t / 3
        out = co.inbetween(src[t], src[0], src[3], dream_a, dream_b, alpha)
        detail = (out - src[t]).mean(axis=-1)
        x = 50 - 3 * t  # where the patch is in frame t
        inside = detail[32:44, x + 2:x + 14]
        a_level = blob_detail(H, W, 50, 30).mean(axis=-1)[32:44, 52:64]
        assert inside.mean() == pytest.approx(a_level.mean() * (1 + alpha), rel=0.1)  # between 1x and 2x
        # along the flow: nothing left where the patch was in frame 0 or will be in frame 3
        outside = np.abs(detail).copy()
        outside[28:48, x - 2:x + 18] = 0
        assert outside[M:-M, M:-M].sum() < 0.1 * np.abs(detail[30:46, x:x + 16]).sum()  # no ghost elsewhere
        # a plain cross-fade (no motion compensation) would show two half-bright patches instead
        fade = ((1 - alpha) * dream_a + alpha * dream_b - src[t]).mean(axis=-1)
        assert np.abs(fade[32:44, x + 2:x + 14] - inside).mean() > 10


def test_an_inbetween_of_a_still_follows_the_chain_and_fades_to_the_next_dream():
    a = texture(H, W, seed=1)
    moved = np.roll(a, 2, axis=1)          # the chain moved dream a on by 2 px
    b = np.roll(a, 4, axis=1) + 10.0       # the next dream: moved on 2 px more, and grown brighter
    out = co.inbetween_moved(moved, np.clip(b, 0, 255), 0.5)
    inner = (slice(M, -M), slice(M, -M))
    assert np.abs(out - (moved + 5.0))[inner].mean() < 2.0   # at moved's place, halfway to b's brightness
    assert np.abs(out - b)[inner].mean() > 4.0


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A 64x48 pan, 7 frames at 12 fps, lossless."""
    folder = tmp_path_factory.mktemp("cadence")
    return write_video(folder / "pan.mp4", pan(7, 48, 64, dx=2, dy=1, seed=4), 12)


def preset_file(tmp_path, **changes):
    data = {"input": str(changes.pop("input")), "size": 48, "seed": 3, "dream": {"steps": 1, "octaves": 1},
            "first_frame": {"steps": 2}, "outputs": {"gif": None}, **changes}
    path = tmp_path / "cadence.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def frames_of(folder):
    return [iio.imread(p).astype(np.float32) for p in sorted(folder.glob("frame_*.png"))]


@pytest.mark.slow
def test_a_video_at_cadence_3_dreams_every_third_frame_and_resumes_exactly(clip, tmp_path):
    preset = load_preset(preset_file(tmp_path, input=clip, cadence=3))
    whole = render(Plan(preset), tmp_path / "whole")
    assert whole.frames == 7 and len(whole.objectives) == 3  # frames 0, 3 and 6 dreamed
    frames = frames_of(whole.frames_folder)
    with pytest.raises(KeyboardInterrupt):
        render(Plan(preset), tmp_path / "cut", progress=Interrupt(after=2))  # in the middle of 0..3
    resumed = frames_of(render(Plan(preset), tmp_path / "cut", resume=True).frames_folder)
    assert len(resumed) == 7 and all(np.array_equal(a, b) for a, b in zip(frames, resumed))
    # the cadence is part of what decides the frames: a resume at another cadence is refused
    assert frames_hash_of(preset) != frames_hash_of(load_preset(preset_file(tmp_path, input=clip)))


@pytest.mark.slow
def test_a_still_at_cadence_2_renders_and_its_inbetweens_sit_between(tmp_path):
    from conftest import SAMPLE
    preset = load_preset(preset_file(tmp_path, input=SAMPLE, frames=5, cadence=2,
                                     transform=[{"zoom": {"amount": 0.04}}]))
    made = render(Plan(preset), tmp_path / "still")
    assert len(made.objectives) == 3  # frames 0, 2, 4
    f = frames_of(made.frames_folder)
    for t in (1, 3):  # closer to the frames either side than they are to each other
        assert np.abs(f[t] - f[t - 1]).mean() < np.abs(f[t + 1] - f[t - 1]).mean()
        assert np.abs(f[t] - f[t + 1]).mean() < np.abs(f[t + 1] - f[t - 1]).mean()


@pytest.mark.parametrize("value, fragment", [(0, "greater than or equal to 1"), ("two", "integer"),
                                              (25, "less than or equal to 24")])
def test_bad_cadence_is_a_one_line_error(write_preset, run_cli, tmp_path, value, fragment):
    code, _, err = run_cli("render", write_preset(cadence=value), "-o", tmp_path / "x")
    assert_one_line_error(code, err, "cadence", fragment)
    assert not list(tmp_path.glob("x*"))
