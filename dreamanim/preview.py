"""`render --preview K`: a quick look at a whole animation, small and every K-th frame, moving as the real one.

The real render dreams frame t+1 from transform(frame t). The preview keeps frames 0, K, 2K, ...
of it: between two of them it runs the transform chain K times, at the real frame times (so
scheduled and random transforms take exactly the values of the real render, and the picture
moves as far as over K real frames), then dreams once with K times the steps, so the dream
grows as much per unit of motion as in the real render. (K times the step size instead costs
nothing but overshoots into noise; no compensation leaves the dream far too weak: measured in
docs/previews.md.) Frames are at most PREVIEW_SIZE pixels, the GIF plays at fps / K so it
lasts as long as the real one, and everything goes to OUTPUT.preview.*.

    Preview(K, real_preset).preset    the preset the loop runs: ceil(N / K) frames, small, a GIF
    Preview.dream_for(i)              dream settings of previewed frame i (real frame i * K)
    Preview.chain(chain)              the real transforms, K real frames at a time
"""
import hashlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from .context import FrameContext, rng_for

if TYPE_CHECKING:  # config (pydantic) loads only when a preview is made: `--help` stays fast
    from .config import DreamSettings, Preset

DEFAULT_EVERY = 4
PREVIEW_SIZE = 256  # pixels on the longer side: measured, the best look for the time (docs/previews.md)


@dataclass(frozen=True)
class Preview:
    every: int
    real: "Preset"  # the preset of the full render this preview stands for

    @property
    def preset(self) -> "Preset":
        from .config import GifOutput, Outputs
        real, k = self.real, self.every
        fps = (real.outputs.gif or real.outputs.mp4 or GifOutput()).fps / k
        loops = real.outputs.gif.loops if real.outputs.gif else 0
        blend = max(1, round(real.seamless.blend_frames / k))  # a seamless loop fades as long
        return real.model_copy(update={  # keeps the schedules: the chain reads them
            "frames": math.ceil(real.frames / k), "size": min(real.size, PREVIEW_SIZE),
            "seamless": real.seamless.model_copy(update={"blend_frames": blend}),
            "outputs": Outputs(gif=GifOutput(fps=max(fps, 0.5), loops=loops))})

    def dream_for(self, i: int) -> "DreamSettings":
        """Frame 0 is dreamed as in the real render; later ones do the dreaming of K frames."""
        settings = self.real.dream_for(i * self.every)
        return settings if i == 0 else settings.model_copy(update={"steps": settings.steps * self.every})

    def chain(self, chain: Callable) -> Callable:
        def k_frames(frame: np.ndarray, ctx: FrameContext) -> np.ndarray:
            for t in range(ctx.t * self.every, (ctx.t + 1) * self.every):
                frame = chain(frame, FrameContext(t, self.real.frames, rng_for(self.real.seed, t)))
            return frame
        return k_frames

    def tag(self) -> str:
        """For the frames hash: previews with another K have other frames."""
        return hashlib.sha256(f"preview every {self.every}".encode()).hexdigest()[:8]

    def settings(self) -> dict:
        """For the manifest (and so the PNG text): what makes these frames a preview."""
        return {"every": self.every, "size": self.preset.size}
