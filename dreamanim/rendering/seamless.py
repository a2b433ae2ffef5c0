"""Seamless loops: (N saved frames, K) => a play plan whose last frame flows back into its first.

The end of the animation is crossfaded into its start: blend j (0 <= j < K) is
`(1 - w) * frame[N-K+j] + w * frame[j]`, with w rising from 0 to 1 over the K blends, so the
cycle frame[K] ... frame[N-K-1], blend 0 ... blend K-1, frame[K] ... has no seam: blend 0 is
almost frame[N-K], the last blend almost frame[K-1], and N - K frames are played. The weight
follows a smoothstep, not a line, so the fade eases in and out instead of starting with a kick.

A cycle has no first frame, so the file starts where it changes least: in the middle of the
crossfade. There the motion of the two blended dreams partly cancels (measured: the steps
there are 5-20% smaller than ordinary ones, docs/loops_and_color.md), so even the wrap-around,
where a player may hiccup, is the calmest point. This needs enough blend frames for the fade
itself not to dominate; the render summary prints the jump next to the typical step.

Blending happens only when the videos are written: the frames folder keeps the raw dreamed
frames, so `--resume` and `seamless.blend_frames` changes need no re-dreaming.

`LoopMeter` measures any played stream: the jump (mean absolute difference, 0..255, between
the last and the first frame played) and the typical step (the median of the same difference
between consecutive frames), for the render summary.
"""
from statistics import median
from typing import Callable, Iterable, Iterator, Optional

import numpy as np

from ..common.pixels8 import to_uint8

Plan = list[tuple[int, int, float]]  # per played frame: (frame a, frame b, weight of b)


def blend_count(frames: int, blend_frames: int) -> int:
    """The K actually blended: at most `blend_frames`, and always leaving at least one frame
    unblended, so a short test render (`--frames 12`) plays a shorter fade instead of failing."""
    return max(0, min(blend_frames, (frames - 1) // 2))


def smoothstep(x: float) -> float:
    return x * x * (3 - 2 * x)


def seamless_plan(frames: int, blend_frames: int) -> Plan:
    """The second half of the K crossfades (frame[N-K+j] => frame[j]), frame[K] ... frame[N-K-1]
    as they are, then the first half of the crossfades."""
    k = blend_count(frames, blend_frames)
    plain = [(t, t, 0.0) for t in range(k, frames - k)]
    fades = [(frames - k + j, j, smoothstep((j + 1) / (k + 1))) for j in range(k)]
    return fades[k // 2:] + plain + fades[:k // 2]


def play(read: Callable[[int], np.ndarray], plan: Plan) -> Iterator[np.ndarray]:
    """Stream the planned uint8 frames; at most two saved frames are in memory at a time."""
    for a, b, w in plan:
        frame = read(a)
        if w > 0:
            mixed = (1 - w) * frame.astype(np.float32) + w * read(b).astype(np.float32)
            frame = to_uint8(mixed)
        yield frame


def frame_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two uint8 frames, in 0..255 units."""
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


class LoopMeter:
    """Watches frames stream past (keeping only the first and the previous one)."""

    def __init__(self):
        self.first: Optional[np.ndarray] = None
        self.last: Optional[np.ndarray] = None
        self.steps: list[float] = []

    def watch(self, frames: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        for frame in frames:
            if self.first is None:
                self.first = frame
            else:
                self.steps.append(frame_difference(self.last, frame))
            self.last = frame
            yield frame

    @property
    def jump(self) -> Optional[float]:
        """Difference between the last frame played and the first (where the loop wraps)."""
        return frame_difference(self.last, self.first) if self.steps else None

    @property
    def typical_step(self) -> Optional[float]:
        """Median difference between consecutive played frames (the wrap-around not counted)."""
        return median(self.steps) if self.steps else None
