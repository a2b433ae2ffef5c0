"""Errors a user can fix: raised where input enters, turned into one line and exit 2 by the CLI.

Every message reads `<where>: <what> (<how to fix>)`; `where` is a file, a preset key path
or a plugin name. `suggest` is the one did-you-mean; `at` puts a location in front of `where`.
`shown(value)` is how a message echoes what the user wrote: its repr, cut in the middle when
long; and line() cuts any part that is still too long, so an error is always readable.
"""
import difflib
from typing import Any, Iterable

LIMITS = {"where": 300, "what": 600, "fix": 1000}  # characters of each part of a line, at most


class DreamanimError(Exception):
    """Bad input the user can fix. `where` names the file or key; `fix` says what to do."""

    def __init__(self, where: str, what: str, fix: str = ""):
        self.where, self.what, self.fix = where, what, fix
        super().__init__(self.line())

    def line(self) -> str:
        """The whole message on one line (library messages quoted in `what` may span several),
        each part at most LIMITS long."""
        where, what, fix = (_cut(" ".join(str(part).split()), LIMITS[name])
                            for name, part in (("where", self.where), ("what", self.what), ("fix", self.fix)))
        text = f"{where}: {what}" if where else what
        return f"{text} ({fix})" if fix else text

    def at(self, where: str) -> "DreamanimError":
        """The same error, located inside `where` (`preset.yaml` + `dream.layers.x`)."""
        return type(self)(f"{where}: {self.where}" if self.where else where, self.what, self.fix)


class PresetError(DreamanimError):
    """A preset file or a --set override is wrong."""


class PluginError(DreamanimError):
    """A transform plugin failed to load, registered twice, or misbehaved."""


class ModelError(DreamanimError):
    """A model or layer name is unknown, or its weights cannot be had."""


class InputError(DreamanimError):
    """An input image, output path or frame store is unusable."""


def shown(value: Any, limit: int = 80, *, quote: bool = True) -> str:
    """`value` as an error echoes it: its repr (str() if not quote), cut in the middle when
    longer than `limit` characters."""
    return _cut(repr(value) if quote else str(value), limit, len(value) if isinstance(value, str) else None)


def _cut(text: str, limit: int, length=None) -> str:
    """text, or its start and end with `...` between and its length (`length`: the value's own)."""
    if len(text) <= limit:
        return text
    head, tail = limit * 2 // 3, limit // 4
    return f"{text[:head]}...{text[-tail:]} ({length or len(text):,} characters)"


def suggest(name: str, known: Iterable[str], *, listing: str = "known") -> str:
    """`did you mean 'x'? ` when a known name is close, then `known: a, b, c` (or whatever
    `listing` calls them); empty `listing` leaves the list out."""
    known = [str(k) for k in known]
    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}{listing}: {', '.join(known)}" if listing else hint.strip()
