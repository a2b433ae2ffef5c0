"""Temporal coherence for video: (previous dream, previous source, new source) => the frame to dream next.

Conventions, used by every function here:
- frames are float32 H×W×3 RGB in 0..255;
- a flow field is float32 H×W×2 (x, y) in pixels, defined on the grid of the frame it is
  warped ONTO: `flow(a, b)[y, x] = (dx, dy)` says pixel (x, y) of b shows what a shows at
  (x + dx, y + dy), so `warp(a, flow(a, b)) ≈ b` (a backward warp: pull, never push);
- a mask is float32 H×W in 0..1 on that same grid: 1 = the warped pixel can be trusted,
  0 = occluded, newly revealed, or come from outside the frame.
Flow is estimated on the source frames only (dreamed detail would fool it), with OpenCV's
DIS optical flow (preset MEDIUM) on grey 8-bit images.
"""
from functools import lru_cache
from typing import Optional

import cv2
import numpy as np

from ..common.pixels8 import to_uint8


FLOW_SIDE = 640  # frames larger than this (longer side) get their flow at this size, scaled up


def flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense flow that pulls a onto b: b(p) ≈ a(p + flow(a, b)(p)). Frames with a longer side
    over FLOW_SIDE are compared at that size and the flow scaled back up: the motion a dream
    follows is smooth, and at 1280x720 that is about 3x faster for a flow within a pixel."""
    if a.shape != b.shape:
        raise ValueError(f"frames must have the same shape, got {a.shape} and {b.shape}")
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)  # cheap; not shared across threads
    grey_a, grey_b = _grey(a), _grey(b)
    h, w = grey_a.shape
    scale = FLOW_SIDE / max(h, w)
    if scale >= 1:
        # OpenCV's calc(I0, I1) gives f with I0(p) ≈ I1(p + f(p)): so b is I0 and a is I1.
        return dis.calc(grey_b, grey_a, None).astype(np.float32, copy=False)
    small = (max(1, round(w * scale)), max(1, round(h * scale)))
    shrink = lambda g: cv2.resize(g, small, interpolation=cv2.INTER_AREA)  # noqa: E731
    coarse = dis.calc(shrink(grey_b), shrink(grey_a), None)
    field = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    field[..., 0] *= w / small[0]
    field[..., 1] *= h / small[1]
    return field.astype(np.float32, copy=False)


def warp(image: np.ndarray, field: np.ndarray) -> np.ndarray:
    """out(p) = image(p + field(p)), bilinear; outside the frame repeats the nearest edge."""
    gx, gy = _grid(*field.shape[:2])
    out = cv2.remap(np.ascontiguousarray(image, dtype=np.float32), gx + field[..., 0], gy + field[..., 1],
                    interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(image.shape)  # remap drops a trailing axis of length 1


def consistency_mask(warp_flow: np.ndarray, reverse_flow: np.ndarray, *, erode: int = 1,
                     soften: float = 1.0) -> np.ndarray:
    """Which pixels of the warp target can be trusted: 1 where following `warp_flow`
    (= flow(a, b), on b's grid) into a and then `reverse_flow` (= flow(b, a), on a's grid)
    comes back to where it started, by Ruder et al.'s test (Artistic style transfer for
    videos, 2016): |w + ŵ|² < 0.01 (|w|² + |ŵ|²) + 0.5 with w = warp_flow and ŵ = reverse_flow
    sampled at p + w(p). Pixels pulled from outside the frame are 0. `erode` pixels are then
    trimmed off the trusted region (flow is least sure at the edges of occlusions) and the
    edge is blurred with a Gaussian of sigma `soften` pixels so carried detail fades in, not cuts."""
    w = warp_flow
    back = warp(reverse_flow, w)
    # |v|² as v_x² + v_y²: the same sums as np.sum(v ** 2, axis=-1), without numpy's slow
    # reduction over a trailing axis of two (a third of a 1280x720 carry's time)
    error = _norm2(w + back)
    tolerance = 0.01 * (_norm2(w) + _norm2(back)) + 0.5
    h, wd = w.shape[:2]
    gx, gy = _grid(h, wd)
    x, y = gx + w[..., 0], gy + w[..., 1]
    # within half a pixel of the edge is the edge pixel itself, not the outside
    inside = (x > -0.5) & (x < wd - 0.5) & (y > -0.5) & (y < h - 0.5)
    mask = ((error < tolerance) & inside).astype(np.float32)
    if erode > 0:
        mask = cv2.erode(mask, np.ones((2 * erode + 1, 2 * erode + 1), np.uint8),
                         borderType=cv2.BORDER_REPLICATE)
    if soften > 0:
        mask = cv2.GaussianBlur(mask, (0, 0), soften, borderType=cv2.BORDER_REPLICATE)
    return np.clip(mask, 0.0, 1.0)


def scene_cut(mask: np.ndarray, threshold: float = 0.5) -> bool:
    """True when more than `threshold` of the frame is untrusted (mask < 0.5): a cut, a flash,
    or motion too fast to follow, where carrying the old dream would only smear it."""
    return float(np.mean(mask < 0.5)) > threshold


def carry(prev_dream: np.ndarray, prev_source: np.ndarray, new_source: np.ndarray, *,
          decay: float = 0.9, cut_threshold: float = 0.5, erode: int = 1,
          soften: float = 1.0) -> tuple[np.ndarray, np.ndarray, bool]:
    """(start frame for dreaming, mask, is_cut).

    What the dream added to the previous frame (prev_dream - prev_source, in 0..255 units,
    signed) is moved along the source flow onto the new frame, scaled by `decay` (0..1: how
    much survives one frame, so old detail fades unless the dream renews it) and by the mask
    (nothing lands on newly revealed or occluded pixels), added to the new source frame and
    clipped to 0..255. On a scene cut the new source frame comes back unchanged.
    """
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"decay must be in 0..1 (the share of detail kept per frame), got {decay}")
    pull = flow(prev_source, new_source)
    mask = consistency_mask(pull, flow(new_source, prev_source), erode=erode, soften=soften)
    if scene_cut(mask, cut_threshold):
        return np.array(new_source, dtype=np.float32), mask, True
    detail = warp(np.asarray(prev_dream, np.float32) - np.asarray(prev_source, np.float32), pull)
    start = new_source + (decay * mask)[..., None] * detail
    return np.clip(start, 0.0, 255.0).astype(np.float32), mask, False


def inbetween(src: np.ndarray, src_a: np.ndarray, src_b: np.ndarray, dream_a: np.ndarray,
              dream_b: np.ndarray, alpha: float) -> np.ndarray:
    """A frame between two dreamed frames of a moving picture (a cadence's in-between), on its
    own source frame `src`: the detail of dream_a (on src_a, before) and of dream_b (on src_b,
    after) each pulled along the source flow onto src, and mixed by closeness in time (alpha:
    0 at a, 1 at b) times each one's consistency mask, so a pixel hidden in one of them takes the
    other's detail alone (occlusion-aware). A pixel neither of them shows gets none."""
    mixed, weight = 0.0, 0.0
    for share, source, dream in ((1.0 - alpha, src_a, dream_a), (alpha, src_b, dream_b)):
        pull = flow(source, src)
        mask = share * consistency_mask(pull, flow(src, source))
        mixed = mixed + mask[..., None] * warp(np.asarray(dream, np.float32) - np.asarray(source, np.float32), pull)
        weight = weight + mask
    detail = mixed / np.maximum(weight, 1e-3)[..., None]
    return np.clip(np.asarray(src, np.float32) + detail, 0.0, 255.0).astype(np.float32)


def inbetween_moved(moved_a: np.ndarray, dream_b: np.ndarray, alpha: float) -> np.ndarray:
    """A frame between two dreamed frames of a still (a cadence's in-between): dream_a already
    moved by the transform chain to this frame (moved_a), and dream_b pulled onto it along the
    flow between the two, mixed by closeness in time (alpha: 0 at a, 1 at b) where the flow
    holds (its consistency mask); elsewhere moved_a alone."""
    pull = flow(dream_b, moved_a)
    share = alpha * consistency_mask(pull, flow(moved_a, dream_b))[..., None]
    out = (1.0 - share) * np.asarray(moved_a, np.float32) + share * warp(dream_b, pull)
    return np.clip(out, 0.0, 255.0).astype(np.float32)


def blend(prev_dream: np.ndarray, new_source: np.ndarray, amount: float) -> np.ndarray:
    """The simple method without flow: (1 - amount) * new_source + amount * prev_dream.
    amount 0 = the source frame alone, 1 = the previous dream alone (a still)."""
    if not 0.0 <= amount <= 1.0:
        raise ValueError(f"amount must be in 0..1, got {amount}")
    mixed = (1.0 - amount) * np.asarray(new_source, np.float32) + amount * np.asarray(prev_dream, np.float32)
    return np.clip(mixed, 0.0, 255.0).astype(np.float32)


def warping_error(out_prev: np.ndarray, out_now: np.ndarray, src_prev: np.ndarray,
                  src_now: np.ndarray, mask: Optional[np.ndarray] = None) -> float:
    """How much the output flickers: mean |out_now - warp(out_prev, source flow)| over the
    trusted pixels (mask-weighted, all channels), in 0..255 units; lower is steadier.
    NaN when no pixel can be trusted (a scene cut). Pass `mask` to reuse one from carry()."""
    pull = flow(src_prev, src_now)
    if mask is None:
        mask = consistency_mask(pull, flow(src_now, src_prev))
    diff = np.abs(np.asarray(out_now, np.float32) - warp(out_prev, pull)).mean(axis=-1)
    total = float(mask.sum())
    return float((diff * mask).sum() / total) if total > 0 else float("nan")


def _norm2(v: np.ndarray) -> np.ndarray:
    return v[..., 0] * v[..., 0] + v[..., 1] * v[..., 1]


@lru_cache(maxsize=4)
def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """The pixel coordinates of an h x w frame (x, y), made once per frame size (read-only)."""
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    gx.flags.writeable = gy.flags.writeable = False
    return gx, gy


def _grey(frame: np.ndarray) -> np.ndarray:
    rgb8 = to_uint8(frame)
    return cv2.cvtColor(rgb8, cv2.COLOR_RGB2GRAY)
