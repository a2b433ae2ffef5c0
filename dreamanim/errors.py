"""Errors a user can fix: raised where input enters, turned into one line and exit 2 by the CLI.

Every message reads `<where>: <what> (<how to fix>)`; `where` is a file, a preset key path
or a plugin name. `suggest` is the one did-you-mean; `at` puts a location in front of `where`.
"""
import difflib
from typing import Iterable


class DreamanimError(Exception):
    """Bad input the user can fix. `where` names the file or key; `fix` says what to do."""

    def __init__(self, where: str, what: str, fix: str = ""):
        self.where, self.what, self.fix = where, what, fix
        super().__init__(self.line())

    def line(self) -> str:
        """The whole message on one line (library messages quoted in `what` may span several)."""
        what = " ".join(self.what.split())
        text = f"{self.where}: {what}" if self.where else what
        return f"{text} ({self.fix})" if self.fix else text

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


def suggest(name: str, known: Iterable[str], *, listing: str = "known") -> str:
    """`did you mean 'x'? ` when a known name is close, then `known: a, b, c` (or whatever
    `listing` calls them); empty `listing` leaves the list out."""
    known = [str(k) for k in known]
    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}{listing}: {', '.join(known)}" if listing else hint.strip()
