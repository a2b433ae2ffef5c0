"""Transform plugins: @transform(name) registers fn(frame, ctx, **params) -> frame.

The keyword-only parameters, with their type hints and defaults, ARE the schema: presets are
validated against them and `dreamanim transforms` prints them. Built-ins (dreamanim.transforms,
from the repo's transforms/ folder), preset `plugins:` files and the `dreamanim.transforms`
entry-point group all register through this same decorator.
"""
import inspect
import types
import typing
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Callable

import numpy as np

from . import plugins
from .blame import exception_text, failure_where, output_problem
from ..errors import DreamanimError, PluginError, PresetError, shown, suggest



@dataclass(frozen=True)
class Param:
    name: str
    annotation: Any
    default: Any

    @property
    def type_name(self) -> str:
        return _type_name(self.annotation)

    @property
    def default_text(self) -> str:
        """The default as a preset writes it: tuples are YAML lists, `[0.5, 0.5]`."""
        def as_lists(v):
            return [as_lists(x) for x in v] if isinstance(v, (tuple, list)) else v
        return repr(as_lists(self.default))


@dataclass(frozen=True)
class TransformInfo:
    name: str
    fn: Callable
    params: tuple[Param, ...]
    doc: str
    source: str  # where it was defined: module or file, for error messages

    @property
    def origin(self) -> str:
        """What kind of transform it is, as users know it: built-in, plugin, or package NAME."""
        module = getattr(self.fn, "__module__", None) or ""
        if module.startswith("dreamanim.transforms."):
            return "built-in"
        if module.startswith(plugins.PLUGIN_MODULE_PREFIX):
            return "plugin"
        return f"package {module.split('.')[0]}"

    @property
    def label(self) -> str:
        """`transform 'name' (its file)`: how errors name a transform."""
        return f"transform {self.name!r} ({self.source})"

    @property
    def usage(self) -> str:
        """`name(param: type = default, ...)`: what a preset may set, on one line."""
        return f"{self.name}({', '.join(f'{p.name}: {p.type_name} = {p.default_text}' for p in self.params)})"

    @cached_property
    def params_model(self):
        """The keyword parameters as a pydantic model: a preset's values are validated by it."""
        from pydantic import ConfigDict, create_model
        fields = {p.name: (_strict_scalar(p.annotation), p.default) for p in self.params}
        try:
            return create_model(f"{self.name}_params", __config__=ConfigDict(extra="forbid", strict=False, allow_inf_nan=False), **fields)
        except Exception as exc:  # an annotation pydantic cannot check (a class of the plugin's own)
            raise PluginError(self.label, f"a parameter's type cannot be checked: {str(exc).splitlines()[0]}",
                              "annotate parameters with int, float, bool, str, Literal[...], "
                              "tuple[...] or Optional[...]") from None

    def run(self, frame: np.ndarray, ctx, params: dict, *, on: str, fix: str) -> np.ndarray:
        """fn(frame, ctx, **params), checked: a finite array of the frame's shape and dtype, clipped
        to 0..255. Any failure is one PluginError naming the transform's line and `on` (which
        frame), raised from what the plugin raised."""
        try:
            out = self.fn(frame, ctx, **params)
        except DreamanimError:
            raise
        except (Exception, SystemExit) as exc:  # sys.exit() in a transform stops the render, not Python
            text = exception_text(exc) if isinstance(exc, SystemExit) else f"raised {exception_text(exc)}"
            raise PluginError(f"{failure_where(self, exc)} {on}", text, fix) from exc
        problem = output_problem(frame, out)
        if problem:
            raise PluginError(f"{self.label} {on}", problem[0], f"{problem[1]}; {fix}")
        return np.clip(out, 0, 255)


def _strict_scalar(annotation: Any) -> Any:
    # Lax pydantic would read `amount: true` as 1.0 and `count: "3"` as 3; a wrong type is an
    # error instead (an int is still a fine float). Lists keep becoming tuples.
    from pydantic import Strict
    return Annotated[annotation, Strict()] if annotation in (int, float, bool) else annotation


