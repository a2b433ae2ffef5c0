"""What a transform knows about the frame it is transforming."""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FrameContext:
    t: int                   # frame index, 0-based
    frames: int              # frame count of the render
    rng: np.random.Generator  # seeded per (render seed, t): the only source of randomness


STREAMS = {"transform": 0, "dream": 1}


def rng_for(seed: int, t: int, stream: str = "transform") -> np.random.Generator:
    """The generator for frame t: independent of how many frames ran before (resume-safe).
    The dream's tile rolls and the transforms draw from separate streams."""
    return np.random.default_rng([seed, t, STREAMS[stream]])
