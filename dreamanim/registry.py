"""Transform plugins: @transform(name) registers fn(frame, ctx, **params) -> frame.

The keyword-only parameters, with their type hints and defaults, ARE the schema: presets are
validated against them and `dreamanim transforms` prints them. Built-ins (dreamanim.transforms,
from the repo's transforms/ folder), preset `plugins:` files and the `dreamanim.transforms`
entry-point group all register through this same decorator.
"""
import hashlib
import importlib
import importlib.metadata
import importlib.util
import inspect
import pkgutil
import sys
import traceback
import types
import typing
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import numpy as np

from .errors import DreamanimError, PluginError, PresetError, suggest

ENTRY_POINT_GROUP = "dreamanim.transforms"


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
        if module.startswith(PLUGIN_MODULE_PREFIX):
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
            return create_model(f"{self.name}_params", __config__=ConfigDict(extra="forbid", strict=False), **fields)
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
        except Exception as exc:
            raise PluginError(f"{failure_where(self, exc)} {on}", f"raised {exception_text(exc)}", fix) from exc
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
_builtins_loaded = False
PLUGIN_MODULE_PREFIX = "dreamanim_plugin_"  # plugin files import as dreamanim_plugin_<stem>_<digest>


def transform(name: str):
    """Register a transform under `name` (a decorator). A duplicate name is an error."""
    def register(fn: Callable) -> Callable:
        _load_builtins()  # first, so a plugin reusing a built-in's name is the one blamed
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
    _load_builtins()
    if name not in _registry:
        _load_entry_point(name)  # lazily: a package's plugin is imported only when a preset names it
    if name not in _registry:
        known = sorted(set(_registry) | {ep.name for ep in _entry_points()})
        raise PresetError("transform", f"unknown transform {name!r}",
                          f"{suggest(name, known)}; or load yours with plugins: [file.py]")
    return _registry[name]


def all_transforms() -> list[TransformInfo]:
    """Every transform there is, entry points included (they are loaded to be listed)."""
    _load_builtins()
    for ep in _entry_points():
        _load_entry_point(ep.name)
    return sorted(_registry.values(), key=lambda info: info.name)


def load_plugin_file(path: Path) -> None:
    """Import a user's plugin file; its @transform decorators register its transforms.

    All or nothing: a file that fails to import registers none of its transforms. The same
    file loaded again is not re-imported unless its text changed (then the fixed version wins,
    in a long-lived process too)."""
    path = Path(path).resolve()
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise PluginError(f"plugin {path}", f"cannot read it: {exc.strerror}",
                          "plugin paths in a preset are relative to the preset's folder") from None
    digest = hashlib.sha1(str(path).encode() + b"\0" + text).hexdigest()[:12]
    module_name = f"{PLUGIN_MODULE_PREFIX}{_identifier(path.stem)}_{digest}"
    if module_name in sys.modules:
        return
    _load_builtins()
    before = dict(_registry)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a plugin may fail in any way: undo it, name the line, never a traceback
        del sys.modules[module_name]
        _registry.clear()
        _registry.update(before)
        if isinstance(exc, PluginError):
            raise
        raise PluginError(f"plugin {_location(exc, str(path))}", f"failed to import: {exception_text(exc)}",
                          _import_fix(exc, "fix the plugin file")) from exc


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
        if ep.name != name or name in _registry:
            continue
        dist = getattr(ep, "dist", None)
        package = dist.name if dist else ep.module.split(".")[0]
        entry = f"(entry point {name!r} = {ep.value} of package {package})"
        try:
            ep.load()
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {_location(exc, _module_file(ep.module))} {entry}",
                              f"failed to import: {exception_text(exc)}",
                              _import_fix(exc, f"fix or uninstall {package}")) from exc
        if name not in _registry:
            raise PluginError(f"plugin {_module_file(ep.module)} {entry}",
                              f"importing it registered no transform named {name!r}",
                              f'decorate its function with @transform("{name}")')


def _module_file(module: str) -> str:
    try:
        spec = importlib.util.find_spec(module)
    except Exception:  # its parent package may be what fails to import
        return module
    return spec.origin if spec and spec.origin else module


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


def _identifier(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


def exception_text(exc: BaseException) -> str:
    """`Type: message` for a one-line error (a SyntaxError without its repeated file name)."""
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _location(exc: BaseException, file: str) -> str:
    """`file:line` of the last line of `file` the exception passed through, so users can jump there."""
    line = failing_line(exc, file)
    return f"{file}:{line}" if line else file


def failure_where(info: TransformInfo, exc: BaseException) -> str:
    """`transform 'name' (file:line)`: the transform's line the exception came through."""
    line = failing_line(exc, info.source)
    return f"transform {info.name!r} ({info.source}:{line})" if line else info.label


def value_error_text(info: TransformInfo, exc: ValueError) -> str:
    """A transform's ValueError as the parameter problem it reports. One raised deep in a
    library (numpy's `scale < 0`) names no parameter, so add the transform's line that called it."""
    files = [frame.f_code.co_filename for frame, _ in traceback.walk_tb(exc.__traceback__)]
    raised_in = files[-1] if files else info.source
    ours = raised_in == info.source or raised_in.startswith(str(Path(__file__).parent))
    line = failing_line(exc, info.source)
    return str(exc) if ours or not line else f"{exception_text(exc)} at {info.source}:{line}"


def failing_line(exc: BaseException, file: str) -> Optional[int]:
    if isinstance(exc, SyntaxError) and exc.filename == file:
        return exc.lineno
    lines = [n for frame, n in traceback.walk_tb(exc.__traceback__) if frame.f_code.co_filename == file]
    return lines[-1] if lines else None


def _import_fix(exc: BaseException, fix: str) -> str:
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return f"install {exc.name} into the Python that runs dreamanim ({sys.executable}), or {fix}"
    return fix


def output_problem(before: np.ndarray, after: Any) -> Optional[tuple[str, str]]:
    """(what, fix) if a transform's output breaks the contract (a finite array of the input's
    shape and dtype), else None. Values outside 0..255 are not a problem: the loop clips them."""
    if not isinstance(after, np.ndarray):
        return (f"returned {type(after).__name__}, not a numpy array",
                "return an array shaped like the input frame")
    if after.shape != before.shape or after.dtype != before.dtype:
        return (f"returned {after.dtype} {after.shape}, expected {before.dtype} {before.shape}",
                f"return an array of the input's shape and dtype, e.g. out.astype(np.{before.dtype})")
    if not np.isfinite(after).all():
        return "returned NaN or infinite values", "keep every value finite, 0..255"
    return None