def _type_name(a) -> str:
    """A type as a preset author reads it: `a|b` choices, `[float, float]` lists, `int | None`."""
    origin, args = typing.get_origin(a), typing.get_args(a)
    if origin is typing.Literal:
        return "|".join(str(v) for v in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join("None" if t is type(None) else _type_name(t) for t in args)
    if origin in (tuple, list) and args:  # YAML writes both as lists
        parts = ["..." if t is Ellipsis else _type_name(t) for t in args]
        return f"[{', '.join(parts if origin is tuple else parts + ['...'])}]"
    return a.__name__ if isinstance(a, type) else str(a).replace("typing.", "")


_registry: dict[str, TransformInfo] = {}


def transform(name: str):
    """Register a transform under `name` (a decorator). A duplicate name is an error."""
    def register(fn: Callable) -> Callable:
        plugins.load_builtins()  # first, so a plugin reusing a built-in's name is the one blamed
        info = TransformInfo(name, fn, _params_of(fn, name), _first_line(fn.__doc__), _source_of(fn))
        old = _registry.get(name)
        if old is not None and old.source != info.source:
            raise PluginError(f"plugin {info.source}",
                              f"transform {name!r} is already defined by the {old.origin} {old.source}",
                              "give yours another name")
        _registry[name] = info
        return fn
    return register


def get(name: str) -> TransformInfo:
    """The transform called `name`: built-in, already-loaded plugin, or installed entry point."""
    plugins.load_builtins()
    if name not in _registry:
        _load_entry_point(name)  # lazily: a package's plugin is imported only when a preset names it
    if name not in _registry:
        known = sorted(set(_registry) | {ep.name for ep in plugins.entry_points()})
        raise PresetError("transform", f"unknown transform {shown(name)}",
                          f"{suggest(name, known)}; or load yours with plugins: [file.py]")
    return _registry[name]


def builtin_or_installed(name: str) -> bool:
    """Is `name` a built-in or an installed package's transform (no plugin file needed)?"""
    try:
        return get(name).origin != "plugin"
    except PresetError:
        return False


def all_transforms() -> list[TransformInfo]:
    """Every transform there is, entry points included (they are loaded to be listed)."""
    plugins.load_builtins()
    for ep in plugins.entry_points():
        _load_entry_point(ep.name)
    return sorted(_registry.values(), key=lambda info: info.name)


def load_plugin_file(path: Path) -> None:
    """Import a user's plugin file; its @transform decorators register its transforms.
    All or nothing: a file that fails to import registers none of its transforms."""
    plugins.load_builtins()
    before = dict(_registry)
    try:
        plugins.import_file(path)
    except BaseException:
        _registry.clear()
        _registry.update(before)
        raise


def _load_entry_point(name: str) -> None:
    for ep in plugins.entry_points():
        if ep.name != name or name in _registry:
            continue
        plugins.import_entry_point(ep)
        if name not in _registry:
            raise PluginError(f"plugin {plugins.module_file(ep.module)} {plugins.entry_label(ep)}",
                              f"importing it registered no transform named {name!r}",
                              f'decorate its function with @transform("{name}")')


def _params_of(fn: Callable, name: str) -> tuple[Param, ...]:
    where = f"plugin {_source_of(fn)}"
    signature = list(inspect.signature(fn).parameters.values())
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if len(signature) < 2 or any(p.kind not in positional for p in signature[:2]):
        raise PluginError(where, f"transform {name!r} must take (frame, ctx) first",
                          "write it as def fn(frame, ctx, *, param: type = default)")
    try:
        hints = typing.get_type_hints(fn)
    except Exception as exc:  # e.g. a string annotation naming something never imported
        raise PluginError(where, f"transform {name!r} has a type hint that cannot be read: "
                                 f"{exception_text(exc)}",
                          "import every name its annotations use") from None
    params = []
    for p in signature[2:]:
        if p.kind is not inspect.Parameter.KEYWORD_ONLY or p.default is inspect.Parameter.empty:
            raise PluginError(where,
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


