"""A layer gallery: one image dreamed once per layer, each layer alone, on one labelled sheet;
and an atlas: one small tile per channel of a layer, or per ImageNet class.

    gallery_layers(model, names=None) => layer names, shallow to deep (the model's pick by default)
    dream_gallery(frame, model, layers, ...) => [(label, image)], the input first
    atlas_channels(frame, model, layer, count) => channel numbers, strongest on the frame first
    dream_channel_atlas(frame, model, layer, channels, ...) => [(channel number, tile)], the input first
    dream_class_atlas(frame, model, classes, ...) => [(class name, tile)], the input first
    gallery_sheet(pairs, columns=None) => PIL image (contact_sheet.grid)

Every layer dreams the same frame with the same settings and seed, so the cells differ only
in what the layer has learned: strokes and textures early, eyes, snouts and objects late.
An atlas's tiles differ only in the channel (or class), and share one traced step: each tile's
channel is the step's run-time `picks` input (a channel chosen by rule, pinned to the tile's),
each class its one-hot class weights.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Sequence

if TYPE_CHECKING:  # the CLI reads this module's defaults for --help: no numpy, no TensorFlow yet
    import numpy as np

DEFAULT_SIZE = 224
SAMPLE_NAME = "chelsea.png"


@dataclass(frozen=True)
class GallerySettings:
    size: int = DEFAULT_SIZE   # longer side of each dreamed image
    steps: int = 10            # gradient-ascent steps per octave
    octaves: int = 3
    octave_scale: float = 1.4
    step_size: Optional[float] = None  # None: the model's gallery_step or default_step
    reduce: str = "meansq"
    seed: int = 0


ATLAS_SIZE = 112     # an atlas tile's longer side: small, so even a layer's every channel is quick
ATLAS_COUNT = 15     # channels on an atlas by default: with the input, a 4 x 4 sheet


@dataclass(frozen=True)
class AtlasSettings:
    size: int = ATLAS_SIZE
    steps: int = 8
    octaves: int = 2
    octave_scale: float = 1.4
    step_size: Optional[float] = None  # None: the model's gallery_step or default_step
    reduce: str = "meansq"
    seed: int = 0


def sample_image() -> Path:
    """The bundled photo the gallery dreams when given no IMAGE: installed with the package
    (dreamanim.presets, the repo's presets/ folder), or in a source checkout's presets/."""
    candidates = [Path(__file__).resolve().parents[2] / "presets" / SAMPLE_NAME]
    try:
        from importlib.resources import files
        candidates.insert(0, Path(str(files("dreamanim.presets") / SAMPLE_NAME)))
    except ModuleNotFoundError:  # running from a source checkout that is not installed
        pass
    for path in candidates:
        if path.is_file():
            return path
    from ..errors import InputError
    raise InputError("IMAGE", f"no image given, and the sample photo is not at {candidates[-1]}",
                     "give an image: dreamanim gallery photo.jpg")


def gallery_layers(model: str, names: Optional[Sequence[str]] = None) -> list[str]:
    """The layers to show, in network order; unknown names are a ModelError with a suggestion."""
    from ..engine.models import check_layer, model_entry, model_layers
    order = [layer.name for layer in model_layers(model)]
    wanted = list(names) if names else list(model_entry(model).gallery_layers)
    for name in wanted:
        check_layer(model, name, f"--layers {name}")
    return sorted(dict.fromkeys(wanted), key=order.index)


def dream_gallery(frame: "np.ndarray", model: str, layers: Sequence[str],
                  settings: GallerySettings = GallerySettings(), *, weights: Optional[Path] = None,
                  device: str = "auto", precision: str = "auto",
                  on_layer: Optional[Callable[[str], None]] = None) -> list[tuple[str, "np.ndarray"]]:
    """[("input", frame), (layer, frame dreamed on that layer alone), ...]; on_layer(name) after each."""
    from ..preset import DreamSettings
    from ..motion.context import rng_for
    from ..engine.dreamer import dreamer_for
    from ..engine.models import model_entry
    entry = model_entry(model)
    dreamer = dreamer_for(model, precision, weights, device)
    step_size = settings.step_size or entry.gallery_step or entry.default_step
    pairs = [("input", frame)]
    for name in layers:
        dream = DreamSettings(layers={name: 1.0}, reduce=settings.reduce, steps=settings.steps,
                              octaves=settings.octaves, octave_scale=settings.octave_scale,
                              step_size=step_size)
        # The same seed for every layer: the same rolls, so only the layer differs.
        pairs.append((name, dreamer.dream(frame, dream, rng_for(settings.seed, 0, "dream"))))
        if on_layer:
            on_layer(name)
    return pairs


def gallery_sheet(pairs: Sequence[tuple[str, "np.ndarray"]], columns: Optional[int] = None):
    """The labelled grid, cells at the dreamed images' own size (up to contact_sheet.MAX_CELL)."""
    from .contact_sheet import grid
    return grid([image for _, image in pairs], [label for label, _ in pairs], columns=columns)


def atlas_channels(frame: "np.ndarray", model: str, layer: str, count: Optional[int], *,
                   reduce: str = "meansq", weights: Optional[Path] = None, device: str = "auto",
                   precision: str = "auto") -> list[int]:
    """The `count` strongest channels of `layer` on the frame (as `channels: {layer: {strongest:
    count}}` ranks them: mean square, or mean under reduce mean), strongest first; count None: every
    channel, in number order."""
    from ..engine.dreamer import dreamer_for
    from ..engine.models import model_layers
    channels = next(info.channels for info in model_layers(model) if info.name == layer)
    if count is None:
        return list(range(channels))
    import numpy as np
    dreamer = dreamer_for(model, precision, weights, device)
    strengths = dreamer.channel_strengths(frame, layer, reduce)
    return np.argsort(-strengths, kind="stable")[:count].tolist()


def dream_channel_atlas(frame: "np.ndarray", model: str, layer: str, channels: Sequence[int],
                        settings: AtlasSettings = AtlasSettings(), *, weights: Optional[Path] = None,
                        device: str = "auto", precision: str = "auto",
                        on_tile: Optional[Callable[[str], None]] = None) -> list[tuple[str, "np.ndarray"]]:
    """[("input", frame), ("17", frame dreamed on channel 17 of layer alone), ...]; on_tile(label) after each."""
    def tile_settings(channel: int) -> dict:
        # One rule for every tile, its choice pinned to the tile's channel: one traced step for all.
        return {"layers": {layer: 1.0}, "channels": {layer: {"strongest": 1, "chosen": {0: [channel]}}}}
    return _atlas(frame, model, [(str(c), tile_settings(c)) for c in channels], settings, weights, device,
                  precision, on_tile)


def dream_class_atlas(frame: "np.ndarray", model: str, classes: Sequence[str],
                      settings: AtlasSettings = AtlasSettings(), *, weights: Optional[Path] = None,
                      device: str = "auto", precision: str = "auto",
                      on_tile: Optional[Callable[[str], None]] = None) -> list[tuple[str, "np.ndarray"]]:
    """[("input", frame), ("goldfinch", frame dreamed on that class alone), ...]: every tile's objective
    holds every class, its weight 1 for the tile's and 0 for the others (one traced step for all)."""
    def tile_settings(name: str) -> dict:
        return {"classes": {other: float(other == name) for other in classes}, "normalize": "laplacian",
                "smooth": 1.0, "tv": 0.1}  # classes look best with these (docs/objectives.md)
    return _atlas(frame, model, [(name, tile_settings(name)) for name in dict.fromkeys(classes)], settings,
                  weights, device, precision, on_tile)


def _atlas(frame, model, tiles, settings: AtlasSettings, weights, device, precision, on_tile):
    from ..preset import DreamSettings
    from ..motion.context import rng_for
    from ..engine.dreamer import dreamer_for
    from ..engine.models import model_entry
    entry = model_entry(model)
    dreamer = dreamer_for(model, precision, weights, device)
    step_size = settings.step_size or entry.gallery_step or entry.default_step
    pairs = [("input", frame)]
    for label, objective in tiles:
        dream = DreamSettings(reduce=settings.reduce, steps=settings.steps, octaves=settings.octaves,
                              octave_scale=settings.octave_scale, step_size=step_size, **objective)
        # The same seed for every tile: the same rolls, so only the channel (or class) differs.
        pairs.append((label, dreamer.dream(frame, dream, rng_for(settings.seed, 0, "dream"))))
        if on_tile:
            on_tile(label)
    return pairs
