"""A soundtrack given on the command line sets the length; a silent one gets a word; no beat is
marked past the sound's last one; `plot --audio`."""
import pytest

from conftest import REPO
from test_audio import clicks, sine, write_wav
from dreamanim.api import audio_notes, overrides_for, read_preset
from dreamanim.source.audio_features import analyse


def test_a_command_line_soundtrack_sets_the_length_unless_frames_are_given(tmp_path):
    short = write_wav(tmp_path / "short.wav", sine(440, 1.6))  # 20 frames at the MP4's 12.5 fps
    preset = REPO / "presets" / "vertical_stretch.yaml"         # frames: 60
    assert read_preset(preset, overrides_for(audio=short), check_model=False).frames == 20
    assert read_preset(preset, overrides_for([f"audio={short}"]), check_model=False).frames == 20
    assert read_preset(preset, overrides_for(frames=12, audio=short), check_model=False).frames == 12


def test_a_silent_soundtrack_gets_a_note_and_plot_takes_audio(tmp_path, run_cli):
    silent = write_wav(tmp_path / "silent.wav", sine(440, 2.0) * 0)
    preset = read_preset(REPO / "presets" / "music.yaml", overrides_for(audio=silent), check_model=False)
    assert audio_notes(preset) == [f"audio: {silent} is silent: every audio feature (amp, onset, beat, bass, mid, "
                                   "treble) is 0 over the frames, so nothing scheduled on them moves"]
    code, out, err = run_cli("plot", REPO / "presets" / "music.yaml", "--audio", silent, "-o", tmp_path / "c.png")
    assert code == 0 and err == f"dreamanim: note: {audio_notes(preset)[0]}\n" and "over 48 frames" in out
    assert audio_notes(read_preset(REPO / "presets" / "music.yaml", check_model=False)) == []


@pytest.mark.parametrize("seconds", [3.3, 3.1, 8.0])
def test_no_beat_is_marked_after_the_last_click(tmp_path, seconds):
    signal, times = clicks(seconds=seconds)
    features = analyse(str(write_wav(tmp_path / "c.wav", signal)), 24)
    assert features.beat_frames()[-1] == int(times[-1] * 24)  # not the track's last frame
