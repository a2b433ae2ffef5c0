"""Transforms: the registry's contract, and every built-in does what its name says."""
import numpy as np
import pytest

from dreamanim import FrameContext, PresetError
from dreamanim.motion import registry


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


# --- the classic animation transforms do what their names say -------------------------------

def run(name, f, t=0, **params):
    return registry.get(name).fn(f, ctx(t), **params)


def rows_index(h=40, w=56):
    """Pixel value = its row (all channels), so a column's vertical shift can be read back."""
    return np.broadcast_to(np.arange(h, dtype=np.float32)[:, None, None], (h, w, 3)).copy()


@pytest.mark.parametrize("name", ["zoom", "stretch"])
def test_center_is_the_fixed_point(name):
    f = np.zeros((41, 41, 3), np.float32)
    f[9:12, 9:12] = 255  # a 3 px square centred on (10, 10)
    def centroid(img):
        w = img[..., 0]
        ys, xs = np.mgrid[:41, :41]
        return (ys * w).sum() / w.sum(), (xs * w).sum() / w.sum()
    fixed = centroid(run(name, f, amount=0.2, center=(0.25, 0.25)))  # (10, 10) = 0.25 * 40
    moved = centroid(run(name, f, amount=0.2))                       # about the true centre (20, 20)
    assert fixed == pytest.approx((10, 10), abs=0.05)
    assert moved[0] < 9  # pushed away from the centre, towards the top
    assert (moved[1] < 9) == (name == "zoom")  # a vertical stretch leaves columns where they are


def test_geometric_transforms_keep_range_with_spline_order_and_every_border():
    f = frame()
    for border in ("reflect", "wrap", "nearest", "constant"):
        out = run("rotate", f, degrees=17, border=border, order=3)
        assert out.dtype == np.float32 and 0 <= out.min() and out.max() <= 255


def test_rotate_by_90_turns_the_picture_counter_clockwise_and_360_is_identity():
    f = frame(33, 33)
    np.testing.assert_allclose(run("rotate", f, degrees=90), np.rot90(f), atol=1e-3)
    np.testing.assert_allclose(run("rotate", f, degrees=360)[2:-2, 2:-2], f[2:-2, 2:-2], atol=1e-2)


def test_affine_identity_is_identity_and_offset_column_shifts():
    f = frame()
    np.testing.assert_allclose(run("affine", f, matrix=[[1, 0], [0, 1]]), f, atol=1e-4)
    out = run("affine", f, matrix=[[1, 0, 3], [0, 1, 0]], border="wrap")  # output row r <- input row r+3
    np.testing.assert_allclose(out, np.roll(f, -3, axis=0), atol=1e-3)


def test_roll_moves_column_n_by_round_rate_n_and_keeps_each_columns_pixels():
    f = frame()
    out = run("roll", f)  # vertical, rate 1/15
    for n in range(f.shape[1]):
        np.testing.assert_array_equal(out[:, n], np.roll(f[:, n], round(n / 15), axis=0))
        np.testing.assert_array_equal(np.sort(out[:, n], axis=0), np.sort(f[:, n], axis=0))
    across = run("roll", f, axis="horizontal", rate=0.5)
    for r in range(f.shape[0]):
        np.testing.assert_array_equal(across[r], np.roll(f[r], round(r * 0.5), axis=0))


def test_roll_alternate_switches_axis_on_odd_frames():
    f = frame()
    assert np.array_equal(run("roll", f, t=2, alternate=True), run("roll", f))
    assert np.array_equal(run("roll", f, t=3, alternate=True), run("roll", f, axis="horizontal"))


def test_sine_shear_amplitude_zero_is_identity_and_the_wave_travels_with_t():
    f = frame()
    np.testing.assert_allclose(run("sine_shear", f, amplitude=0.0), f, atol=1e-4)
    assert not np.allclose(run("sine_shear", f, t=0), run("sine_shear", f, t=1))
    # Moving pixels along a column that is the same all the way down changes nothing.
    flat_columns = np.broadcast_to(f[:1], f.shape).copy()
    np.testing.assert_allclose(run("sine_shear", flat_columns, amplitude=3.3), flat_columns, atol=1e-3)


