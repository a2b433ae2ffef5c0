"""What a frame's dream maximises, as one frozen, hashable value: ObjectiveSpec.of(settings, default layers).

The spec is both what objectives.build_objective builds from and the key under which the
dream engine keeps its compiled step: every field that changes the traced graph is here, so
a new objective field cannot silently reuse a stale trace. The layer weights are not: they
are fed to the compiled step at run time, so keyframed weights never retrace it; so are the
gradient's smoothing sigmas (`sigmas`), whose count and kernel radius alone shape the graph, and
so are the class weights and the total variation's (`weights` lists layers, then classes, then tv).
Automatic channels (`channels: {layer: {strongest: 8}}`) are too: only each such layer's count is
in the spec (`auto_channels`); which channels, chosen per frame or octave, are the step's `picks`
input (int32, the layers' picks one after another in auto_channels order), so a new choice never
retraces. Explicit lists (`channels: {layer: [3, 17]}`) stay in `channels`, gathered as constants.
No TensorFlow here: the preset schema takes its choices (REDUCES, NORMALIZERS) from this module.
"""
from dataclasses import dataclass
from typing import Mapping, Optional

from .models.classes import class_number

REDUCES = ("meansq", "mean", "l2")       # how a layer's activations become one number
NORMALIZERS = ("std", "meanabs", "laplacian")  # how the gradient is scaled before a step
SMOOTH_RADII = (4, 8, 16, 32)            # Gaussian kernel radii (px) the smoothing sigmas are rounded up to
MAX_SIGMA = 10                           # px; a kernel reaches 3 sigmas, within SMOOTH_RADII[-1]


@dataclass(frozen=True)
class ObjectiveSpec:
    layers: tuple[str, ...]                             # in the order the weights come
    reduce: str = "meansq"
    border: int = 0                                     # activation pixels left out on each side
    channels: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (layer, feature maps dreamed), sorted
    guide: Optional[str] = None                         # absolute path of the guide image
    normalize: str = "std"
    lap_levels: int = 0                                 # laplacian: pyramid levels (0 for the others)
    smooth: int = 0                                     # Gaussian blurs of the gradient averaged (0: none)
    smooth_radius: int = 0                              # their kernel radius, px: one of SMOOTH_RADII
    classes: tuple[int, ...] = ()                       # ImageNet class numbers whose logits are raised
    tv: bool = False                                    # a total variation term (its weight: the last one)
    auto_channels: tuple[tuple[str, int], ...] = ()     # (layer, how many channels it picks at run time), sorted

    @property
    def terms(self) -> int:
        """How many weights the objective takes: one per layer, per class, and tv's."""
        return len(self.layers) + len(self.classes) + self.tv

    @classmethod
    def of(cls, settings, default_layers: Mapping[str, float]) -> "ObjectiveSpec":
        """The spec of a preset's dream settings (DreamSettings); layers default to the model's."""
        classes = tuple(class_number(name) for name in (getattr(settings, "classes", None) or {}))
        layers = cls._layers(settings, default_layers)
        given = (settings.channels or {}).items()
        channels = tuple(sorted((name, tuple(picked)) for name, picked in given if isinstance(picked, (list, tuple))))
        auto = tuple(sorted((name, rule.count) for name, rule in given if not isinstance(rule, (list, tuple))))
        sigmas = cls.sigmas(settings)
        radius = next((r for r in SMOOTH_RADII if 3 * max(sigmas) <= r), SMOOTH_RADII[-1]) if sigmas else 0
        return cls(tuple(layers), settings.reduce, settings.border, channels, settings.guide, settings.normalize,
                   settings.lap_levels if settings.normalize == "laplacian" else 0, len(sigmas), radius,
                   classes, getattr(settings, "tv", None) is not None, auto)

    @property
    def picks(self) -> int:
        """How many channel numbers the step's `picks` input holds (0: it takes none)."""
        return sum(count for _, count in self.auto_channels)

    @staticmethod
    def _layers(settings, default_layers: Mapping[str, float]) -> Mapping[str, float]:
        """The layers dreamed: the settings', else the model's defaults (none when classes are given)."""
        return settings.layers or ({} if getattr(settings, "classes", None) else default_layers)

    @staticmethod
    def weights(settings, default_layers: Mapping[str, float]) -> list[float]:
        """The layer weights, in the spec's layer order, then the classes', then tv's: the run-time
        input of the compiled step."""
        tv = getattr(settings, "tv", None)
        return (list(ObjectiveSpec._layers(settings, default_layers).values())
                + list((getattr(settings, "classes", None) or {}).values()) + ([tv] if tv is not None else []))

    @staticmethod
    def sigmas(settings) -> list[float]:
        """The gradient's smoothing sigmas (px): the other run-time input (`smooth:` a number or a list)."""
        smooth = settings.smooth
        if smooth is None:
            return []
        return [float(s) for s in (smooth if isinstance(smooth, (list, tuple)) else [smooth])]
