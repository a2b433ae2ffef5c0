"""Names that come in from a client => server-side paths the studio chose, or a RequestError (4xx).

    Media(samples, uploads).resolve(ref, kinds, where) => absolute Path   # "sample:chelsea.png" | "upload:<id>"

No client text is ever joined to a folder: a sample is looked up in the list of bundled files,
an upload by its generated id (hex), and a job by its id. `..`, absolute paths, separators and
symlinks are refused with the one line the CLI would print for a bad input.
"""
import re
from pathlib import Path
from typing import Optional

from ..errors import DreamanimError

ID = re.compile(r"^[0-9a-f]{12,32}$")  # generated ids (secrets.token_hex): nothing else names a file
SAMPLE_KINDS = {".png": "image", ".jpg": "image", ".jpeg": "image", ".mp4": "video", ".wav": "audio"}


class RequestError(DreamanimError):
    """A request the studio refuses: its one-line message, and the HTTP status to answer with."""

    def __init__(self, where: str, what: str, fix: str = "", status: int = 400, keys=()):
        super().__init__(where, what, fix)
        self.status, self.keys = status, list(keys)


def checked_id(text: str, where: str) -> str:
    """A generated id, or RequestError: the only way an upload or job is named."""
    if not isinstance(text, str) or not ID.match(text):
        raise RequestError(where, f"{_shown(text)} is not an id the studio gave out",
                           "use the id returned when it was created", status=404)
    return text


def refuse_path(text: str, where: str) -> None:
    """RequestError if a client name looks like a path at all: the studio takes names, not paths."""
    if not isinstance(text, str) or not text or text.startswith(("/", "\\", "~")) or ".." in text \
            or "/" in text or "\\" in text or "\x00" in text or re.match(r"^[A-Za-z]:", text):
        raise RequestError(where, f"{_shown(text)} is a path; the studio takes no file paths from a client",
                           "pick a bundled sample (sample:chelsea.png) or upload the file and use its "
                           "upload:<id>", keys=[_key(where)])


def regular_file(path: Path, where: str) -> Path:
    """path if it is a regular file (not a symlink) under the studio's own folders."""
    if path.is_symlink() or not path.is_file():
        raise RequestError(where, "no such file", "upload it again", status=404)
    return path


class Media:
    """The files a client may name: the bundled samples and this studio's uploads."""

    def __init__(self, samples: Path, uploads: Path):
        self.samples_folder, self.uploads = samples, uploads
        self.samples = {p.name: p for p in sorted(samples.iterdir())
                        if p.suffix.lower() in SAMPLE_KINDS and p.is_file() and not p.is_symlink()}

    def sample_kind(self, name: str) -> str:
        return SAMPLE_KINDS[Path(name).suffix.lower()]

    def resolve(self, ref, kinds, where: str) -> Path:
        """A "sample:NAME" or "upload:ID" reference (or a bare sample name, as a shipped preset
        writes it) of one of `kinds` => its absolute path."""
        if not isinstance(ref, str):
            raise RequestError(where, f"must name a file as sample:NAME or upload:ID, got {_shown(ref)}",
                               "pick one from the studio's list", keys=[_key(where)])
        scheme, _, name = ref.partition(":") if ":" in ref else ("sample", "", ref)
        if scheme == "sample":
            refuse_path(name, where)
            path = self.samples.get(name)
            if path is None or self.sample_kind(name) not in kinds:
                known = [n for n in self.samples if self.sample_kind(n) in kinds]
                raise RequestError(where, f"{_shown(ref)} is not a bundled sample",
                                   f"bundled: {', '.join('sample:' + n for n in known)}; or upload a file",
                                   keys=[_key(where)])
            return path
        if scheme == "upload":
            uid = checked_id(name, where)
            found = self.upload(uid)
            if found is None or found[1] not in kinds:
                raise RequestError(where, f"{_shown(ref)} is no {' or '.join(kinds)} upload of this studio",
                                   "upload the file first and use the upload:<id> it returns", keys=[_key(where)])
            return found[0]
        refuse_path(ref, where)
        raise RequestError(where, f"{_shown(ref)} is not a file the studio knows",
                           "pick a bundled sample (sample:NAME) or upload the file (upload:ID)", keys=[_key(where)])

    def upload(self, uid: str) -> Optional[tuple[Path, str]]:
        """(path, kind) of an upload, found by its id alone; None if there is none."""
        for path in self.uploads.glob(f"{uid}.*.*"):  # <id>.<kind>.<ext>, all three generated
            kind = path.name.split(".")[1]
            if path.is_file() and not path.is_symlink():
                return path, kind
        return None


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "..." + text[-15:]


def _key(where: str) -> str:
    return where.split(": ")[-1]  # "preset: input" => the control's key, "input"