def test_sine_shear_shifts_follow_the_sine():
    f = rows_index()
    out = run("sine_shear", f, amplitude=4.0, period=28.0, phase=0.5, phase_step=0.0, order=1)
    n = np.arange(f.shape[1])
    expected = 4.0 * np.sin(2 * np.pi * n / 28.0 + 0.5)
    np.testing.assert_allclose((f - out)[20, :, 0], expected, atol=1e-3)  # interior row: no border


def test_random_shift_with_equal_bounds_is_a_plain_roll():
    f = frame()
    np.testing.assert_array_equal(run("random_shift", f, low=3, high=3), np.roll(f, 3, axis=0))
    np.testing.assert_array_equal(run("random_shift", f, low=-2, high=-2, axis="horizontal"),
                                  np.roll(f, -2, axis=1))


def test_random_shift_draws_per_group_within_bounds_and_odd_groups_use_their_own():
    f = rows_index()
    out = run("random_shift", f, low=-3, high=5, group=4)
    shifts = (f[0, :, 0] - out[0, :, 0]) % f.shape[0]
    shifts = np.where(shifts > 20, shifts - f.shape[0], shifts)  # back to signed
    assert -3 <= shifts.min() and shifts.max() <= 5 and len(set(shifts)) > 1
    assert (shifts.reshape(-1, 4) == shifts.reshape(-1, 4)[:, :1]).all()  # a group moves together
    split = run("random_shift", f, low=1, high=1, odd_low=-1, odd_high=-1, group=2)
    np.testing.assert_array_equal(split[:, 0:2], np.roll(f[:, 0:2], 1, axis=0))
    np.testing.assert_array_equal(split[:, 2:4], np.roll(f[:, 2:4], -1, axis=0))
    assert not np.array_equal(run("random_shift", f, t=1), run("random_shift", f, t=2))  # new draw per frame


@pytest.mark.parametrize("name", ["sobel", "prewitt"])
def test_edge_filters_find_edges_lose_colour_and_mix_back(name):
    flat = np.full((24, 32, 3), 90.0, np.float32)
    np.testing.assert_array_equal(run(name, flat), 0)
    step = np.zeros((24, 32, 3), np.float32)
    step[:, 16:] = 255
    edges = run(name, step)
    assert edges[:, 15:17].min() == pytest.approx(255)  # a full step reads 255, on both sides of it
    assert edges[:, :14].max() == 0 and edges[:, 18:].max() == 0
    f = frame()
    out = run(name, f)
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])
    np.testing.assert_allclose(run(name, f, mix=0.0), f, atol=1e-4)
    np.testing.assert_allclose(run(name, f, mix=0.25), 0.25 * out + 0.75 * f, atol=1e-3)


def test_blur_keeps_flat_images_and_smooths_noise():
    flat = np.full((24, 32, 3), 42.0, np.float32)
    np.testing.assert_allclose(run("blur", flat), flat, atol=1e-4)
    f = frame()
    assert run("blur", f, sigma=1.0).var() < 0.5 * f.var()
    np.testing.assert_array_equal(run("blur", f, sigma=0.0), f)


def test_color_shift_turns_hue_and_keeps_grays_and_brightness():
    f = frame()
    np.testing.assert_allclose(run("color_shift", f, degrees=0.0), f, atol=1e-3)
    np.testing.assert_allclose(run("color_shift", f, degrees=360.0), f, atol=1e-3)
    gray = np.broadcast_to(np.linspace(0, 255, 32, dtype=np.float32)[None, :, None], (24, 32, 3)).copy()
    np.testing.assert_allclose(run("color_shift", gray, degrees=77.0), gray, atol=1e-3)
    muted = 100 + 0.3 * (f - 128)  # colours well inside the cube: nothing is clipped
    turned = run("color_shift", muted, degrees=40.0)
    luma = np.array([0.299, 0.587, 0.114], np.float32)
    np.testing.assert_allclose(turned @ luma, muted @ luma, atol=1e-2)
    assert not np.allclose(turned, muted, atol=1)
    np.testing.assert_allclose(run("color_shift", run("color_shift", turned, degrees=200.0), degrees=120.0),
                               muted, atol=1e-2)  # 40 + 200 + 120 = a full turn


