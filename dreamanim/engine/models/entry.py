"""What the zoo knows of a model without loading it: ModelEntry, KerasApp for weights Keras downloads, LayerInfo.

No backend here: `dreamanim models` lists every entry without importing one.
"""
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Optional

KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"


@dataclass(frozen=True)
class LayerInfo:
    name: str
    channels: int
    stride: int  # input pixels per activation pixel


@dataclass(frozen=True)
class KerasApp:
    """Weights that Keras downloads once (keras.utils.get_file) and keeps in its cache, and, for
    a keras.applications network, how to build it and which of its layers a preset may use."""
    application: Optional[str]  # the keras.applications constructor, e.g. "InceptionV3"; None: not Keras'
    weights_url: str           # the file Keras downloads (a network's include_top=False ImageNet weights)
    file_hash: Optional[str]   # Keras' own md5 or sha256 of that file; None: not checked
    download_mb: int           # about; for a catalogued network, its float32 parameters' size
    layer_names: str = ""      # regex: the layers a preset may use (Keras' stable names, not conv2d_94)
    # keras.applications.imagenet_utils mode (tf = x / 127.5 - 1, caffe, torch), or the name of the
    # keras.applications module whose own preprocess_input the network takes ("resnet")
    preprocess: str = "tf"

    @property
    def weights_file(self) -> str:
        return self.weights_url.rsplit("/", 1)[1]


@dataclass(frozen=True, eq=False)
class ModelEntry:
    name: str
    summary: str
    builder: str                        # its builder: a key of the backend's BUILDERS (vgg16, keras_apps, ...)
    default_layers: Mapping[str, float]  # what a preset without dream.layers dreams on
    default_step: float                 # step size in units of the [-1, 1] pixel range
    gallery_layers: tuple[str, ...]     # `dreamanim gallery`'s layers, shallow to deep
    takes_weights: str                  # what `weights: PATH` takes, for messages and docs
    offline: bool = True                # its default weights come with the installed packages
    prefers_bfloat16: bool = False      # precision auto => bfloat16 on CPUs that have it natively
    bfloat16: bool = True               # can compute in bfloat16 at all
    min_side: int = 1                   # smallest image side the network takes (smaller is padded)
    gallery_step: Optional[float] = None  # the gallery's step size when not default_step (one dream, no frames)
    keras: Optional[KerasApp] = field(default=None)  # weights Keras downloads on first use
    family: str = ""                    # the keras.applications family (resnet, efficientnet, ...)
    path: Optional[str] = None          # a user's model file (`model: my.keras`): its absolute path
    classifier: bool = False            # its net has the ImageNet classifier head (`dream.classes`)

    def __post_init__(self):  # read-only: every Dreamer shares these
        object.__setattr__(self, "default_layers", MappingProxyType(dict(self.default_layers)))
