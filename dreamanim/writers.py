"""Files are written whole or not at all: under a temporary name beside the target, renamed into place.

Only this module, the frame store and the output writers write files. check_free refuses a
target the user already has (never replaced without --force).
"""
import os
from pathlib import Path
from typing import Iterable, Optional

from .errors import InputError


def check_free(paths: Iterable[Path], force: bool, *,
               fix: str = "use --force to overwrite it or -o to choose another name") -> None:
    """Refuse to start work whose files would replace files the user already has."""
    for path in paths:
        if path.exists() and not force:
            raise InputError(str(path), "already exists", fix)
        make_folder(path.parent)


def make_folder(folder: Path) -> None:
    """The output folder, made if missing; an InputError naming it if it cannot be."""
    if not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(str(folder), f"cannot create the output folder: {exc.strerror}",
                             "choose another output with -o") from None


def write_png(path: Path, image, *, text: Optional[dict[str, str]] = None) -> None:
    """A PIL image as PNG, with `text` as tEXt chunks (key => Latin-1 text)."""
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    with atomic(path) as tmp:
        image.save(tmp, format="PNG", pnginfo=info)


def write_text(path: Path, text: str) -> None:
    with atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


class atomic:
    """Context manager yielding a temporary path next to `path`; renamed into place on success,
    removed on failure (an exception, Ctrl-C)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.stem}.partial-{os.getpid()}{self.path.suffix}")

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