BAD = [
    ("zoom", {"center": (1.5, 0.5)}, "center"), ("zoom", {"order": 7}, "order"),
    ("stretch", {"border": "mirror"}, "border"), ("stretch", {"amount": 1.0}, "amount"),
    ("rotate", {"degrees": float("nan")}, "degrees"), ("rotate", {"center": (0.5,)}, "center"),
    ("affine", {"matrix": [[1, 0], [0]]}, "matrix"),
    ("affine", {"matrix": [[1, 0, 0, 0], [0, 1, 0, 0]]}, "matrix"),
    ("roll", {"rate": float("inf")}, "rate"),
    ("sine_shear", {"period": 0.0}, "period"), ("sine_shear", {"order": -1}, "order"),
    ("random_shift", {"low": 2, "high": 1}, "low"), ("random_shift", {"group": 0}, "group"),
    ("random_shift", {"odd_low": 3}, "odd_low"),
    ("sobel", {"mix": 1.5}, "mix"), ("prewitt", {"mix": -0.1}, "mix"),
    ("blur", {"sigma": -1.0}, "sigma"), ("color_shift", {"degrees": float("inf")}, "degrees"),
]


@pytest.mark.parametrize("name, params, word", BAD, ids=[f"{n}-{w}" for n, _, w in BAD])
def test_bad_parameter_values_raise_value_error_naming_the_parameter(name, params, word):
    with pytest.raises(ValueError, match=rf"^{word} must"):
        run(name, frame(), **params)


def test_parameter_types_print_as_a_preset_writes_them():
    params = {p.name: p for p in registry.get("zoom").params}
    assert params["center"].type_name == "[float, float]" and params["center"].default_text == "[0.5, 0.5]"
    assert params["border"].type_name == "reflect|wrap|nearest|constant"
    assert {p.name: p.type_name for p in registry.get("random_shift").params}["odd_low"] == "int | None"


NEW = ["rotate", "affine", "roll", "sine_shear", "random_shift", "sobel", "prewitt", "blur", "color_shift"]


def test_every_transform_validates_through_the_preset_loader(write_preset):
    from dreamanim.preset import load_preset
    steps = [{name: {}} for name in NEW] + [{"zoom": {"center": [0.2, 0.8], "border": "wrap", "order": 3}},
                                            {"affine": {"matrix": [[1, 0.1, 2], [0, 1, -1]]}}]
    preset = load_preset(write_preset(transform=steps))
    assert preset.transform[-2].params["center"] == (0.2, 0.8)
    with pytest.raises(PresetError, match=r"transform\[0\]\.rotate\.degrees"):
        load_preset(write_preset(transform=[{"rotate": {"degrees": "x"}}]))
    with pytest.raises(PresetError, match=r"transform\[0\]\.zoom: center must be two fractions"):
        load_preset(write_preset(transform=[{"zoom": {"center": [2, 0]}}]))


def test_docs_describe_every_built_in_and_their_examples_run():
    import re
    from pathlib import Path
    import yaml
    doc = (Path(__file__).resolve().parents[1] / "docs" / "transforms.md").read_text(encoding="utf-8")
    builtins = [i for i in registry.all_transforms() if i.fn.__module__.startswith("dreamanim.transforms.")]
    assert {"zoom", "stretch", *NEW} <= {i.name for i in builtins}
    for info in builtins:
        assert f"## `{info.name}`" in doc, info.name
        for p in info.params:
            assert f"`{p.name}`" in doc, (info.name, p.name)
    snippets = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    assert len(snippets) >= len(builtins)
    for text in snippets:
        for step in yaml.safe_load(text)["transform"]:
            (name, params), = step.items()
            out = run(name, frame(24, 32), **(params or {}))
            assert out.shape == (24, 32, 3) and 0 <= out.min() and out.max() <= 255
