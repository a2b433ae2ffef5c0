"""Files are written whole or not at all: under a temporary name beside the target, renamed into place.

    atomic(path) as tmp            write tmp; renamed to path on success, removed on failure
    StreamWriter(path) as writer   the same for a file made frame by frame: writer.add(frame)

Only this module, the frame store and the output writers write files. check_free refuses a
target the user already has (never replaced without --force). Any OSError while writing (a
full disk, a read-only or unwritable folder) becomes one InputError naming the file, with a
fix that fits the cause (cannot_write), and the temporary file is removed.
"""
import errno
import os
from pathlib import Path
from typing import Iterable, Optional

from ..errors import InputError

_AGAIN = "then run the same command again; a render keeps its frames and continues with --resume"
FIXES = {  # errno => how to fix it
    errno.ENOSPC: f"free some space on that disk, {_AGAIN}",
    errno.EDQUOT: f"free some space within your disk quota, {_AGAIN}",
    errno.EFBIG: "the file is larger than that file system allows: choose another place with -o",
    errno.EACCES: "make that folder writable for you, or choose another place with -o",
    errno.EPERM: "make that folder writable for you, or choose another place with -o",
    errno.EROFS: "that file system is read-only: choose another place with -o",
    errno.EISDIR: "a folder is in the way: give a file name, or choose another place with -o",
    errno.ENOTDIR: "part of the path is a file, not a folder: choose another place with -o",
    errno.ENAMETOOLONG: "the name is too long: choose a shorter one with -o",
    errno.EIO: f"the disk reported an I/O error: check it, {_AGAIN}",
}


def os_fix(exc: OSError, default: str = "choose another place with -o") -> str:
    """How to fix an OSError met while writing, by its cause (never a fix for another cause)."""
    return FIXES.get(exc.errno, default)


def cannot_write(path: Path, exc: OSError, what: str = "cannot write it") -> InputError:
    """The one line for an OSError met while writing `path`: the file, the cause, a fitting fix."""
    cause = exc.strerror or str(exc) or type(exc).__name__
    return InputError(str(path), f"{what}: {cause}", os_fix(exc))


def check_free(paths: Iterable[Path], force: bool, *,
               fix: str = "use --force to overwrite it or -o to choose another name") -> None:
    """Refuse to start work whose files would replace files the user already has."""
    for path in paths:
        path = Path(path)
        if path.is_dir():  # --force never replaces a folder with a file
            raise InputError(str(path), "is a folder", "give a file name, or another name with -o")
        if path.exists() and not force:
            raise InputError(str(path), "already exists", fix)
        make_folder(path.parent)


def make_folder(folder: Path) -> None:
    """The output folder, made if missing; an InputError naming it if it cannot be."""
    if not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise cannot_write(folder, exc, "cannot create the output folder") from None


def write_png(path: Path, image, *, text: Optional[dict[str, str]] = None, compress_level: int = 6) -> None:
    """A PIL image as PNG, with `text` as tEXt chunks (key => Latin-1 text); compress_level 0..9
    (zlib's: 1 writes a 1280x720 frame several times faster than 6, about a quarter larger)."""
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    with atomic(path) as tmp:
        image.save(tmp, format="PNG", pnginfo=info, compress_level=compress_level)


def write_text(path: Path, text: str) -> None:
    with atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


class atomic:
    """Context manager yielding a temporary path next to `path`; renamed into place on success,
    removed on failure (an exception, Ctrl-C). An OSError inside (or renaming) is re-raised as
    cannot_write's InputError naming `path`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.name or self.path.name in (".", ".."):
            raise InputError(str(path), "is not a file name", "give a file name, e.g. -o renders/cat.png")
        self.tmp = self.path.with_name(f".{self.path.stem}.partial-{os.getpid()}{self.path.suffix}")

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            try:
                os.replace(self.tmp, self.path)
                return
            except OSError as failed:
                kind, exc = type(failed), failed
        try:
            self.tmp.unlink(missing_ok=True)
        except OSError:  # (a read-only file system): there is nothing to take back
            pass
        if isinstance(exc, OSError):
            raise cannot_write(self.path, exc) from None


class StreamWriter:
    """The writer contract of every output format: a context manager with .add(frame) whose file
    streams to `self.tmp` and is renamed to `self.path` on a clean exit, removed on any failure (an
    exception, Ctrl-C); an OSError met on the way (in open, add, close or the rename) becomes
    cannot_write's InputError naming `path`. A format fills in its stream:
        open()      start it on self.tmp (at __enter__; default: nothing, e.g. started at the first frame)
        add(frame)  write one uint8 H×W×3 frame
        close()     finish the file after the last frame (a clean exit)
        abort()     stop it after a failure; it may be called again, and its file is not wanted
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._atomic = atomic(self.path)
        self.tmp = self._atomic.tmp

    def open(self) -> None:
        pass

    def add(self, frame) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def __enter__(self):
        try:
            self.open()
        except BaseException as failed:
            self._atomic.__exit__(type(failed), failed, failed.__traceback__)  # an OSError => InputError
            raise
        return self

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                self.close()
            else:
                self.abort()
        except BaseException as failed:  # (a full disk, a failed encoder, a second Ctrl-C): never renamed
            try:
                self.abort()
            except OSError:
                pass
            self._atomic.__exit__(type(failed), failed, failed.__traceback__)  # removes it; an OSError => InputError
            raise
        self._atomic.__exit__(kind, exc, tb)
