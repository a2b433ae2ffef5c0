"""Dreaming a video clip: `input: clip.mp4`, trimmed and paced by `clip:`, carried on by
`coherence:` (none | blend | flow), with its sound. Tiny generated clips with a known camera move."""
import json

import imageio.v3 as iio
import numpy as np
import pytest
import yaml

from clips import decode_audio, pan, sprite, texture, write_tone, write_video
from conftest import assert_one_line_error
from dreamanim.source.clip import probe
from dreamanim.source.coherence import warping_error
from dreamanim.preset import load_preset
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan

FPS = 12
N = 12


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A 64x48 camera pan with a sprite crossing it and a tone: 12 frames at 12 fps (1 s)."""
    folder = tmp_path_factory.mktemp("clip")
    frames = pan(N, 48, 64, dx=2, dy=1, seed=3)
    patch = texture(14, 14, seed=9)[..., ::-1]
    frames = [sprite(f, patch, 4 + 3 * t, 20) for t, f in enumerate(frames)]
    tone = write_tone(folder / "tone.wav", N / FPS, freq=330.0)
    return {"path": write_video(folder / "pan.mp4", frames, FPS, audio=tone),
            "mute": write_video(folder / "mute.mp4", frames, FPS), "frames": frames}


def video_preset(tmp_path, clip_path, **changes):
    data = {"input": str(clip_path), "size": 64, "seed": 2,
            "dream": {"steps": 2, "octaves": 1, "step_size": 0.06}, "first_frame": {"steps": 3},
            "outputs": {"mp4": None}, **changes}
    path = tmp_path / "video.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def frames_of(folder):
    return [iio.imread(p).astype(np.float32) for p in sorted(folder.glob("frame_*.png"))]


def test_frames_and_fps_default_to_the_clip_and_its_trimmed_span(clip, tmp_path):
    preset = load_preset(video_preset(tmp_path, clip["path"]))
    assert preset.frames == N and preset.outputs.mp4.fps == FPS
    preset = load_preset(video_preset(tmp_path, clip["path"], clip={"start": "f2", "end": 0.75, "every": 2}))
    assert preset.frames == 4 and preset.outputs.mp4.fps == FPS / 2   # frames 2, 4, 6, 8 of 0..8
    preset = load_preset(video_preset(tmp_path, clip["path"], outputs={"mp4": {"fps": 30}}, frames=5))
    assert preset.frames == 5 and preset.outputs.mp4.fps == 30          # an explicit fps wins


@pytest.mark.slow
def test_flow_is_steadier_than_none_and_keeps_sound_in_sync(clip, tmp_path, run_cli):
    errors, strength = {}, {}
    for mode in ("none", "flow"):
        code, _, err = run_cli("render", video_preset(tmp_path, clip["path"], coherence=mode),
                               "-o", tmp_path / mode, "--quiet")
        assert code == 0, err
        out, src = frames_of(tmp_path / f"{mode}.frames"), clip["frames"]
        errors[mode] = np.mean([warping_error(out[t - 1], out[t], src[t - 1], src[t]) for t in range(1, N)])
        strength[mode] = np.mean([np.abs(o - s).mean() for o, s in zip(out, src)])
    assert errors["flow"] < 0.5 * errors["none"], errors   # the target, at equal dream settings
    assert strength["flow"] > 0.7 * strength["none"], strength
    info = probe(tmp_path / "flow.mp4")
    assert info.has_audio and info.frames == N and info.fps == pytest.approx(FPS)
    sound = decode_audio(tmp_path / "flow.mp4")
    assert abs(len(sound) / 48000 - info.duration) < 1 / FPS


@pytest.mark.slow
def test_resume_in_the_middle_of_a_clip_equals_an_uninterrupted_render(clip, tmp_path):
    from conftest import Interrupt
    preset = load_preset(video_preset(tmp_path, clip["mute"], frames=5))
    whole = frames_of(render(Plan(preset), tmp_path / "whole").frames_folder)
    with pytest.raises(KeyboardInterrupt):
        render(Plan(preset), tmp_path / "cut", progress=Interrupt(after=3))
    resumed = frames_of(render(Plan(preset), tmp_path / "cut", resume=True).frames_folder)
    assert len(resumed) == 5 and all(np.array_equal(a, b) for a, b in zip(whole, resumed))


@pytest.mark.slow
def test_blend_mixes_the_previous_dream_and_a_mute_clip_writes_a_silent_video(clip, tmp_path, run_cli):
    code, _, err = run_cli("render", video_preset(tmp_path, clip["mute"], frames=3,
                                                  coherence={"mode": "blend", "blend": 0.5}),
                           "-o", tmp_path / "b", "--quiet")
    assert code == 0, err
    assert not probe(tmp_path / "b.mp4").has_audio
    made = json.loads((tmp_path / "b.frames" / "manifest.json").read_text())
    assert made["preset"]["coherence"] == {"mode": "blend", "blend": 0.5, "decay": 0.9, "renew": 0.3}


def test_audio_false_drops_the_sound(clip, tmp_path, run_cli):
    code, _, err = run_cli("render", video_preset(tmp_path, clip["path"], frames=2, audio=False,
                                                  dream={"steps": 1, "octaves": 1}, first_frame={"steps": 1}),
                           "-o", tmp_path / "q", "--quiet")
    assert code == 0, err
    assert not probe(tmp_path / "q.mp4").has_audio


@pytest.mark.parametrize("changes, fragments", [
    ({"frames": 13}, ["frames", "13 frames asked for, but the clip has 12"]),
    ({"clip": {"start": 0.5, "end": 0.5}}, ["clip.start", "must come before end"]),
    ({"clip": {"start": "f20"}}, ["clip.start", "past the end of the clip"]),
    ({"clip": {"every": 0}}, ["clip.every", "greater than or equal to 1"]),
    ({"clip": {"start": "soon"}}, ["clip.start", "frame number like 'f120'"]),
])
def test_bad_clip_settings_are_one_line_errors(clip, tmp_path, run_cli, changes, fragments):
    code, _, err = run_cli("render", video_preset(tmp_path, clip["path"], **changes), "-o", tmp_path / "x")
    assert_one_line_error(code, err, *fragments)
    assert list(tmp_path.glob("x*")) == []


def test_a_file_that_is_not_a_video_and_coherence_on_a_still(tmp_path, run_cli, write_preset):
    (tmp_path / "fake.mp4").write_bytes(b"not a video at all" * 100)
    code, _, err = run_cli("render", video_preset(tmp_path, tmp_path / "fake.mp4"), "-o", tmp_path / "x")
    assert_one_line_error(code, err, "input", "fake.mp4")
    code, _, err = run_cli("render", write_preset(coherence="flow"), "-o", tmp_path / "x")
    assert_one_line_error(code, err, "coherence", "needs a video input")
    assert list(tmp_path.glob("x*")) == []


def test_transforms_move_the_carried_dream(clip, tmp_path):
    quick = {"dream": {"steps": 1, "octaves": 1}, "first_frame": {"steps": 2}, "frames": 3}
    still = render(Plan(load_preset(video_preset(tmp_path, clip["mute"], **quick))), tmp_path / "plain")
    zoomed = render(Plan(load_preset(video_preset(tmp_path, clip["mute"], transform=[{"zoom": {"amount": 0.1}}],
                                                  **quick))), tmp_path / "zoom")
    plain, moved = frames_of(still.frames_folder), frames_of(zoomed.frames_folder)
    assert np.array_equal(plain[0], moved[0])            # the first frame is not moved
    assert np.abs(plain[2] - moved[2]).mean() > 1.0      # later ones start from the zoomed dream
    # only the dream's detail is moved: the picture under it stays the clip's
    assert np.abs(moved[2] - clip["frames"][2]).mean() < np.abs(moved[2] - clip["frames"][0]).mean()


def test_a_clip_with_non_square_pixels_renders_at_its_display_width(clip, tmp_path, run_cli):
    from clips import ffmpeg
    wide = tmp_path / "sar2.mp4"  # stored 64x48, shown 128x48
    ffmpeg("-i", str(clip["mute"]), "-vf", "setsar=2", "-c:v", "libx264", "-preset", "ultrafast", str(wide))
    code, _, err = run_cli("render", video_preset(tmp_path, wide, size=128, frames=2, dream={"steps": 1, "octaves": 1},
                                                  first_frame={"steps": 1}), "-o", tmp_path / "w", "--quiet")
    assert code == 0, err
    assert [f.shape for f in frames_of(tmp_path / "w.frames")] == [(48, 128, 3)] * 2
    assert (probe(tmp_path / "w.mp4").width, probe(tmp_path / "w.mp4").height) == (128, 48)
