"""What a frame's dream maximises, as one frozen, hashable value: ObjectiveSpec.of(settings, default layers).

The spec is both what objectives.build_objective builds from and the key under which the
dream engine keeps its compiled step: every field that changes the traced graph is here, so
a new objective field cannot silently reuse a stale trace. The layer weights are not: they
are fed to the compiled step at run time, so keyframed weights never retrace it.
No TensorFlow here: the preset schema takes its choices (REDUCES, NORMALIZERS) from this module.
"""
from dataclasses import dataclass
from typing import Mapping, Optional

REDUCES = ("meansq", "mean", "l2")       # how a layer's activations become one number
NORMALIZERS = ("std", "meanabs")         # what the gradient is divided by before a step


@dataclass(frozen=True)
class ObjectiveSpec:
    layers: tuple[str, ...]                             # in the order the weights come
    reduce: str = "meansq"
    border: int = 0                                     # activation pixels left out on each side
    channels: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (layer, feature maps dreamed), sorted
    guide: Optional[str] = None                         # absolute path of the guide image
    normalize: str = "std"

    @classmethod
    def of(cls, settings, default_layers: Mapping[str, float]) -> "ObjectiveSpec":
        """The spec of a preset's dream settings (DreamSettings); layers default to the model's."""
        layers = settings.layers or default_layers
        channels = tuple(sorted((name, tuple(picked)) for name, picked in (settings.channels or {}).items()))
        return cls(tuple(layers), settings.reduce, settings.border, channels, settings.guide, settings.normalize)

    @staticmethod
    def weights(settings, default_layers: Mapping[str, float]) -> list[float]:
        """The layer weights, in the spec's layer order: the run-time input of the compiled step."""
        return list((settings.layers or default_layers).values())
