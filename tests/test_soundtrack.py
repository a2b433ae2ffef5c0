"""Keeping a clip's sound: the span muxed in sync and as long as the picture, or an error that loses nothing."""
import pytest

from clips import decode_audio, onset, pan, write_tone, write_video
from dreamanim.source import soundtrack
from dreamanim.source.clip import probe
from dreamanim.errors import InputError

FPS = 24


@pytest.fixture
def made(tmp_path):
    """A 1.5 s silent render (36 frames), and a 3 s source whose tone starts at 1.0 s."""
    frames = pan(36, 48, 64)
    return {"video": write_video(tmp_path / "render.mp4", frames, FPS, lossless=False),
            "webm": write_video(tmp_path / "render.webm", frames, FPS),
            "source": write_tone(tmp_path / "source.wav", 3.0, onset=1.0), "folder": tmp_path}


@pytest.mark.parametrize("kind", ["video", "webm"])
def test_added_sound_lasts_as_long_as_the_picture_and_is_in_sync(made, kind):
    video = made[kind]
    soundtrack.add_audio(video, made["source"], 0.5, 1.5)  # the render started 0.5 s into the clip
    info = probe(video)
    assert info.has_audio and info.frames == 36
    samples = decode_audio(video)
    assert abs(len(samples) / 48000 - info.duration) < 1 / FPS
    assert onset(samples) == pytest.approx(0.5, abs=0.01)  # the tone at 1.0 s in the source
    assert sorted(p.name for p in made["folder"].iterdir()) == ["render.mp4", "render.webm", "source.wav"]


def test_a_source_shorter_than_the_span_is_padded_with_silence(made):
    soundtrack.add_audio(made["video"], made["source"], 2.0, 1.5)  # only 1.0 s of sound is left
    assert abs(len(decode_audio(made["video"])) / 48000 - 1.5) < 1 / FPS


def test_has_audio(made):
    assert soundtrack.has_audio(made["source"]) and not soundtrack.has_audio(made["video"])
    with pytest.raises(InputError):
        soundtrack.has_audio(made["folder"] / "missing.wav")


def test_a_source_without_sound_is_an_error_and_the_video_is_untouched(made):
    before = made["video"].read_bytes()
    with pytest.raises(InputError, match="no sound track") as caught:
        soundtrack.add_audio(made["video"], made["webm"], 0.0, 1.5)
    assert "\n" not in str(caught.value) and caught.value.fix
    assert made["video"].read_bytes() == before


@pytest.mark.parametrize("failure", ["exit code", "interrupt"])
def test_a_failing_mux_leaves_no_temporary_file(made, monkeypatch, failure):
    before = made["video"].read_bytes()
    real = soundtrack.run_ffmpeg

    def failing(args):
        if "-map" not in args:  # let has_audio look at the source
            return real(args)
        with open(args[-1], "wb") as partial:  # ffmpeg got as far as starting the temp file
            partial.write(b"half a video")
        if failure == "interrupt":
            raise KeyboardInterrupt
        return 1, "frame=   10 fps=0.0\nav_interleaved_write_frame(): No space left on device\n"

    monkeypatch.setattr(soundtrack, "run_ffmpeg", failing)
    with pytest.raises(InputError if failure == "exit code" else KeyboardInterrupt) as caught:
        soundtrack.add_audio(made["video"], made["source"], 0.0, 1.5)
    if failure == "exit code":
        assert "No space left on device" in str(caught.value)
    assert made["video"].read_bytes() == before
    assert sorted(p.name for p in made["folder"].iterdir()) == ["render.mp4", "render.webm", "source.wav"]


def test_only_containers_that_carry_sound(made):
    with pytest.raises(ValueError, match="render.gif"):
        soundtrack.add_audio(made["folder"] / "render.gif", made["source"], 0.0, 1.0)


def test_sound_taken_from_the_clip_itself_follows_the_trimmed_span(made):
    from dreamanim.source.clip import trim
    source = write_video(made["folder"] / "clip.mp4", pan(72, 48, 64), FPS,
                         audio=write_tone(made["folder"] / "clip.wav", 3.0, onset=1.3))  # AAC inside
    kept = trim(probe(source), start=0.5, end=2.5, every=2)  # 24 frames at 12 fps
    render = write_video(made["folder"] / "kept.mp4", pan(kept.frames, 48, 64), kept.fps, lossless=False)
    soundtrack.add_audio(render, source, kept.start_seconds, kept.duration_seconds)
    samples = decode_audio(render)
    assert abs(len(samples) / 48000 - probe(render).duration) < 1 / kept.fps
    assert onset(samples) == pytest.approx(1.3 - 0.5, abs=0.01)
