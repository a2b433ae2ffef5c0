"""The order the videos play the saved frames in: forward, reverse, pingpong, or a seamless loop."""
from typing import Iterator

import numpy as np

from .seamless import play, seamless_plan


def play_order(frames: int, loop: str) -> list[int]:
    """forward 0..N-1; reverse N-1..0; pingpong there and back without repeating the ends (2N-2)."""
    forward = list(range(frames))
    if loop == "reverse":
        return forward[::-1]
    if loop == "pingpong":
        return forward + forward[-2:0:-1]
    return forward


def played_frames(store, frames: int, loop: str, blend_frames: int) -> tuple[int, Iterator[np.ndarray]]:
    """(count, stream): the frames the videos show, in play order, read from the store one by one."""
    if loop == "seamless":
        plan = seamless_plan(frames, blend_frames)
        return len(plan), play(lambda t: next(store.frames([t])), plan)
    order = play_order(frames, loop)
    return len(order), store.frames(order)
