"""Frames on disk are the source of truth: <output>.frames/frame_00001.png ... + manifest.json.

    FrameStore(base, identity, manifest, resume=, force=)   a context manager; .todo(n), .save(t, frame),
                                                            .last_saved(), .read(t), .frames(order)

The identity is everything that decides the frames (the plan says what); its hash goes into
the manifest, and --resume continues only frames made with the same one. Each frame is
written to a temporary name and renamed, then the manifest is updated, so an interrupted
render never leaves a half-written frame and --resume picks up at the first missing one. The
render goes on from the saved (8-bit) frame, so a resumed render is identical to an
uninterrupted one.
"""
import json
import os
from pathlib import Path
from typing import Iterator, Optional

import imageio.v3 as iio
import numpy as np
from PIL import Image

from .digests import data_sha256
from .errors import InputError
from .sidecar import PNG_KEY, provenance
from .writers import write_png

MANIFEST = "manifest.json"


def frames_folder(base: Path) -> Path:
    return base.with_name(base.name + ".frames")


def frames_hash(identity: dict) -> str:
    """The short hash the manifest records for frames made under `identity`."""
    return data_sha256(identity)[:16]


def saved_frames(base: Path) -> tuple[int, Optional[str]]:
    """(how many frames base's frames folder holds, the frames hash they were made with);
    read only, so a render can check it before it touches anything."""
    folder = frames_folder(base)
    count = len(list(folder.glob("frame_*.png"))) if folder.is_dir() else 0
    manifest = read_manifest(folder)
    return count, manifest.get("frames_hash") if isinstance(manifest, dict) else None


def provenance_of(folder: Path) -> str:
    """provenance() of the render whose frames are in `folder` ("" if its manifest is unreadable)."""
    made = read_manifest(folder)
    if made is None:
        return ""
    return provenance({k: v for k, v in made.items() if k not in ("frames_hash", "frames_done")})


def read_manifest(folder: Path) -> Optional[dict]:
    """The manifest of a frames folder, or None if it has none or it is unreadable."""
    try:
        made = json.loads((Path(folder) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return made if isinstance(made, dict) else None


class FrameStore:
    def __init__(self, base: Path, identity: dict, manifest: dict, *, resume: bool, force: bool):
        self.folder = frames_folder(base)
        self.frames_hash = frames_hash(identity)
        self.provenance = provenance(manifest)  # stored in every frame's PNG text, and in the videos
        self._manifest = dict(manifest, frames_hash=self.frames_hash, frames_done=0)
        self._open(resume, force)

    def __enter__(self) -> "FrameStore":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:  # e.g. a model that cannot load (offline download): leave nothing behind
            self._remove_if_empty()

    def _open(self, resume: bool, force: bool) -> None:
        old = read_manifest(self.folder)
        if self._existing():  # a folder with a manifest but no frame yet holds nothing to lose
            if force:
                self._clear()
            elif not resume:
                raise InputError(str(self.folder), f"already holds {len(self._existing())} frame(s) of an earlier render",
                                 "add --resume to continue it or --force to start over")
            elif old is None or old.get("frames_hash") != self.frames_hash:
                raise InputError(str(self.folder), "its frames were rendered with different settings",
                                 "render with the same preset and --set values, or use --force to start over")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(str(self.folder), f"cannot create the frames folder: {exc.strerror}",
                             "choose another output with -o") from None
        self.done = self._count_done()
        self._write_manifest()

    def _remove_if_empty(self) -> None:
        """Take back the folder this store made, if no frame was ever saved in it."""
        if self.done == 0:
            (self.folder / MANIFEST).unlink(missing_ok=True)
            try:
                self.folder.rmdir()
            except OSError:  # it holds something of the user's: leave it
                pass

    def todo(self, frames: int) -> range:
        return range(self.done, frames)

    def path(self, t: int) -> Path:
        return self.folder / f"frame_{t + 1:05d}.png"

    def read(self, t: int) -> np.ndarray:
        return iio.imread(self.path(t)).astype(np.float32)

    def last_saved(self) -> Optional[np.ndarray]:
        """The last frame saved (as the render goes on from it), or None before the first."""
        return self.read(self.done - 1) if self.done else None

    def save(self, t: int, frame: np.ndarray) -> np.ndarray:
        """Write frame t; return it as stored (rounded to 8 bits), which the render continues from."""
        pixels = np.clip(np.rint(frame), 0, 255).astype(np.uint8)
        write_png(self.path(t), Image.fromarray(pixels), text={PNG_KEY: self.provenance})
        self.done = t + 1
        self._write_manifest()
        return pixels.astype(np.float32)

    def frames(self, order: list[int]) -> Iterator[np.ndarray]:
        """Stream uint8 frames from disk in the given order; never all in memory at once."""
        for t in order:
            yield iio.imread(self.path(t))

    def _count_done(self) -> int:
        t = 0
        while self.path(t).is_file():
            t += 1
        return t

    def _existing(self) -> list[Path]:
        return sorted(self.folder.glob("frame_*.png")) if self.folder.is_dir() else []

    def _clear(self) -> None:
        for p in self._existing():
            p.unlink()
        (self.folder / MANIFEST).unlink(missing_ok=True)

    def _write_manifest(self) -> None:
        self._manifest["frames_done"] = self.done
        tmp = self.folder / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(self._manifest, indent=2, sort_keys=True))
        os.replace(tmp, self.folder / MANIFEST)
