"""A render plan: Plan(preset, every=K) => what the frame loop runs: its frames, source, dream
settings, moves between frames, outputs and identity. The full render is the plan with K = 1.

A preview (K > 1) is a quick look at a whole animation, small and every K-th frame, moving as
the real one. The real render dreams frame t+1 from transform(frame t). The preview keeps
frames 0, K, 2K, ... of it: between two of them it runs the transform chain K times, at the
real frame times (so scheduled and random transforms take exactly the values of the real
render, and the picture moves as far as over K real frames), then dreams once with K times
the steps, so the dream grows as much per unit of motion as in the real render. (K times the
step size instead costs nothing but overshoots into noise; no compensation leaves the dream
far too weak: measured in docs/previews.md.) Frames are at most PREVIEW_SIZE pixels, the GIF
plays at fps / K so it lasts as long as the real one, and everything goes to OUTPUT.preview.*.
"""
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Optional

import numpy as np

from ..motion.context import FrameContext, rng_for

if TYPE_CHECKING:  # config (pydantic) loads only when a plan is made: `--help` stays fast
    from ..preset import DreamSettings, Preset
    from ..source.table import Source

DEFAULT_EVERY = 4
PREVIEW_SIZE = 256  # pixels on the longer side: measured, the best look for the time (docs/previews.md)


@dataclass(frozen=True)
class Plan:
    preset: "Preset"  # the full render's preset: what the sidecar and the manifest record
    every: int = 1    # dream every K-th frame of it

    @property
    def preview(self) -> bool:
        return self.every > 1

    @property
    def frames(self) -> int:
        return math.ceil(self.preset.frames / self.every)

    @property
    def size(self) -> int:
        return min(self.preset.size, PREVIEW_SIZE) if self.preview else self.preset.size

    @property
    def seed(self) -> int:
        return self.preset.seed

    @cached_property
    def source(self) -> "Source":
        from ..source.table import open_source
        p = self.preset
        return open_source(p.input, self.size, p.seed, p.noise.model_dump(), clip=p.clip,
                           coherence=p.coherence, every=self.every, fps=p.fps)

    def steered(self, preset: "Preset") -> "Plan":
        """This plan with a live-steered preset: the same source, already open (steering.py changes
        only the dream's numbers and the transforms' parameters)."""
        plan = Plan(preset, self.every)
        if "source" in self.__dict__:
            plan.__dict__["source"] = self.__dict__["source"]
        return plan

    def dream_for(self, i: int) -> "DreamSettings":
        """Frame i's dream settings: the real frame i*K's, doing the dreaming of K frames; a video
        frame that carries the previous dream on renews it with `coherence.renew` of the step."""
        settings = self.preset.dream_for(i * self.every)
        if i == 0:
            return settings
        if self.preview:
            settings = settings.model_copy(update={"steps": settings.steps * self.every})
        coherence = self.preset.coherence
        if self.source.fps is not None and coherence.mode == "flow":  # a video frame carrying a dream
            from ..engine.models import model_entry
            step = settings.step_size or model_entry(self.preset.model).default_step
            settings = settings.model_copy(update={"step_size": step * coherence.renew})
        return settings

    def move(self, frame: np.ndarray, i: int) -> np.ndarray:
        """Frame i moved on to where frame i+1 starts: the chain at each real frame in between."""
        real = self.preset
        for t in range(i * self.every, (i + 1) * self.every):
            frame = real.chain(frame, FrameContext(t, real.frames, rng_for(real.seed, t)))
        return frame

    @property
    def outputs(self):
        """The preset's outputs; a preview writes one GIF playing as long as the real render."""
        real = self.preset
        if not self.preview:
            return real.outputs
        from ..outputs import format_module
        gif = format_module("gif").Settings
        first = next(iter(real.outputs.given().values()), gif())
        loops = real.outputs.gif.loops if real.outputs.gif else 0
        return type(real.outputs)(gif=gif(fps=max(first.fps / self.every, 0.5), loops=loops))

    @property
    def sound(self) -> "Optional[tuple[str, float, float]]":
        """(file, start, seconds) of the sound that goes with the frames: the soundtrack
        (`audio: FILE`), or the source's when the preset keeps it (`audio: true`); None unless
        the videos play the frames forward."""
        p = self.preset
        sound = (p.soundtrack, p._audio.start, self.every / p._audio.fps) if p.soundtrack else self.source.sound
        if sound is None or not p.audio or p.loop != "forward":
            return None
        path, start, per_frame = sound
        return path, start, self.frames * per_frame

    @property
    def sound_fps(self) -> Optional[float]:
        """The frame rate the sound is in sync with (a video's fps only then carries it)."""
        return self.preset._audio.fps if self.preset.soundtrack else self.source.fps

    @property
    def blend_frames(self) -> int:
        """How many frames a seamless loop fades over (a preview's fade lasts as long)."""
        return max(1, round(self.preset.seamless.blend_frames / self.every))

    def precision(self) -> str:
        from ..engine.models import model_precision
        return model_precision(self.preset.model, self.preset.precision)

    def identity(self) -> dict:
        """Everything that decides the frames: the frame store resumes only frames made under it.
        (bfloat16 and float32 dream slightly different frames: a resume must not mix them.)"""
        made = {"preset": self.preset.frames_data(), "input": self.source.digest, "precision": self.precision()}
        return {**made, "preview": self.every} if self.preview else made

    def manifest(self) -> dict:
        """What the frames were made with, for people: the real preset, and a preview's own settings."""
        from .. import __version__
        from .sidecar import resolved
        p = self.preset
        made = {"dreamanim": __version__, "seed": p.seed, "precision": self.precision(),
                "input": p.input, "preset": resolved(p)}
        return {**made, "preview": {"every": self.every, "size": self.size}} if self.preview else made

    def dreamer(self):
        """The model's Dreamer (TensorFlow loads here, not at import)."""
        from ..engine.dreamer import dreamer_for
        p = self.preset
        return dreamer_for(p.model, p.precision, p.weights, p.device, p.preprocess)
