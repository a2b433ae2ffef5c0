"""Optical flow, warping, the consistency mask and carrying the dream along: on pans and a moving object of known motion."""
import numpy as np
import pytest

from clips import pan, sprite, texture
from dreamanim.source import coherence as co

H, W, M = 72, 96, 8  # frame size and the border margin where flow has no evidence


@pytest.mark.parametrize("dx, dy", [(3, 2), (-2, 1), (0, -4)])
def test_flow_of_a_pan_is_within_a_pixel(dx, dy):
    a, b = pan(2, H, W, dx, dy)
    field = co.flow(a, b)
    assert field.shape == (H, W, 2) and field.dtype == np.float32
    assert np.abs(field[M:-M, M:-M] - [dx, dy]).max() < 1.0
    assert np.abs(field[M:-M, M:-M] - [dx, dy]).mean() < 0.2


def test_warping_the_previous_frame_by_the_flow_gives_the_new_one():
    a, b = pan(2, H, W, 3, 2)
    warped = co.warp(a, co.flow(a, b))
    assert warped.shape == a.shape and warped.dtype == np.float32
    assert np.abs(warped - b)[M:-M, M:-M].mean() < 1.5  # 0..255 units
    assert np.abs(a - b)[M:-M, M:-M].mean() > 10  # ...where not warping is far off


def test_warp_pulls_from_where_the_flow_points():
    image = texture(H, W)
    shift = np.zeros((H, W, 2), np.float32)
    shift[..., 0] = 5  # every pixel shows what the image shows 5 px to its right
    assert np.array_equal(co.warp(image, shift)[:, :-5], image[:, 5:])


def test_mask_trusts_a_pan_but_not_the_strip_it_reveals():
    a, b = pan(2, H, W, 3, -2)  # content moves left and down: new pixels appear right and top
    mask = co.consistency_mask(co.flow(a, b), co.flow(b, a))
    assert mask.shape == (H, W) and mask.dtype == np.float32
    assert 0.0 <= mask.min() and mask.max() <= 1.0
    assert mask[M:-M, M:-M].min() > 0.9
    assert mask[:, -3:].mean() < 0.2 and mask[:2].mean() < 0.2


def moving_square(step=6):
    """(frame before, frame after) 96×128: a 40 px textured square at x=40, y=28 moving `step`
    px right over a still background (big enough for DIS to separate the two motions)."""
    background, square = texture(96, 128, seed=1), texture(40, 40, seed=2)
    return sprite(background, square, 40, 28), sprite(background, square, 40 + step, 28)


def test_mask_distrusts_background_revealed_behind_a_moving_object():
    a, b = moving_square()
    mask = co.consistency_mask(co.flow(a, b), co.flow(b, a))
    assert mask[30:66, 40:46].mean() < 0.3    # behind the square: hidden in a, shown in b
    assert mask[34:62, 52:80].min() > 0.9     # the square itself
    assert mask[2:20, 2:-2].min() > 0.9       # the still background


def test_scene_cut_is_found_on_a_cut_not_on_a_pan():
    a, b = pan(2, H, W, 4, 3)
    other = texture(H, W, seed=7)
    assert not co.scene_cut(co.consistency_mask(co.flow(a, b), co.flow(b, a)))
    assert co.scene_cut(co.consistency_mask(co.flow(a, other), co.flow(other, a)))
    start, mask, cut = co.carry(a + 20, a, other)
    assert cut and np.array_equal(start, other)


def test_carry_moves_the_detail_with_the_object():
    a, b = moving_square(6)
    detail = np.zeros_like(a)
    detail[40:52, 50:62] = 40.0  # the dream grew something on the square
    start, mask, cut = co.carry(a + detail, a, b, decay=1.0)
    carried = (start - b).mean(axis=-1)
    assert not cut and start.dtype == np.float32
    assert carried[42:50, 58:66].mean() > 35      # arrived with the square, 6 px right
    assert np.abs(carried[42:50, 50:54]).max() < 3  # and did not stay behind
    assert np.abs(carried[2:20]).max() < 1         # nothing elsewhere


def test_carried_detail_only_decays_when_the_dream_adds_nothing():
    frames = pan(12, H, W, 2, 1)
    dream = np.clip(frames[0] + 30.0, 0, 255)  # a bright dream on the first frame
    strength = [float((dream - frames[0]).mean())]
    for prev, new in zip(frames, frames[1:]):
        dream, _, cut = co.carry(dream, prev, new, decay=0.8)  # the "dream" step changes nothing
        assert not cut
        strength.append(float((dream - new).mean()))
    assert all(later <= earlier + 1e-3 for earlier, later in zip(strength, strength[1:]))
    assert strength[-1] <= strength[0] * 0.8 ** 11 + 0.5


def test_carry_keeps_values_in_range_and_checks_decay():
    a, b = pan(2, H, W, 2, 0)
    start, _, _ = co.carry(np.full_like(a, 255.0), a, b, decay=1.0)
    assert 0 <= start.min() and start.max() <= 255
    with pytest.raises(ValueError, match="decay"):
        co.carry(a, a, b, decay=1.5)


def test_blend_mixes_the_previous_dream_into_the_new_frame():
    a, b = texture(H, W, 1), texture(H, W, 2)
    assert np.allclose(co.blend(a, b, 0.0), b) and np.allclose(co.blend(a, b, 1.0), a)
    assert np.allclose(co.blend(a, b, 0.25), 0.75 * b + 0.25 * a, atol=1e-3)
    with pytest.raises(ValueError, match="amount"):
        co.blend(a, b, -0.1)


def test_warping_error_is_low_for_a_coherent_output_and_high_for_flicker():
    a, b = pan(2, H, W, 3, 1)
    assert co.warping_error(a, b, a, b) < 1.5  # the source itself is perfectly coherent
    rng = np.random.default_rng(0)
    flicker = np.clip(b + rng.normal(0, 20, b.shape), 0, 255).astype(np.float32)
    assert co.warping_error(a, flicker, a, b) > 10
    assert np.isnan(co.warping_error(a, b, a, b, mask=np.zeros((H, W), np.float32)))


def test_flow_of_a_large_frame_is_taken_smaller_and_still_within_a_pixel():
    a, b = pan(2, 360, co.FLOW_SIDE + 260, 5, -3)  # over FLOW_SIDE: compared at that size
    field = co.flow(a, b)
    assert field.shape == (360, co.FLOW_SIDE + 260, 2) and field.dtype == np.float32
    assert np.abs(field[20:-20, 20:-20] - [5, -3]).mean() < 0.3
