"""Transforms: the registry's contract, and zoom / stretch do what their names say."""
import numpy as np
import pytest

from dreamanim import FrameContext, registry


def ctx(t=0):
    return FrameContext(t=t, frames=10, rng=np.random.default_rng([3, t]))


def frame(h=40, w=56):
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, (h, w, 3)).astype(np.float32)


@pytest.mark.parametrize("info", registry.all_transforms(), ids=lambda i: i.name)
def test_every_transform_keeps_shape_dtype_range_and_is_deterministic(info):
    f = frame()
    a = info.fn(f.copy(), ctx(), **{p.name: p.default for p in info.params})
    b = info.fn(f.copy(), ctx(), **{p.name: p.default for p in info.params})
    assert a.shape == f.shape and a.dtype == np.float32
    assert a.min() >= 0 and a.max() <= 255
    assert np.array_equal(a, b)
    assert info.doc, "every transform has a one-line doc"


def test_stretch_vertical_keeps_each_rows_horizontal_profile():
    row = np.linspace(0, 255, 56, dtype=np.float32)
    f = np.broadcast_to(row[None, :, None], (40, 56, 3)).copy()
    f[:20] *= 0.5  # rows differ, so a vertical stretch moves them
    out = registry.get("stretch").fn(f, ctx(), axis="vertical", amount=0.1)
    ratio = out[:, :, 0] / np.maximum(out[:, -1:, 0], 1e-6)
    np.testing.assert_allclose(ratio, np.broadcast_to(row / 255, ratio.shape), atol=1e-4)
    assert not np.allclose(out, f)


def test_stretch_horizontal_moves_only_columns():
    col = np.linspace(0, 255, 40, dtype=np.float32)
    f = np.broadcast_to(col[:, None, None], (40, 56, 3)).copy()
    out = registry.get("stretch").fn(f, ctx(), axis="horizontal", amount=0.1)
    np.testing.assert_allclose(out, f, atol=1e-3)  # columns identical: a horizontal stretch changes nothing


def test_zoom_magnifies_about_the_centre():
    f = np.zeros((41, 41, 3), np.float32)
    f[18:23, 18:23] = 255  # a centred 5 px square
    out = registry.get("zoom").fn(f, ctx(), amount=0.2)
    assert (out[..., 0] > 127).sum() > (f[..., 0] > 127).sum()  # it grew
    ys, xs = np.nonzero(out[..., 0] > 127)
    assert ys.mean() == pytest.approx(20, abs=0.01) and xs.mean() == pytest.approx(20, abs=0.01)  # no drift


def test_registering_a_duplicate_name_from_elsewhere_is_an_error():
    with pytest.raises(registry.PluginError, match="already defined"):
        registry.transform("zoom")(lambda frame, ctx: frame)
