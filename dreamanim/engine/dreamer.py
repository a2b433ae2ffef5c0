"""Dream one frame: gradient ascent over octaves, the gradient taken tile by tile under a random roll.

Dreamer(net).dream(frame, settings, rng) => frame. The octave loop is plain Python; every
tensor operation is the compute backend's (engine/backend.py). The compiled step is made once
per image shape and ObjectiveSpec (objective_spec.py) and reused for every later frame; the
layer weights and the gradient's smoothing sigmas are inputs of the step, so keyframed weights
and sigmas never retrace it. `traces` counts the tracings.

Automatic channels (`channels: {layer: {strongest: 8}}`) are chosen here, on the image at the
octave being dreamed (its first octave, or each one with per_octave), from the backend's
probe of the layer's channel strengths (`probes` counts its tracings: one per octave size);
the choice goes to the step as its `picks` input, so it never retraces the step. `chosen`
holds the last dream's choice, layer => Chosen, for the render's record (rendering/sidecar.py).
"""
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

import numpy as np

# `settings` below is a preset.DreamSettings: the dream reads its fields, and does not import the
# preset (a later stage), not even for type checkers.
from .backend import DEFAULT_BACKEND, Backend, get
from .channel_choice import ChannelChoice, Chosen
from .objective_spec import ObjectiveSpec

MIN_OCTAVE_SIDE = 32  # smaller octaves hold too little image to dream on; they are skipped


class Dreamer:
    def __init__(self, net, default_layers: dict[str, float], default_step: float,
                 device: str = "auto", backend: str = DEFAULT_BACKEND):
        """net: a network the backend loaded (models.load_model); device: auto | cpu | gpu, where
        dream() runs (and so traces its step)."""
        self.net = net
        self.default_layers = default_layers
        self.default_step = default_step
        self.device = device
        self.backend: Backend = get(backend)
        self.traces = 0
        self.probes = 0  # tracings of the channel probe (automatic channels), one per octave size
        self.chosen: dict[str, Chosen] = {}  # the last dream's automatic channels (none without them)
        self._steps: dict[tuple, Callable] = {}
        self._probes: dict[tuple, Callable] = {}
        self._guides: dict[tuple, object] = {}

    def dream(self, frame: np.ndarray, settings: "DreamSettings", rng: np.random.Generator,
              on_step: Optional[Callable[[float], None]] = None,
              step_scale: Optional[np.ndarray] = None) -> np.ndarray:
        """Return the dreamed frame (same shape, float32, 0..255). on_step(objective) after each step.

        An octave stops early once its objective passes settings.max_loss. step_scale: an H x W
        map (>= 0) multiplying the step per pixel, resized to each octave (a video frame: the
        renewal share where the previous dream was carried, 1 where it was not); None: 1
        everywhere, through the unscaled step (the same traced graph as without a map)."""
        from .models.device import device_scope
        with device_scope(self.device):
            return self._dream(frame, settings, rng, on_step, step_scale)

    def _dream(self, frame, settings, rng, on_step, step_scale=None):
        b = self.backend
        h, w = frame.shape[:2]
        sizes = octave_sizes(h, w, settings.octaves, settings.octave_scale, settings.octave_range)
        step_size = b.to_tensor((settings.step_size or self.default_step) * 127.5)
        spec = self.spec(settings)
        weights = b.to_tensor(spec.weights(settings, self.default_layers))
        sigmas = b.to_tensor(spec.sigmas(settings))
        base = b.to_tensor(frame)
        scale = None if step_scale is None else b.to_tensor(np.asarray(step_scale, np.float32)[..., None])
        detail, choice = None, ChannelChoice(self, settings, spec, len(sizes), rng)
        for i, size in enumerate(sizes):
            octave_base = b.resize(base, size)
            img = octave_base if detail is None else b.add_clip(octave_base, b.resize(detail, size))
            step = self._step_for(size, spec, settings.tile_size, frame_side=max(h, w), scaled=scale is not None)
            extra = choice.at(i, img, size) + (() if scale is None else (b.resize(scale, size),))
            for _ in range(settings.steps):
                shift = b.to_tensor([rng.integers(size[0]), rng.integers(size[1])], "int32")
                img, objective = step(img, shift, step_size, weights, sigmas, *extra)
                if on_step or settings.max_loss is not None:
                    value = float(objective)  # waits for the step: only when someone looks
                    if on_step:
                        on_step(value)
                    if settings.max_loss is not None and value > settings.max_loss:
                        break
            # What the dream added at this scale is carried up to the next, where it would
            # otherwise be lost by the downscaling of the base image.
            detail = img - octave_base
        if sizes[-1] != (h, w):  # octave_range ended above or below the frame: bring the detail home
            img = b.add_clip(base, b.resize(detail, (h, w)))
        self.chosen = choice.record()
        return b.to_numpy(img)

    def spec(self, settings: "DreamSettings") -> ObjectiveSpec:
        return ObjectiveSpec.of(settings, self.default_layers)

    def steps_for(self, shape: tuple[int, int], settings: "DreamSettings") -> int:
        """Steps a frame of this shape takes at most (fewer when max_loss stops an octave early)."""
        return settings.steps * len(octave_sizes(*shape, settings.octaves, settings.octave_scale,
                                                 settings.octave_range))

    def objective(self, frame: np.ndarray, settings: "DreamSettings") -> float:
        """The objective of a whole frame, untiled (for reports, benchmarks and tests); automatic
        channels are chosen on the frame itself, as its first octave would."""
        spec = self.spec(settings)
        return self.backend.objective(self.net, frame, spec, self._guide_features(spec, max(frame.shape[:2])),
                                      spec.weights(settings, self.default_layers), *self._picks_on(frame, settings))

    def tiled_gradient(self, frame: np.ndarray, settings: "DreamSettings", shift=(0, 0)) -> np.ndarray:
        """The raw (unnormalised) tiled gradient of the objective at frame under a roll."""
        spec = self.spec(settings)
        return self.backend.tiled_gradient(self.net, frame, shift, spec, settings.tile_size,
                                           self._guide_features(spec, max(frame.shape[:2])),
                                           spec.weights(settings, self.default_layers), *self._picks_on(frame, settings))

    def choose_channels(self, frame: np.ndarray, settings: "DreamSettings") -> dict[str, list[int]]:
        """The channels automatic channels pick on this frame, as its first octave would: layer => numbers."""
        choice = ChannelChoice(self, settings, self.spec(settings), 1, np.random.default_rng(0))
        choice.at(0, self.backend.to_tensor(frame), frame.shape[:2])
        return {layer: picked[0] for layer, picked in choice.picked.items()}

    def channel_strengths(self, frame: np.ndarray, layer: str, reduce: str = "meansq") -> np.ndarray:
        """Each channel's strength on the frame, as strongest and weakest rank them (one probe)."""
        spec = ObjectiveSpec((layer,), reduce, auto_channels=((layer, 1),))
        probe = self._probe_for(tuple(frame.shape[:2]), spec, max(frame.shape[:2]))
        return self.backend.to_numpy(probe(self.backend.to_tensor(frame))[0])

    def _picks_on(self, frame: np.ndarray, settings: "DreamSettings") -> tuple:
        spec = self.spec(settings)
        if not spec.picks:
            return ()
        chosen = self.choose_channels(frame, settings)
        return ([c for layer, _ in spec.auto_channels for c in chosen[layer]],)

    def _probe_for(self, size: tuple[int, int], spec: ObjectiveSpec, tile_size: int) -> Callable:
        """The channel probe at one octave size: only what shapes it is in the key (not the choice)."""
        key = (size, spec.auto_channels, spec.reduce, spec.border, tile_size)
        if key not in self._probes:
            self._probes[key] = self.backend.compile_probe(self.net, size, spec, tile_size)
            self.probes += 1
        return self._probes[key]

    def _step_for(self, size: tuple[int, int], spec: ObjectiveSpec, tile_size: int, frame_side: int,
                  scaled: bool = False) -> Callable:
        # The spec holds everything of the objective that shapes the traced graph; the weights
        # are fed at run time, so frames whose weights differ share one trace. A guide's
        # features are fitted to the frame's side, so that is part of the key too; a per-pixel
        # step scale is one more input, so a step with it is traced apart.
        key = (size, spec, tile_size, frame_side if spec.guide else None) + ((True,) if scaled else ())
        if key not in self._steps:
            extra = {"scaled": True} if scaled else {}  # (a backend without maps is still called as before)
            self._steps[key] = self.backend.compile_step(self.net, size, spec, tile_size,
                                                         self._guide_features(spec, frame_side), self._traced,
                                                         **extra)
        return self._steps[key]

    def _traced(self) -> None:
        self.traces += 1

    def _guide_features(self, spec: ObjectiveSpec, frame_side: int) -> dict:
        """Each layer's (N, C) features of the guide image, fitted to the frame's size (so its
        features have the scale of the frame's), computed once per guide, size and layer."""
        if spec.guide is None:
            return {}
        missing = [n for n in spec.layers if (spec.guide, frame_side, n) not in self._guides]
        if missing:
            from ..source.pixels import load_image
            guide = load_image(Path(spec.guide), frame_side, where="guide")
            for name, features in self.backend.guide_features(self.net, guide, missing).items():
                self._guides[(spec.guide, frame_side, name)] = features
        return {n: self._guides[(spec.guide, frame_side, n)] for n in spec.layers}


