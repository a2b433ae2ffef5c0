"""Reading a clip: probe, trimming with start/end/every, streaming frames, exact resume, bad files."""
import tracemalloc

import numpy as np
import pytest

from clips import ffmpeg, pan, write_tone, write_video
from dreamanim.source.clip import ClipReader, frame_index, probe, trim
from dreamanim.source.coherence import flow
from dreamanim.errors import InputError

FRAMES, FPS, H, W = 30, 24, 48, 64


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The frames written, a lossless clip of them with sound, and one without."""
    folder = tmp_path_factory.mktemp("clips")
    frames = pan(FRAMES, H, W, dx=2, dy=1)
    tone = write_tone(folder / "tone.wav", FRAMES / FPS)
    return {"frames": frames, "sound": write_video(folder / "pan.mp4", frames, FPS, audio=tone),
            "mute": write_video(folder / "mute.mp4", frames, FPS), "folder": folder}


def test_probe_reports_rate_count_size_and_sound(made):
    info = probe(made["sound"])
    assert (info.fps, info.frames, info.width, info.height) == (FPS, FRAMES, W, H)
    assert info.duration == pytest.approx(FRAMES / FPS)
    assert info.has_audio and not probe(made["mute"]).has_audio


def test_probe_counts_a_variable_rate_clip_as_the_reader_reads_it(made):
    vfr = made["folder"] / "vfr.mp4"  # frames 8..14 dropped, the others keep their times
    ffmpeg("-i", str(made["mute"]), "-vf", "select='not(between(n,8,14))'", "-fps_mode", "vfr",
           "-c:v", "libx264", "-preset", "ultrafast", str(vfr))
    info = probe(vfr)
    assert info.frames == sum(1 for _ in ClipReader(vfr, 32))


def test_probe_reads_an_ntsc_rate_exactly(made):
    from fractions import Fraction
    ntsc = write_video(made["folder"] / "ntsc.mp4", made["frames"][:6], Fraction(24000, 1001))
    assert probe(ntsc).fps == 24000 / 1001  # ffmpeg prints 23.98


@pytest.mark.parametrize("name, content", [("notes.mp4", b"not a video at all\n"), ("empty.mp4", b"")])
def test_probe_of_a_file_that_is_not_a_video_is_one_line(made, name, content):
    path = made["folder"] / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        probe(path)
    assert caught.value.where == "input" and "\n" not in str(caught.value) and caught.value.fix


def test_probe_of_a_video_without_frames_is_an_error(made):
    # the header (moov first) promises a video stream, but the picture data is cut off
    whole = made["folder"] / "faststart.mp4"
    ffmpeg("-i", str(made["mute"]), "-c", "copy", "-movflags", "+faststart", str(whole))
    data = whole.read_bytes()
    cut = made["folder"] / "cut.mp4"
    cut.write_bytes(data[:data.index(b"mdat") + 8])
    with pytest.raises(InputError, match="no frames"):
        probe(cut)
    with pytest.raises(InputError, match="no video stream"):
        probe(made["folder"] / "tone.wav")
    with pytest.raises(InputError, match="no such"):
        probe(made["folder"] / "missing.mp4")


def test_trim_keeps_the_right_frames_and_rate(made):
    info = probe(made["mute"])
    whole = trim(info)
    assert whole.indices == range(FRAMES) and whole.fps == FPS
    halves = trim(info, every=2)
    assert halves.frames == 15 and halves.fps == FPS / 2
    assert halves.duration_seconds == pytest.approx(FRAMES / FPS)
    middle = trim(info, start=0.5, end=1.0)  # the frames on screen from 0.5 s until 1.0 s
    assert middle.indices == range(12, 24) and middle.start_seconds == 0.5
    assert middle.duration_seconds == pytest.approx(0.5)
    numbered = trim(info, start="f5", end="f25", every=3)
    assert list(numbered.indices) == [5, 8, 11, 14, 17, 20, 23] and numbered.fps == 8
    assert trim(info, end=99.0).stop == FRAMES  # an end past the clip is the clip's end


@pytest.mark.parametrize("kwargs, message", [
    ({"every": 0}, "every"), ({"every": 1.5}, "every"),
    ({"start": 1.0, "end": 0.5}, "before end"), ({"start": "f10", "end": "f10"}, "before end"),
    ({"start": 5.0}, "past the end"), ({"start": "f30"}, "past the end"),
    ({"start": "12s"}, "start"), ({"end": -1}, "end"),
])
def test_trim_errors_name_the_key(made, kwargs, message):
    with pytest.raises(ValueError, match=message):
        trim(probe(made["mute"]), **kwargs)


def test_frame_index_reads_seconds_and_frame_numbers():
    assert frame_index("f120", 24) == 120 and frame_index(5, 24) == 120
    assert frame_index(0.5, 24) == 12 and frame_index(1 / 3, 30) == 10  # no float shortfall


def test_reader_yields_the_kept_frames_resized(made):
    info = probe(made["mute"])
    frames = list(ClipReader(made["mute"], 32, trim(info, start="f3", every=4)))
    assert len(frames) == len(range(3, FRAMES, 4))
    assert all(f.shape == (24, 32, 3) and f.dtype == np.float32 for f in frames)
    full = list(ClipReader(made["mute"], W, trim(info, start="f3", every=4)))
    for k, got in enumerate(full):  # lossless clip: each decoded frame is the written one
        assert np.abs(got - made["frames"][3 + 4 * k]).mean() < 2


def test_reading_from_kept_frame_k_is_bit_identical_to_skipping(made):
    reader = ClipReader(made["sound"], 40, trim(probe(made["sound"]), start="f2", every=3))
    everything = list(reader)
    for k in (0, 1, 5, len(reader) - 1, len(reader)):
        resumed = list(reader.frames(k))
        assert len(resumed) == len(everything) - k
        assert all(np.array_equal(a, b) for a, b in zip(resumed, everything[k:]))
    with reader:  # sequential access, a jump ahead, and a step back that restarts the decoder
        for k in (0, 1, 2, 6, 3, 4):
            assert np.array_equal(reader.frame(k), everything[k])
    with pytest.raises(IndexError):
        reader.frame(len(reader))


def test_flow_between_decoded_frames_matches_the_pan(made):
    reader = ClipReader(made["mute"], W)
    a, b = reader.frame(10), reader.frame(11)
    assert np.abs(flow(a, b)[6:-6, 6:-6] - [2, 1]).max() < 1.0


def test_memory_does_not_grow_with_clip_length(tmp_path):
    frames = pan(80, 120, 160, dx=1, dy=0)
    short = write_video(tmp_path / "short.mp4", frames[:20])
    long = write_video(tmp_path / "long.mp4", frames)

    def peak(path):
        reader = ClipReader(path, 100)
        tracemalloc.start()
        count = sum(1 for _ in reader)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return count, peak

    peak(short)  # first use imports and caches things; measure warm
    (n_short, p_short), (n_long, p_long) = peak(short), peak(long)
    assert (n_short, n_long) == (20, 80)
    all_frames = n_long * 75 * 100 * 3 * 4  # what holding the long clip as float32 would take
    assert p_long < all_frames / 4
    assert p_long < 2 * p_short + 200_000


def test_non_square_pixels_are_decoded_at_the_display_aspect_and_rotation_still_turns_them(made):
    """A clip stored 64x48 with 2:1 pixels (setsar=2) is shown 128x48: stretched the long way,
    never shrunk; with a 90 degree display rotation on top it is 48x128, turned."""
    wide, turned = made["folder"] / "sar2.mp4", made["folder"] / "sar2_rotated.mp4"
    ffmpeg("-i", str(made["mute"]), "-vf", "setsar=2", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p",
           "-preset", "ultrafast", str(wide))
    ffmpeg("-display_rotation", "90", "-i", str(wide), "-c", "copy", str(turned))
    info = probe(wide)
    assert (info.width, info.height, info.frames) == (2 * W, H, FRAMES)
    frames = list(ClipReader(wide, 2 * W))
    assert frames[0].shape == (H, 2 * W, 3)
    stretched = np.repeat(made["frames"][3], 2, axis=1)  # each stored pixel twice as wide
    assert np.abs(frames[3] - stretched)[2:-2, 4:-4].mean() < 4
    info = probe(turned)
    assert (info.width, info.height) == (H, 2 * W)
    upright = next(iter(ClipReader(turned, 2 * W)))
    assert upright.shape == (2 * W, H, 3)
    assert np.abs(np.rot90(upright, -1) - frames[0])[4:-4, 4:-4].mean() < 4  # turned back: the same picture
