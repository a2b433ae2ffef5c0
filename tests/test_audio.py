"""A soundtrack drives the animation: its features per frame follow the sound (beats, tempo,
loudness, bands), expressions use them, the MP4 carries the sound in sync, the plot draws it,
and every bad input is one line that loses nothing."""
import wave

import numpy as np
import pytest
from PIL import Image

from clips import decode_audio, pan, write_video
from conftest import assert_one_line_error
from dreamanim.source.audio_features import FEATURES, analyse
from dreamanim.source.clip import probe
from dreamanim.preset import load_preset, load_preset_data

RATE, FPS = 22050, 24


def write_wav(path, signal):
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def clicks(bpm=120.0, seconds=8.0, first=0.25):
    signal, times = np.zeros(int(RATE * seconds)), np.arange(first, seconds - 0.1, 60 / bpm)
    for at in times:
        i = int(at * RATE)
        signal[i:i + 200] += np.hanning(200) * np.sin(np.arange(200) * 0.9)
    return signal, times


def sine(freq, seconds, on=None):
    t = np.arange(int(RATE * seconds)) / RATE
    tone = 0.5 * np.sin(2 * np.pi * freq * t)
    return tone if on is None else tone * ((t >= on[0]) & (t < on[1]))


@pytest.fixture(scope="module")
def sounds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sounds")
    signal, times = clicks()
    return {"clicks": write_wav(folder / "clicks.wav", signal), "times": times,
            "tone": write_wav(folder / "tone.wav", sine(440, 3.0, on=(1.0, 2.0))),
            "low_high": write_wav(folder / "low_high.wav",
                                  np.concatenate([sine(80, 1.5), sine(8000, 1.5)])),
            "folder": folder}


def test_beat_fires_within_a_frame_of_each_click_and_tempo_is_right(sounds):
    features = analyse(str(sounds["clicks"]), FPS)
    beats = np.array(features.beat_frames())
    for at in sounds["times"] * FPS:
        assert np.abs(beats - at).min() <= 1, (at, beats)
    assert len(beats) == len(sounds["times"])
    assert features.tempo == pytest.approx(120, rel=0.02)
    assert features.frames == 8 * FPS and set(features.at(0)) == set(FEATURES)


def test_amp_follows_the_tone_and_the_bands_the_right_sine(sounds):
    amp = analyse(str(sounds["tone"]), FPS).values["amp"]
    assert amp[:22].max() < 0.05 and amp[26:46].min() > 0.9 and amp[50:].max() < 0.05  # on 1.0-2.0 s
    values = analyse(str(sounds["low_high"]), FPS).values
    low, high = slice(2, 34), slice(38, 70)  # 80 Hz for 1.5 s, then 8 kHz
    assert values["bass"][low].min() > 0.5 and values["bass"][high].max() < 0.05
    assert values["treble"][high].min() > 0.5 and values["treble"][low].max() < 0.05
    assert all(0 <= v.min() and v.max() <= 1 for k, v in values.items() if k != "tempo")


def test_smooth_and_span(sounds):
    sharp = analyse(str(sounds["tone"]), FPS).values["amp"]
    smooth = analyse(str(sounds["tone"]), FPS, smooth={"amp": 0.2}).values["amp"]
    assert smooth[20] > sharp[20] + 0.05 and np.abs(np.diff(smooth)).max() < np.abs(np.diff(sharp)).max()
    part = analyse(str(sounds["tone"]), FPS, start=1.0, end=2.0)
    assert part.frames == FPS and part.values["amp"][2:-2].min() > 0.9


def test_features_drive_expressions_and_frames_follow_the_audio(sounds):
    preset = load_preset_data({"input": "noise", "audio": "clicks.wav", "outputs": {"mp4": {"fps": 24}},
                               "transform": [{"zoom": {"amount": "0.01 + 0.05*beat"}}]},
                              folder=sounds["folder"], where="p", check_model=False)
    assert preset.frames == 8 * FPS
    (s,) = preset.schedules
    beats = set(preset._audio.beat_frames())
    for t in range(preset.frames):
        assert s.at(t, preset.frames) == pytest.approx(0.06 if t in beats else 0.01)


def test_a_preset_using_onset_renders_with_the_sound_and_plots_both_panels(sounds, write_preset, run_cli,
                                                                           tmp_path):
    preset = write_preset(audio=str(sounds["clicks"]), frames=12, outputs={"mp4": {"fps": 12}},
                          transform=[{"zoom": {"amount": "0.01 + 0.05*onset"}}])
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "-q")
    assert code == 0, err
    info = probe(tmp_path / "out.mp4")
    assert info.has_audio and info.frames == 12
    assert abs(len(decode_audio(tmp_path / "out.mp4")) / 48000 - info.duration) < 1 / 12
    again = load_preset(tmp_path / "out.preset.yaml", check_model=False)  # the sidecar keeps the soundtrack
    assert again.soundtrack == str(sounds["clicks"]) and again.frames == 12
    code, _, err = run_cli("plot", preset, "-o", tmp_path / "chart.png")
    assert code == 0, err
    assert Image.open(tmp_path / "chart.png").size == (900, 3 * 200)  # waveform, features, the zoom


def test_render_audio_flag_gives_a_still_a_soundtrack(sounds, write_preset, run_cli, tmp_path):
    preset = write_preset(frames=4, outputs={"mp4": {"fps": 10}})  # (--frames: else the sound sets the length)
    code, _, err = run_cli("render", preset, "--audio", sounds["tone"], "--frames", 4, "-o", tmp_path / "out", "-q")
    assert code == 0, err
    assert probe(tmp_path / "out.mp4").has_audio


@pytest.fixture(scope="module")
def silent_video(tmp_path_factory):
    return write_video(tmp_path_factory.mktemp("clip") / "mute.mp4", pan(6, 32, 32), 24)


@pytest.mark.parametrize("case, changes, fragments", [
    ("no audio stream", {"audio": "VIDEO"}, ["has no sound track", "audio"]),
    ("unreadable", {"audio": "BROKEN"}, ["cannot read", "audio"]),
    ("missing", {"audio": "nowhere.wav"}, ["file not found", "audio"]),
    ("feature without audio", {"transform": [{"zoom": {"amount": "0.01*onset"}}]},
     ["onset", "has no audio", "audio:"]),
    ("span outside", {"audio": "TONE", "audio_span": {"start": 2.5, "end": 4}}, ["audio_span", "outside"]),
    ("too short", {"audio": "TONE", "frames": 100}, ["frames", "100 frames", "audio holds 30"]),
    ("span without audio", {"audio_span": {"start": 1}}, ["audio_span", "audio:"]),
])
def test_bad_audio_is_one_line_and_loses_nothing(case, changes, fragments, sounds, silent_video,
                                                  write_preset, run_cli, tmp_path):
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"not a sound at all" * 10)
    files = {"VIDEO": str(silent_video), "BROKEN": str(broken), "TONE": str(sounds["tone"])}
    changes = {k: files.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    preset = write_preset(**{"outputs": {"mp4": {"fps": 10}}, **changes})
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "-q")
    assert_one_line_error(code, err, *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_sandbox_stays_strict():
    from dreamanim.schedule.expression import Expression, ExpressionError
    assert Expression("0.01 + 0.05*onset")(3, 10, {"onset": 1.0}) == pytest.approx(0.06)
    for text in ("onset.real", "__import__('os')", "beat if t else 0", "loudness"):
        with pytest.raises(ExpressionError):
            Expression(text)
    with pytest.raises(ExpressionError, match="audio"):
        Expression("beat")(0, 1)
