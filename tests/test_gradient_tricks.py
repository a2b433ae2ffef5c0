"""The classic gradient tricks: `normalize: laplacian` (the original notebook's Laplacian-pyramid
normalisation) and `smooth:` (Gaussian blurs of the gradient, as pytorch-deepdream): both raise
the objective, change the gradient's spectrum the way they should, and are keyframable without
retracing the step."""
import numpy as np
import pytest

from dreamanim.preset import DreamSettings
from dreamanim.engine.objective_spec import ObjectiveSpec

from conftest import SAMPLE, assert_one_line_error

BANDS = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2 ** 0.5 + 1e-9)  # octave bands of spatial frequency, cycles/px


def band_energies(grad: np.ndarray) -> np.ndarray:
    """The share of the gradient's energy in each octave band of spatial frequency (BANDS)."""
    g = grad - grad.mean(axis=(0, 1))
    power = (np.abs(np.fft.fft2(g, axes=(0, 1))) ** 2).sum(-1)
    radius = np.hypot(np.fft.fftfreq(g.shape[0])[:, None], np.fft.fftfreq(g.shape[1])[None, :])
    energy = np.array([power[(radius >= lo) & (radius < hi)].sum() for lo, hi in zip(BANDS[:-1], BANDS[1:])])
    return energy / energy.sum()


@pytest.fixture(scope="module")
def lite0():
    from dreamanim.engine.dreamer import dreamer_for
    return dreamer_for("efficientnet_lite0")


@pytest.fixture(scope="module")
def cat96():
    from dreamanim.source.pixels import load_image
    return load_image(SAMPLE, 96)


def direction(dreamer, frame, settings):
    """The direction a step takes: the raw tiled gradient, smoothed and normalised as settings say."""
    import tensorflow as tf
    from dreamanim.engine.tensorflow.objectives import step_direction
    spec = dreamer.spec(settings)
    raw = tf.constant(dreamer.tiled_gradient(frame, settings))
    return step_direction(raw, spec, tf.constant(spec.sigmas(settings), tf.float32, shape=(spec.smooth,))).numpy()


@pytest.mark.slow
@pytest.mark.parametrize("trick", [{"normalize": "laplacian"}, {"normalize": "laplacian", "lap_levels": 2},
                                   {"smooth": 1.0}, {"smooth": [0.5, 1.0, 2.0]}],
                         ids=["laplacian", "laplacian2", "smooth", "cascade"])
def test_each_trick_raises_the_objective(lite0, cat96, trick):
    settings = DreamSettings(steps=10, octaves=1, **trick)
    before = lite0.objective(cat96, settings)
    after = lite0.objective(lite0.dream(cat96, settings, np.random.default_rng(0)), settings)
    assert after > 1.25 * before, (before, after)  # measured at 96 px: +35..+71%


@pytest.mark.slow
def test_smooth_takes_the_high_frequencies_out_of_the_gradient(lite0, cat96):
    plain = DreamSettings(octaves=1)
    high = {sigma: band_energies(direction(lite0, cat96, plain.model_copy(update={"smooth": sigma})))[-1]
            for sigma in (None, 0.5, 1.0, 2.0)}
    # Measured at 96 px: 67% of the raw gradient's energy is above 1/4 cycle per pixel; 8% after sigma 1.
    assert high[None] > 0.5 and high[1.0] < 0.15, high
    assert high[None] > high[0.5] > high[1.0] > high[2.0], high  # the wider the blur, the less fine detail


@pytest.mark.slow
def test_laplacian_evens_the_bands_out(lite0, cat96):
    raw = band_energies(direction(lite0, cat96, DreamSettings(octaves=1)))
    even = band_energies(direction(lite0, cat96, DreamSettings(octaves=1, normalize="laplacian")))
    # Measured at 96 px: the raw bands span 1.2% .. 67% (a factor 58), the Laplacian ones 23% .. 27%.
    assert raw.max() / raw.min() > 10 and even.max() / even.min() < 2, (raw, even)
    assert even[0] > 5 * raw[0]  # the big shapes get their say


@pytest.mark.slow
def test_a_keyframed_sigma_does_not_retrace(lite0, cat96):
    from dreamanim.engine.dreamer import Dreamer
    d = Dreamer(lite0.net, lite0.default_layers, lite0.default_step)
    frame = cat96
    for t, sigma in enumerate([1.5, 2.0, 2.5]):  # one kernel radius (8 px) for all three
        frame = d.dream(frame, DreamSettings(steps=1, octaves=1, smooth=sigma), np.random.default_rng(t))
    assert d.traces == 1


def test_the_trace_key_holds_what_shapes_the_graph_only():
    def spec(**settings):
        return ObjectiveSpec.of(DreamSettings(**settings), {"x": 1.0})
    assert spec(lap_levels=6) == spec()  # no pyramid under std
    assert spec(normalize="laplacian", lap_levels=6) != spec(normalize="laplacian")
    assert spec(smooth=1.5) == spec(smooth=2.5)  # sigmas are run-time inputs
    assert spec(smooth=[1, 2]).smooth == 2 and spec(smooth=0.5).smooth_radius == 4 and spec(smooth=9).smooth_radius == 32
    assert ObjectiveSpec.sigmas(DreamSettings(smooth=[0.5, 1])) == [0.5, 1.0]


@pytest.mark.parametrize("dream, fragments", [
    ({"smooth": -1}, ["dream.smooth:", "greater than or equal to 0"]),
    ({"smooth": [1, 20]}, ["dream.smooth[1]", "less than or equal to 10"]),
    ({"smooth": []}, ["dream.smooth:", "at least 1"]),
    ({"lap_levels": 0}, ["dream.lap_levels"]),
    ({"normalize": "lap"}, ["dream.normalize", "laplacian"]),
])
def test_bad_trick_keys_are_one_line(dream, fragments, write_preset, run_cli, tmp_path):
    code, _, err = run_cli("render", write_preset(dream=dream), "-o", tmp_path / "out", "-q")
    assert_one_line_error(code, err, *fragments)


@pytest.mark.slow
def test_keyframed_tricks_render(write_preset, run_cli, tmp_path):
    from dreamanim.preset import load_preset
    preset = write_preset(frames=3, outputs={"gif": {}}, first_frame={},
                          dream={"steps": 1, "octaves": 1, "normalize": "laplacian", "lap_levels": {0: 2, 2: 4},
                                 "smooth": [0.5, "0.5 + t/2"]})
    loaded = load_preset(preset)
    assert loaded.dream_for(2).smooth == (0.5, 1.5) and loaded.dream_for(2).lap_levels == 4
    assert loaded.dream_for(1).lap_levels == 3
    code, _, err = run_cli("render", preset, "-o", tmp_path / "out", "-q")
    assert code == 0, err
