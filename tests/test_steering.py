"""Live steering: a change takes effect from the next frame, is recorded as keyframes, and the recorded preset renders the same frames."""
import json

import numpy as np
import pytest
from PIL import Image

from dreamanim import api
from dreamanim.errors import PresetError

from conftest import TINY

ZOOM = {**TINY, "frames": 5, "dream": {**TINY["dream"], "step_size": 0.02}, "transform": [{"zoom": {"amount": 0.05}}], "outputs": {"gif": {}}}


def frames_of(folder):
    return [np.asarray(Image.open(p)) for p in sorted(folder.glob("frame_*.png"))]


def steer_at(frame, action):
    steering = api.Steering(on_frame=lambda i, path: action(steering) if i == frame else None)
    return steering


def test_a_change_is_recorded_from_the_next_frame_and_the_record_renders_the_same_frames(tmp_path):
    steering = steer_at(1, lambda s: s.set("dream.step_size", 0.05))
    result = api.render(ZOOM, tmp_path / "live", progress=False, steering=steering)
    assert steering.changes == [{"t": 2, "key": "dream.step_size", "value": 0.05}]
    manifest = json.loads((result.frames_folder / "manifest.json").read_text())
    assert manifest["preset"]["dream"]["step_size"] == {"0": 0.02, "2": 0.05, "interpolation": "step"}
    again = api.render(result.outputs["preset"], tmp_path / "again", progress=False)
    live, replayed = frames_of(result.frames_folder), frames_of(again.frames_folder)
    assert len(live) == 5 and all(np.array_equal(a, b) for a, b in zip(live, replayed))
    plain = frames_of(api.render(ZOOM, tmp_path / "plain", progress=False).frames_folder)
    assert np.array_equal(plain[1], live[1]) and not np.array_equal(plain[2], live[2])  # from frame 2 on


def test_a_pulse_bumps_a_transform_for_a_few_frames_then_restores_it(tmp_path):
    steering = steer_at(0, lambda s: s.pulse("transform[0].zoom.amount", 0.05, frames=2))
    result = api.render(ZOOM, tmp_path / "pulse", progress=False, steering=steering)
    manifest = json.loads((result.frames_folder / "manifest.json").read_text())
    assert manifest["preset"]["transform"][0]["zoom"]["amount"] == {"0": 0.05, "1": 0.1, "3": 0.05,
                                                                      "interpolation": "step"}


@pytest.mark.parametrize("key, value, fragment", [
    ("size", 64, "only the dream's numbers and the transforms' parameters"),
    ("dream.stpe_size", 0.1, "no such key"),
    ("dream.step_size", -1, "must be greater than 0"),
    ("dream.reduce", 1, "not a number that can change while it runs"),
    ("dream.layers", 1, "name one number inside it"),
])
def test_a_bad_change_is_one_line_and_changes_nothing(tmp_path, key, value, fragment):
    errors = []

    def bad(steering):
        try:
            steering.set(key, value)
        except PresetError as exc:
            errors.append(exc.line())

    steering = steer_at(0, bad)
    api.render({**ZOOM, "frames": 2}, tmp_path / "bad", progress=False, steering=steering)
    assert len(errors) == 1 and errors[0].startswith(f"live: {key}: ") and fragment in errors[0], errors
    assert "\n" not in errors[0] and steering.changes == []


def test_stop_keeps_the_frames_and_resume_finishes_them_bit_for_bit(tmp_path):
    whole = frames_of(api.render(ZOOM, tmp_path / "whole", progress=False).frames_folder)
    steering = steer_at(1, lambda s: s.stop())
    with pytest.raises(api.Stopped):
        api.render(ZOOM, tmp_path / "cut", progress=False, steering=steering)
    assert len(frames_of(tmp_path / "cut.frames")) == 2
    resumed = frames_of(api.render(ZOOM, tmp_path / "cut", progress=False, resume=True).frames_folder)
    assert len(resumed) == 5 and all(np.array_equal(a, b) for a, b in zip(whole, resumed))
