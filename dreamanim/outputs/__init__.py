"""Output formats as data: file extension => the module holding its Settings and Writer.

Each format module defines
    Settings                      a frozen pydantic model: its keys under a preset's `outputs:`
                                  (`fps` first; Settings.sound says whether it carries audio)
    Writer(path, settings, comment=...)  a common.writers.StreamWriter: a context manager with
                                  .add(uint8 H×W×3 frame); frames stream to a temporary file,
                                  renamed into place on a clean exit, removed on a failure
so a new format is one module plus one line in FORMATS. Format modules import their heavy
libraries only inside Writer: the preset schema reads every Settings at start-up.
"""
import importlib
from pathlib import Path
from typing import Optional

from ..errors import InputError, suggest

FORMATS = {
    "gif": "dreamanim.outputs.gif",
    "mp4": "dreamanim.outputs.mp4",
    "webm": "dreamanim.outputs.webm",
    "webp": "dreamanim.outputs.webp",
}
DEFAULT_FORMATS = ("gif", "mp4")  # what a preset without `outputs:` writes


def format_module(fmt: str):
    return importlib.import_module(FORMATS[fmt])


def format_of(path: Path, where: str = "-o") -> Optional[str]:
    """The one format `-o NAME.EXT` asks for, None for a bare base name (the preset's formats)."""
    suffix = path.suffix.lower()[1:]
    if not suffix:
        return None
    if suffix not in FORMATS:
        raise InputError(f"{where} {path}", f"no output format writes .{suffix} files",
                         f"{suggest(suffix, FORMATS, listing='formats')}; or give a base name "
                         "without an extension to write the preset's formats")
    return suffix
