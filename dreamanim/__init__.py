"""dreamanim: DeepDream animations. The public plugin API is `transform`, `FrameContext`,
`affine` (geometric resampling) and `edges` (edge filters); the Python API is `render`,
`dream`, `load_preset` and `RenderResult` (api.py, docs/python.md).

Importing this package costs nothing: each name loads its module on first use (PEP 562), so
`dreamanim --help` is fast and the command line's Ctrl-C handling is in place before any
heavy import (numpy, scipy, TensorFlow) begins.
"""
import importlib

__version__ = "0.1.0"
_LAZY = {"transform": "motion.registry", "FrameContext": "motion.context", "affine": "motion.affine",
         "edges": "motion.edges",
         **{name: "api" for name in ("render", "dream", "load_preset", "RenderResult")},
         **{name: "errors" for name in ("DreamanimError", "PresetError", "PluginError", "ModelError", "InputError")}}
__all__ = ["transform", "FrameContext", "affine", "edges", "DreamanimError", "PresetError",
           "PluginError", "ModelError", "InputError", "render", "dream", "load_preset", "RenderResult",
           "__version__"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'dreamanim' has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
    value = module if _LAZY[name].endswith(f".{name}") else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
