"""A layer gallery: one image dreamed once per layer, each layer alone, on one labelled sheet.

    gallery_layers(model, names=None) => layer names, shallow to deep (the model's pick by default)
    dream_gallery(frame, model, layers, ...) => [(label, image)], the input first
    gallery_sheet(pairs, columns=None) => PIL image (contact_sheet.grid)

Every layer dreams the same frame with the same settings and seed, so the cells differ only
in what the layer has learned: strokes and textures early, eyes, snouts and objects late.
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
