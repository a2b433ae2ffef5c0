"""`coherence: {octaves: K, steps: S}`: a video frame that carries the dream along the flow dreams
K of the octaves it would dream, spread from the coarsest to the finest, S steps each, with its
step scaled by the frame's own steps / S; frame 0 and a scene cut still dream in full. Left out,
nothing changes (the frames and their hash)."""
import numpy as np
import pytest
import yaml

from clips import pan, write_video
from conftest import QuietProgress, assert_one_line_error, frames_hash_of
from dreamanim.preset import DreamSettings, load_preset
from dreamanim.preset.sections import Coherence
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan, carried_settings
from dreamanim.source.table import Start


def test_a_carried_frame_spreads_its_octaves_from_the_coarsest_to_the_finest():
    from dreamanim.engine.dreamer import octave_sizes

    def sizes(s):
        return octave_sizes(720, 1280, s.octaves, s.octave_scale, s.octave_range)
    hd = (720, 1280)
    dream = DreamSettings(steps=4, octaves=3)
    cheap = carried_settings(dream, Coherence(octaves=2, steps=2), hd)
    assert cheap.steps == 2
    assert sizes(cheap) == [sizes(dream)[0], sizes(dream)[-1]] == [(367, 653), (720, 1280)]
    five = DreamSettings(octaves=5)  # 3 of 5: the coarsest, the middle one and the finest
    assert sizes(carried_settings(five, Coherence(octaves=3), hd)) == [sizes(five)[i] for i in (0, 2, 4)]
    assert sizes(carried_settings(dream, Coherence(octaves=1), hd)) == [(720, 1280)]
    # the octaves counted are those dreamed: at 90x160, 6 octaves dream 4 (the rest are under 32 px)
    small = DreamSettings(octaves=6)
    dreamed = octave_sizes(90, 160, 6, 1.4)
    spread = carried_settings(small, Coherence(octaves=2), (90, 160))
    assert len(dreamed) == 4 and octave_sizes(90, 160, spread.octaves, spread.octave_scale,
                                              spread.octave_range) == [dreamed[0], dreamed[-1]]
    # an octave_range that ends above the frame cannot be spread as a range: its finest ones
    ranged = carried_settings(DreamSettings(octave_range=(-3, 1)), Coherence(octaves=2), hd)
    assert ranged.octave_range == (0, 1) and ranged.octave_scale == 1.4
    # as many octaves as the dream has, or more: all of them
    assert carried_settings(dream, Coherence(octaves=9), hd) == dream == carried_settings(dream, Coherence(), hd)


def test_the_step_map_grows_as_the_steps_shrink(tmp_path):
    clip = write_video(tmp_path / "pan.mp4", pan(3, 48, 64, seed=2), 12)
    base = {"input": str(clip), "size": 64, "dream": {"steps": 4, "octaves": 2}}
    carried = np.zeros((48, 64), np.float32)
    carried[:, :32] = 1.0  # the left half carried, the right half new
    start = Start(np.zeros((48, 64, 3), np.float32), carried)

    def left_right(scale):
        return [float(scale[0, 0]), float(scale[0, -1])]
    plain = Plan(load_preset(write(tmp_path, base)))
    assert left_right(plain.step_scale(start, 1)) == pytest.approx([0.3, 1.0])
    cheap = Plan(load_preset(write(tmp_path, {**base, "coherence": {"octaves": 1, "steps": 2}})))
    settings = cheap.dream_for(1, start)
    assert settings.steps == 2 and settings.octave_range == (0, 0)  # one octave: the finest
    assert left_right(cheap.step_scale(start, 1)) == pytest.approx([0.6, 2.0])  # 4 / 2 as large
    assert cheap.dream_for(0).steps == 4 and cheap.dream_for(0).octave_range is None  # frame 0: in full
    fresh = Start(start.frame, None, fresh=True)  # a scene cut dreams as frame 0 does
    assert cheap.dream_for(1, fresh).octave_range is None and cheap.step_scale(fresh, 1) is None


def test_the_boost_follows_the_frames_own_steps_keyframed_and_in_previews(tmp_path):
    clip = write_video(tmp_path / "pan.mp4", pan(3, 48, 64, seed=2), 12)
    start = Start(np.zeros((48, 64, 3), np.float32), np.ones((48, 64), np.float32))
    keyed = Plan(load_preset(write(tmp_path, {"input": str(clip), "size": 64, "frames": 3,
                                              "dream": {"steps": {0: 2, 2: 20}, "octaves": 2},
                                              "coherence": {"steps": 2}})))
    assert keyed.dream_for(2, start).steps == 2
    assert float(keyed.step_scale(start, 2)[0, 0]) == pytest.approx(0.3 * 10)  # frame 2 asks for 20 steps
    assert float(keyed.step_scale(start, 1)[0, 0]) == pytest.approx(0.3 * 11 / 2)  # halfway: 11
    # a preview's frame does the dreaming of K: K times the carried frame's steps, at the same boost
    preview = Plan(load_preset(write(tmp_path, {"input": str(clip), "size": 64, "dream": {"steps": 4},
                                                "coherence": {"steps": 2}})), every=2)
    assert preview.dream_for(1, start).steps == 2 * 2
    assert float(preview.step_scale(start, 1)[0, 0]) == pytest.approx(0.3 * 2)


def test_the_keys_count_only_where_they_act(tmp_path):
    clip = write_video(tmp_path / "pan.mp4", pan(3, 48, 64, seed=2), 12)
    for mode in ("none", "blend"):  # no frame carries the dream along the flow: nothing to resume apart
        base = {"input": str(clip), "size": 64, "coherence": {"mode": mode}}
        with_keys = {**base, "coherence": {"mode": mode, "octaves": 1, "steps": 1}}
        assert frames_hash_of(load_preset(write(tmp_path, base))) == frames_hash_of(load_preset(write(tmp_path, with_keys)))


class Steps(QuietProgress):
    def __init__(self):
        self.steps = {}

    def frame(self, t, steps):
        self.steps[t] = steps


@pytest.mark.slow
def test_a_render_spends_the_carried_frames_steps_and_stays_resumable(tmp_path):
    clip = write_video(tmp_path / "pan.mp4", pan(4, 48, 64, dx=2, dy=1, seed=4), 12)
    base = {"input": str(clip), "size": 64, "seed": 1, "dream": {"steps": 3, "octaves": 2},
            "outputs": {"gif": None}}
    cheap = load_preset(write(tmp_path, {**base, "coherence": {"octaves": 1, "steps": 1}}))
    seen = Steps()
    made = render(Plan(cheap), tmp_path / "cheap", progress=seen)
    assert made.frames == 4
    assert seen.steps == {0: 6, 1: 1, 2: 1, 3: 1}  # frame 0: 3 steps x 2 octaves; carried: 1 x 1
    # what decides the frames: with the keys left out, the frames hash is as before they existed
    plain = load_preset(write(tmp_path, base))
    assert frames_hash_of(plain) != frames_hash_of(cheap)
    assert "octaves" not in plain.frames_data()["coherence"]


@pytest.mark.parametrize("value, fragment", [({"octaves": 0}, "greater than or equal to 1"),
                                              ({"steps": "two"}, "integer")])
def test_bad_carried_settings_are_one_line_errors(write_preset, run_cli, tmp_path, value, fragment):
    code, _, err = run_cli("render", write_preset(coherence=value), "-o", tmp_path / "x")
    assert_one_line_error(code, err, "coherence", fragment)


def write(tmp_path, data):
    path = tmp_path / "carried.yaml"
    path.write_text(yaml.safe_dump(data))
    return path
