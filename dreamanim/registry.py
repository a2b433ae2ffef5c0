"""Transform plugins: @transform(name) registers fn(frame, ctx, **params) -> frame.

The keyword-only parameters, with their type hints and defaults, ARE the schema: presets are
validated against them and `dreamanim transforms` prints them. Built-ins (dreamanim.transforms,
from the repo's transforms/ folder), preset `plugins:` files and the `dreamanim.transforms`
entry-point group all register through this same decorator.
"""
import difflib
import importlib
import importlib.metadata
import importlib.util
import inspect
import pkgutil
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .errors import PluginError, PresetError

ENTRY_POINT_GROUP = "dreamanim.transforms"


@dataclass(frozen=True)
class Param:
    name: str
    annotation: Any
    default: Any

    @property
    def type_name(self) -> str:
        a = self.annotation
        if typing.get_origin(a) is typing.Literal:
            return "|".join(str(v) for v in typing.get_args(a))
        return getattr(a, "__name__", str(a).replace("typing.", ""))


@dataclass(frozen=True)
class TransformInfo:
    name: str
    fn: Callable
    params: tuple[Param, ...]
    doc: str
    source: str  # where it was defined: module or file, for error messages


_registry: dict[str, TransformInfo] = {}
_builtins_loaded = False


def transform(name: str):
    """Register a transform under `name` (a decorator). A duplicate name is an error."""
    def register(fn: Callable) -> Callable:
        info = TransformInfo(name, fn, _params_of(fn, name), _first_line(fn.__doc__),
                             _source_of(fn))
        if name in _registry and _registry[name].source != info.source:
            raise PluginError(f"plugin {info.source}",
                              f"transform {name!r} is already defined in {_registry[name].source}",
                              "rename one of them")
        _registry[name] = info
        return fn
    return register


def get(name: str) -> TransformInfo:
    """The transform called `name`: built-in, already-loaded plugin, or installed entry point."""
    _load_builtins()
    if name not in _registry:
        _load_entry_point(name)
    if name not in _registry:
        known = sorted(set(_registry) | {ep.name for ep in _entry_points()})
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise PresetError("transform", f"unknown transform {name!r}",
                          f"{hint}known: {', '.join(known)}; or load yours with plugins: [file.py]")
    return _registry[name]


def all_transforms() -> list[TransformInfo]:
    """Every transform there is, entry points included (they are loaded to be listed)."""
    _load_builtins()
    for ep in _entry_points():
        _load_entry_point(ep.name)
    return sorted(_registry.values(), key=lambda info: info.name)


def load_plugin_file(path: Path) -> None:
    """Import a user's plugin file; its @transform decorators register its transforms."""
    if not path.is_file():
        raise PluginError(f"plugin {path}", "file not found",
                          "plugin paths are relative to the preset file")
    module_name = f"dreamanim_plugin_{abs(hash(str(path.resolve())))}"
    if module_name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except PluginError:
        del sys.modules[module_name]
        raise
    except Exception as exc:  # a plugin may fail in any way; name it, never a traceback
        del sys.modules[module_name]
        raise PluginError(f"plugin {path}", f"failed to import: {type(exc).__name__}: {exc}",
                          "fix the plugin file") from exc


def _load_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    package = _builtin_package()
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


def _builtin_package():
    """dreamanim.transforms as installed; from a source checkout, the repo's transforms/ folder."""
    try:
        return importlib.import_module("dreamanim.transforms")
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parent.parent / "transforms"
        spec = importlib.util.spec_from_file_location(
            "dreamanim.transforms", folder / "__init__.py", submodule_search_locations=[str(folder)])
        package = importlib.util.module_from_spec(spec)
        sys.modules["dreamanim.transforms"] = package
        spec.loader.exec_module(package)
        return package


def _entry_points():
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def _load_entry_point(name: str) -> None:
    for ep in _entry_points():
        if ep.name == name and name not in _registry:
            try:
                ep.load()
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(f"plugin {ep.value} (entry point {name!r})",
                                  f"failed to import: {type(exc).__name__}: {exc}",
                                  "fix or uninstall that package") from exc
            if name not in _registry:
                raise PluginError(f"plugin {ep.value} (entry point {name!r})",
                                  f"importing it registered no transform named {name!r}",
                                  "decorate the function with @transform of that name")


def _params_of(fn: Callable, name: str) -> tuple[Param, ...]:
    hints = typing.get_type_hints(fn)
    params = []
    for i, p in enumerate(inspect.signature(fn).parameters.values()):
        if i < 2:
            continue  # (frame, ctx)
        if p.kind is not inspect.Parameter.KEYWORD_ONLY or p.default is inspect.Parameter.empty:
            raise PluginError(f"plugin {_source_of(fn)}",
                              f"transform {name!r} parameter {p.name!r} must be keyword-only with a default",
                              "write it as fn(frame, ctx, *, param: type = default)")
        params.append(Param(p.name, hints.get(p.name, type(p.default)), p.default))
    return tuple(params)


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n")[0]


def _source_of(fn: Callable) -> str:
    try:
        return str(Path(inspect.getfile(fn)))
    except TypeError:
        return getattr(fn, "__module__", "?")


def check_output(name: str, source: str, before: np.ndarray, after: Any) -> np.ndarray:
    """A transform must return a finite float32 frame of the input's shape."""
    where = f"transform {name!r} ({source})"
    if not isinstance(after, np.ndarray):
        raise PluginError(where, f"returned {type(after).__name__}, not a numpy array",
                          "return a float32 H×W×3 array")
    if after.shape != before.shape or after.dtype != before.dtype:
        raise PluginError(where, f"returned {after.dtype} {after.shape}, expected {before.dtype} {before.shape}",
                          "return a frame of the same shape and dtype")
    if not np.isfinite(after).all():
        raise PluginError(where, "returned NaN or infinite values", "keep values finite, 0..255")
    return after
