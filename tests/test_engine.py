"""The dream engine: objective rises, tiles agree with the whole image and leave no seams,
octaves keep the size, the step is traced once per shape, the fast conv gradient is exact."""
import numpy as np
import pytest
import tensorflow as tf

from dreamanim.preset import DreamSettings
from dreamanim.engine.dreamer import Dreamer, dreamer_for, octave_sizes
from dreamanim.engine.tiles import tile_grid
from dreamanim.engine.tensorflow import fastconv
from dreamanim.source.pixels import load_image

from conftest import SAMPLE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lite0():
    return dreamer_for("efficientnet_lite0", precision="float32")


@pytest.fixture(scope="module")
def vgg():
    return dreamer_for("vgg16", precision="float32")


@pytest.fixture(scope="module")
def cat64():
    return load_image(SAMPLE, 64)


@pytest.mark.parametrize("model", ["efficientnet_lite0", "vgg16"])
def test_objective_rises_over_steps(model, cat64):
    dreamer = dreamer_for(model, precision="float32")
    settings = DreamSettings(steps=6, octaves=1)
    before = dreamer.objective(cat64, settings)
    seen = []
    after_frame = dreamer.dream(cat64, settings, np.random.default_rng(0), on_step=seen.append)
    after = dreamer.objective(after_frame, settings)
    assert after > before * 1.2, (before, after)
    assert seen[-1] > seen[0]


def test_tiled_gradient_equals_whole_image_gradient_away_from_tile_edges(vgg, cat64):
    # block1_conv2 sees 5x5 pixels; its gradient at a pixel depends on the image up to 4 px away
    # (2 px forward, 2 px back), so tiles may only differ from the whole within 4 px of a seam.
    whole = vgg.tiled_gradient(cat64, DreamSettings(layers={"block1_conv2": 1.0}, tile_size=512))
    tiled = vgg.tiled_gradient(cat64, DreamSettings(layers={"block1_conv2": 1.0}, tile_size=32))
    interior = np.ones(whole.shape[:2], bool)
    grid = tile_grid(*whole.shape[:2], 32)
    for y0, y1 in [ys for ys, _ in grid]:
        interior[max(y0 - 4, 0):y0 + 4, :] = False
        interior[y1 - 4:y1, :] = False
    for x0, x1 in grid[0][1]:
        interior[:, max(x0 - 4, 0):x0 + 4] = False
        interior[:, x1 - 4:x1] = False
    scale = np.abs(whole).max()
    assert np.abs(tiled - whole)[interior].max() < 1e-4 * scale
    assert np.abs(tiled - whole)[~interior].max() > 1e-3 * scale  # the seams do differ: a real check


def test_tiles_leave_no_seams_after_dreaming(lite0):
    flat = np.full((96, 96, 3), 120.0, np.float32) + np.random.default_rng(0).uniform(0, 8, (96, 96, 3)).astype(np.float32)
    settings = DreamSettings(steps=12, octaves=1, tile_size=48)
    dreamed = lite0.dream(flat, settings, np.random.default_rng(0))
    change = np.abs(np.diff(dreamed - flat, axis=1)).mean(axis=(0, 2))  # column-to-column jumps
    seam = change[47]  # between column 47 and 48: the tile boundary before rolling
    assert seam < 2.5 * np.median(change), (seam, np.median(change))


@pytest.mark.parametrize("shape", [(64, 64), (47, 71), (100, 33)])
def test_octaves_keep_the_frame_size(lite0, shape):
    frame = np.random.default_rng(0).uniform(0, 255, shape + (3,)).astype(np.float32)
    out = lite0.dream(frame, DreamSettings(steps=1, octaves=3, octave_scale=1.3), np.random.default_rng(0))
    assert out.shape == frame.shape and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 255


def test_octave_sizes_go_small_to_full_and_skip_tiny_ones():
    assert octave_sizes(100, 200, 3, 2.0) == [(50, 100), (100, 200)]  # 25 px is below the minimum
    assert octave_sizes(280, 280, 3, 1.4)[-1] == (280, 280)


def test_tile_grid_covers_the_image_evenly():
    grid = tile_grid(100, 130, 48)
    assert [ys for ys, _ in grid] == [(0, 33), (33, 67), (67, 100)]
    assert grid[0][1] == [(0, 43), (43, 87), (87, 130)]


def test_step_is_traced_once_per_shape_not_per_frame(lite0, cat64):
    d = Dreamer(lite0.net, lite0.default_layers, lite0.default_step)
    settings = DreamSettings(steps=1, octaves=2)
    frame = np.ascontiguousarray(cat64[:, :48])  # 43x48 and 31x34 would be skipped: use 2 real octaves
    frame = np.pad(frame, ((0, 5), (0, 0), (0, 0)), mode="edge")  # 48x48 -> octaves 34x34 and 48x48
    for t in range(4):
        frame = d.dream(frame, settings, np.random.default_rng(t))
    assert d.traces == 2  # one per octave size, whatever the frame count


@pytest.mark.parametrize("shape", [(1, 9, 11, 5), (1, 16, 16, 3)])
def test_fast_conv_gradient_equals_tensorflows(shape):
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=shape), tf.float32)
    kernel = tf.constant(rng.normal(size=(3, 3, shape[-1], 7)), tf.float32)
    weights = tf.constant(rng.normal(size=(1, shape[1], shape[2], 7)), tf.float32)

    def grad(conv):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(conv(x) * weights)
        return tape.gradient(y, x).numpy()

    ours = grad(lambda v: fastconv.conv2d(v, kernel))
    reference = grad(lambda v: tf.nn.conv2d(v, kernel, 1, "SAME"))
    np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape", [(1, 9, 11, 5), (2, 16, 16, 3)])
def test_fast_max_pool_gradient_equals_tensorflows(shape):
    rng = np.random.default_rng(1)
    x = tf.constant(rng.normal(size=shape), tf.float32)  # continuous values: no ties
    weights = tf.constant(rng.normal(size=(shape[0], (shape[1] + 1) // 2, (shape[2] + 1) // 2, shape[3])), tf.float32)

    def grad(pool):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(pool(x) * weights)
        return tape.gradient(y, x).numpy()

    ours = grad(fastconv.max_pool_2x2)
    reference = grad(lambda v: tf.nn.max_pool2d(v, 2, 2, "SAME"))
    np.testing.assert_array_equal(ours, reference)