def dreamer_for(model: str, precision: str = "auto", weights: Optional[Path] = None,
                device: str = "auto", preprocess=None) -> Dreamer:
    """The Dreamer of the named model, dreaming on `device`: one per process for each model,
    precision, weights file (as it is now), device and pixel scaling, so a second render (a
    studio preview, a batch job) reuses its weights and its traced steps instead of tracing
    every octave size again (about 2 s at 256 px). Its `traces` count over its whole life.
    preprocess: a model file's pixel scaling (`preprocess:`), when its preset's checks did not declare it."""
    stamp = None
    if weights is not None and Path(weights).is_file():  # a file replaced under the same name is another model
        stat = Path(weights).stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    return _dreamer(model, precision, None if weights is None else str(weights), stamp, device, preprocess)


@lru_cache(maxsize=8)
def _dreamer(model: str, precision: str, weights: Optional[str], stamp, device: str, preprocess) -> Dreamer:
    from .models import is_model_file, load_model, model_entry
    if preprocess is not None and is_model_file(model):
        from .models.model_file import declare
        declare(model, preprocess)
    entry = model_entry(model)
    return Dreamer(load_model(model, precision, weights and Path(weights), device), entry.default_layers,
                   entry.default_step, device)


def octave_sizes(h: int, w: int, octaves: int, scale: float,
                 octave_range: Optional[tuple[int, int]] = None) -> list[tuple[int, int]]:
    """Image sizes to dream at, smallest first: octave i is the frame size * scale**i, for i from
    1 - octaves to 0, or over octave_range (lo, hi) inclusive when given. Octaves smaller than
    MIN_OCTAVE_SIDE are skipped, but the last one is always kept."""
    lo, hi = octave_range if octave_range is not None else (1 - octaves, 0)
    sizes = []
    for i in range(lo, hi + 1):
        size = (round(h / scale ** -i), round(w / scale ** -i))
        if min(size) >= MIN_OCTAVE_SIDE or i == hi:
            sizes.append(size)
    return sizes


