"""The files a preset names (input, weights, guides): their paths, and sha256 digests of what they hold."""
import hashlib
from pathlib import Path
from typing import Optional

from ..errors import InputError
from .schema import Preset


def resolve_input(preset: Preset, folder: Path) -> Optional[Path]:
    return None if preset.input == "noise" else (folder / preset.input)


def resolve_weights(preset: Preset, folder: Path) -> Optional[Path]:
    return None if preset.weights is None else (folder / preset.weights)


def content_digests(preset: Preset, folder: Path, where: str) -> tuple[tuple[str, str], ...]:
    """((preset key, sha256 of the file), ...) for every file whose content decides the frames."""
    files = {"input": resolve_input(preset, folder), "weights": resolve_weights(preset, folder),
             "dream.guide": preset.dream.guide and folder / preset.dream.guide,
             "first_frame.guide": preset.first_frame.guide and folder / preset.first_frame.guide}
    digests = []
    for key, path in files.items():
        if path:
            try:
                digests.append((key, file_sha256(path)))
            except OSError as exc:  # the checks saw the file; it may still be unreadable (permissions)
                raise InputError(f"{where}: {key}", f"cannot read {path}: {exc.strerror}",
                                 "check the file's permissions") from None
    return tuple(digests)


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    # Streamed: a weights file can be hundreds of MB. Measured (AMD EPYC with SHA-NI): 200 MB in
    # 0.11 s from the page cache, 0.44 s from disk; small next to importing TensorFlow and loading
    # the model, which reads the file anyway. size+mtime would miss a same-size copy over it.
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()
