"""Importing the code transforms come from: the built-ins (dreamanim.transforms), a preset's plugin
files and the `dreamanim.transforms` entry-point group. Importing registers: each module's
@transform decorators call the registry, which decides what a name means.

    load_builtins()          the built-ins, once
    import_file(path)        a user's plugin file, failures named by file:line
    import_entry_point(ep)   an installed package's plugin module
"""
import hashlib
import importlib
import importlib.metadata
import importlib.util
import pkgutil
import sys
from pathlib import Path

from .blame import exception_text, import_fix, location
from ..errors import PluginError

ENTRY_POINT_GROUP = "dreamanim.transforms"
PLUGIN_MODULE_PREFIX = "dreamanim_plugin_"  # plugin files import as dreamanim_plugin_<stem>_<digest>
_builtins_loaded = False


def import_file(path: Path) -> None:
    """Import a user's plugin file (its @transform decorators register its transforms); a
    failure is one PluginError naming the line. The same file is not imported again unless its
    text changed (then the fixed version wins, in a long-lived process too)."""
    path = Path(path).resolve()
    if path.suffix != ".py":  # (a .pyc, a folder, notes.txt): Python would not import it as a plugin
        raise PluginError(f"plugin {path}", "is not a Python source file (.py)",
                          "a plugin is a .py file defining @transform functions; see docs/plugins.md")
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise PluginError(f"plugin {path}", f"cannot read it: {exc.strerror}", _read_fix(exc)) from None
    digest = hashlib.sha1(str(path).encode() + b"\0" + text).hexdigest()[:12]
    module_name = f"{PLUGIN_MODULE_PREFIX}{_identifier(path.stem)}_{digest}"
    if module_name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # a plugin may fail in any way (sys.exit() too): name the line
        del sys.modules[module_name]
        if isinstance(exc, PluginError):
            raise
        raise PluginError(f"plugin {location(exc, str(path))}", f"failed to import: {exception_text(exc)}",
                          import_fix(exc, "fix the plugin file")) from exc


def load_builtins() -> None:
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
        folder = Path(__file__).resolve().parents[2] / "transforms"
        spec = importlib.util.spec_from_file_location(
            "dreamanim.transforms", folder / "__init__.py", submodule_search_locations=[str(folder)])
        package = importlib.util.module_from_spec(spec)
        sys.modules["dreamanim.transforms"] = package
        spec.loader.exec_module(package)
        return package


def entry_points():
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def import_entry_point(ep) -> None:
    """Import an installed package's plugin module; a failure is one PluginError naming it."""
    try:
        ep.load()
    except PluginError:
        raise
    except (Exception, SystemExit) as exc:
        raise PluginError(f"plugin {location(exc, module_file(ep.module))} {entry_label(ep)}",
                          f"failed to import: {exception_text(exc)}",
                          import_fix(exc, f"fix or uninstall {package_of(ep)}")) from exc


def package_of(ep) -> str:
    dist = getattr(ep, "dist", None)
    return dist.name if dist else ep.module.split(".")[0]


def entry_label(ep) -> str:
    return f"(entry point {ep.name!r} = {ep.value} of package {package_of(ep)})"


def module_file(module: str) -> str:
    try:
        spec = importlib.util.find_spec(module)
    except Exception:  # its parent package may be what fails to import
        return module
    return spec.origin if spec and spec.origin else module


def _read_fix(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "make it readable for you (chmod u+r), or copy it somewhere you can read"
    if isinstance(exc, IsADirectoryError):
        return "give the plugin's .py file, not a folder"
    return "plugin paths in a preset are relative to the preset's folder"


def _identifier(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


