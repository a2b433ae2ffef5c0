"""A render plan: Plan(preset, every=K) => a frozen record of everything the frame loop and the files need,
resolved once: frames, size, seed, the opened source, the model and its defaults, the chain, the
outputs, the sound, the identity and the manifest. After it is built, nothing reads the Preset.

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
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

from ..motion.context import FrameContext, rng_for

if TYPE_CHECKING:  # config (pydantic) loads only when a plan is made: `--help` stays fast
    from ..preset import DreamSettings, Preset
    from ..source.table import Source, Start

DEFAULT_EVERY = 4
PREVIEW_SIZE = 256  # pixels on the longer side: measured, the best look for the time (docs/previews.md)


class Plan:
    """Frozen once built: Plan(preset, every=K). Its fields are listed in __init__."""

    def __init__(self, preset: "Preset", every: int = 1, *, source: "Optional[Source]" = None):
        """source: an already opened source of this input (a steered plan keeps its own)."""
        from ..engine.models import model_entry, model_precision
        from ..source.table import open_source
        from .sidecar import resolved, sidecar_text
        p, set_ = preset, lambda name, value: object.__setattr__(self, name, value)
        entry = model_entry(p.model)
        set_("every", every)
        set_("preview", every > 1)
        set_("real_frames", p.frames)                  # the full render's frame count (the chain's T)
        set_("frames", math.ceil(p.frames / every))    # frames this plan dreams
        set_("size", min(p.size, PREVIEW_SIZE) if every > 1 else p.size)
        set_("seed", p.seed)
        set_("cadence", 1 if every > 1 else p.cadence)  # frames dreamed apart (a preview dreams each it shows)
        set_("source", source or open_source(p.input, self.size, p.seed, p.noise.model_dump(), clip=p.clip,
                                             coherence=p.coherence, every=every, fps=p.fps, cadence=self.cadence))
        # The model, with what it would choose by itself named once (the dreamer, the sidecar and the
        # carried-frame step all take these).
        set_("model", p.model)
        set_("precision", model_precision(p.model, p.precision))
        set_("engine", dict(precision=p.precision, weights=p.weights, device=p.device, preprocess=p.preprocess))
        set_("default_layers", dict(entry.default_layers))
        set_("default_step", entry.default_step)
        set_("chain", p.chain)
        set_("loop", p.loop)
        set_("color_lock", (p.color_lock.mode, p.color_lock.strength))
        set_("blend_frames", max(1, round(p.seamless.blend_frames / every)))  # a preview's fade lasts as long
        set_("outputs", self._outputs(p))
        set_("sound", self._sound(p))
        set_("sound_where", "audio" if p.soundtrack else "input")
        # The frame rate the sound is in sync with (a video's fps only then carries it).
        set_("sound_fps", p.audio_features.fps if p.soundtrack else self.source.fps)
        set_("beats", tuple(p.audio_features.beat_frames()) if p.audio_features else ())
        set_("resolved", resolved(p))                  # the fully resolved preset, as data
        set_("sidecar", None if every > 1 else sidecar_text(p))  # a preview's would not be the one to keep
        set_("_identity", self._identity_of(p))
        set_("_manifest", self._manifest_of(p))
        set_("_preset", p)  # for dream_for, move and steering only: the schedules it holds

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Plan is frozen: {name} cannot be set")

    def steered(self, preset: "Preset") -> "Plan":
        """This plan with a live-steered preset (steering.py changes only the dream's numbers and the
        transforms' parameters): the same source, already open."""
        return Plan(preset, self.every, source=self.source)

    def value_at(self, path: tuple) -> Callable[[int], Any]:
        """The value of a preset key at (real) frame t, as its schedule or constant gives it; for steering."""
        scheduled = {s.path: s for s in self._preset.schedules}
        if path in scheduled:
            return lambda t: scheduled[path].at(t, self.real_frames)
        node = self.resolved
        for part in path:
            node = node[part]
        return lambda t: node

    def dream_for(self, i: int, start: "Optional[Start]" = None) -> "DreamSettings":
        """Frame i's dream settings: the real frame i*K's, doing the dreaming of K frames; a frame
        that starts afresh (start.fresh: a video's scene cut) dreams as frame 0 does; a frame that
        carries the previous dream along the flow spends `coherence.octaves` and `.steps` when given."""
        return self._dream_and_boost(i, start)[0]

    def step_scale(self, start: "Start", i: int) -> Optional[np.ndarray]:
        """Frame i's step per pixel, as a share of the step size, or None (the full step everywhere):
        a video frame carrying the previous dream along the flow renews it with `coherence.renew`
        of the step where the detail was carried (start.carried = 1), and dreams fully where
        nothing was (new content: moving things, what they reveal; a scene cut is fresh).
        With `coherence.steps` fewer than the frame's own steps (as keyframes or steering have them
        at frame i), every step is as much larger."""
        if not _carries(start):
            return None
        scale = 1.0 - (1.0 - self._preset.coherence.renew) * start.carried
        return (scale * self._dream_and_boost(i, start)[1]).astype(np.float32)

    def _dream_and_boost(self, i: int, start: "Optional[Start]") -> "tuple[DreamSettings, float]":
        """(frame i's dream settings, how much larger its steps are than its own dream's)."""
        fresh = start is not None and start.fresh
        settings = self._preset.dream_for(i * self.every, fresh=fresh)
        if i == 0 or fresh:
            return settings, 1.0
        boost = 1.0
        if _carries(start):
            carried = carried_settings(settings, self._preset.coherence, start.frame.shape[:2])
            boost = settings.steps / carried.steps
            settings = carried
        if self.preview:  # a preview's frame does the dreaming of K (carried or not)
            settings = settings.model_copy(update={"steps": settings.steps * self.every})
        return settings, boost

    def move(self, frame: np.ndarray, i: int, n: int = 1) -> np.ndarray:
        """Frame i moved on to where frame i+n starts: the chain at each real frame in between."""
        for t in range(i * self.every, (i + n) * self.every):
            frame = self.chain(frame, FrameContext(t, self.real_frames, rng_for(self.seed, t)))
        return frame

    # -- cadence: frames 0, N, 2N, ... and the last are dreamed; those between are interpolated --
    def dreamed_for(self, t: int) -> int:
        """The dreamed frame that frame t is, or the next one after it (its in-betweens come first)."""
        return min(t + (-t) % self.cadence, self.frames - 1)

    def dreamed_before(self, t: int) -> Optional[int]:
        """The dreamed frame before frame t (None for frame 0): the one t's dream carries on."""
        return None if t == 0 else (t - 1) - (t - 1) % self.cadence

    def between(self, t: int, a: int, b: int, dream_a: np.ndarray, dream_b: np.ndarray) -> np.ndarray:
        """In-between frame t of the dreamed frames a < t < b: a moving picture's along its source
        flow onto source frame t, a still's dream a moved on by the chain with dream b pulled onto it
        (source/coherence.py inbetween, inbetween_moved)."""
        from ..source.coherence import inbetween, inbetween_moved
        alpha = (t - a) / (b - a)
        if self.source.fps is not None:
            src = self.source.frame
            return inbetween(src(t), src(a), src(b), dream_a, dream_b, alpha)
        return inbetween_moved(self.move(dream_a, a, t - a), dream_b, alpha)

    def identity(self) -> dict:
        """Everything that decides the frames: the frame store resumes only frames made under it.
        (bfloat16 and float32 dream slightly different frames: a resume must not mix them.)"""
        return dict(self._identity)

    def manifest(self) -> dict:
        """What the frames were made with, for people: the real preset, and a preview's own settings."""
        return dict(self._manifest)

    def dreamer(self):
        """The model's Dreamer (TensorFlow loads here, not at import)."""
        from ..engine.dreamer import dreamer_for
        e = self.engine
        return dreamer_for(self.model, e["precision"], e["weights"], e["device"], e["preprocess"])

    # -- resolving, once --
    def _outputs(self, p: "Preset"):
        """The preset's outputs; a preview writes one GIF playing as long as the real render."""
        if not self.preview:
            return p.outputs
        from ..outputs import format_module
        gif = format_module("gif").Settings
        first = next(iter(p.outputs.given().values()), gif())
        loops = p.outputs.gif.loops if p.outputs.gif else 0
        return type(p.outputs)(gif=gif(fps=max(first.fps / self.every, 0.5), loops=loops))

    def _sound(self, p: "Preset") -> "Optional[tuple[str, float, float]]":
        """(file, start, seconds) of the sound that goes with the frames: the soundtrack
        (`audio: FILE`), or the source's when the preset keeps it (`audio: true`); None unless
        the videos play the frames forward."""
        audio = p.audio_features
        sound = (p.soundtrack, audio.start, self.every / audio.fps) if p.soundtrack else self.source.sound
        if sound is None or not p.audio or p.loop != "forward":
            return None
        path, start, per_frame = sound
        return path, start, self.frames * per_frame

    def _identity_of(self, p: "Preset") -> dict:
        made = {"preset": p.frames_data(), "input": self.source.digest, "precision": self.precision}
        return {**made, "preview": self.every} if self.preview else made

    def _manifest_of(self, p: "Preset") -> dict:
        from .. import __version__
        made = {"dreamanim": __version__, "seed": p.seed, "precision": self.precision,
                "input": p.input, "preset": self.resolved}
        return {**made, "preview": {"every": self.every, "size": self.size}} if self.preview else made


def _carries(start: "Optional[Start]") -> bool:
    return start is not None and start.carried is not None and not start.fresh


def carried_settings(settings: "DreamSettings", coherence, shape: tuple[int, int]) -> "DreamSettings":
    """A carried frame's dream: `coherence.octaves` of the octaves an H x W (shape) frame would
    dream, spread evenly from the coarsest to the finest (2 of 3: the coarsest and the finest;
    the carried detail holds the scales between, and the coarsest renews the dream's big shapes,
    which would otherwise fade), and `coherence.steps` steps in each. The octaves counted are
    those dreamed (octave_sizes leaves out ones too small). (Under an octave_range that ends off
    the frame size the spread cannot be put as a range: there, its finest ones.)"""
    from ..engine.dreamer import octave_sizes
    changes = {}
    hi = settings.octave_range[1] if settings.octave_range is not None else 0
    count = len(octave_sizes(*shape, settings.octaves, settings.octave_scale, settings.octave_range))
    if coherence.octaves is not None and coherence.octaves < count:
        kept = coherence.octaves
        changes["octave_range"] = (hi - kept + 1, hi)
        if hi == 0 and kept > 1:  # octave i is the frame size * scale**i: a larger scale spreads them
            changes["octave_scale"] = settings.octave_scale ** ((count - 1) / (kept - 1))
    if coherence.steps is not None:
        changes["steps"] = coherence.steps
    return settings.model_copy(update=changes) if changes else settings
