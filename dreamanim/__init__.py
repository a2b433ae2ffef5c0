"""dreamanim: DeepDream animations. The public plugin API is `transform`, `FrameContext`,
`affine` (geometric resampling) and `edges` (edge filters).

Importing this package is cheap (no TensorFlow): plugins and the CLI's help load fast.
"""
from . import affine, edges
from .context import FrameContext
from .errors import DreamanimError, InputError, ModelError, PluginError, PresetError
from .registry import transform

__version__ = "0.1.0"
__all__ = ["transform", "FrameContext", "affine", "edges", "DreamanimError", "PresetError",
           "PluginError", "ModelError", "InputError", "__version__"]
