"""Frames on disk are the source of truth: <output>.frames/frame_00001.png ... + manifest.json.

    FrameStore(base, identity, manifest, resume=, force=, on_note=)   a context manager; .todo(n), .save(t, frame),
                                                            .last_saved(), .read(t), .frames(order)

The identity is everything that decides the frames (the plan says what); its hash goes into
the manifest, and --resume continues only frames made with the same one. Each frame is
written to a temporary name and renamed, then the manifest is updated, so an interrupted
render never leaves a half-written frame and --resume picks up at the first missing one. A
frame is compressed and written on a background thread while the next one is dreamed (at
1280x720 a tenth of a frame's time, on cores the dream leaves idle); every read, the manifest's
next change and the store's end wait for it, and its errors surface at the next save. The
render goes on from the saved (8-bit) frame, so a resumed render is identical to an
uninterrupted one. A damaged frame (empty, cut short, of another size, not a PNG: a crash or a
full disk) is found when --resume opens the store, and it and the frames after it are dreamed
again from the last whole one; one found while the videos stream is an InputError naming it.
"""
import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterator, Optional

import numpy as np
from PIL import Image

from ..common.digests import data_sha256
from ..common.pixels8 import to_uint8
from ..errors import InputError
from .frame_check import REDREAM, frame_problem, read_frame
from .sidecar import PNG_KEY, provenance
from ..common.writers import cannot_write, write_png, write_text

MANIFEST = "manifest.json"
STORE_KEYS = ("frames_hash", "frames_done", "frame_size")  # what the store adds to the plan's manifest


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
    return provenance({k: v for k, v in made.items() if k not in STORE_KEYS})


NOT_FRAMES = {"outputs", "loop", "seamless", "output", "device"}  # preset keys that do not decide the frames


def changed_settings(folder: Path, manifest: dict, most: int = 4) -> str:
    """What differs between the settings the frames in `folder` were made with and `manifest`'s,
    for a refusal: 'dream.steps: 1 then, 2 now; seed: 0 then, 4 now'; '' if nothing can be named."""
    old = read_manifest(folder) or {}

    def flat(data, prefix=""):
        if isinstance(data, dict):
            return {k: v for key, value in data.items() for k, v in flat(value, f"{prefix}{key}.").items()}
        if isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
            return {k: v for i, value in enumerate(data) for k, v in flat(value, f"{prefix[:-1]}[{i}].").items()}
        return {prefix[:-1]: data}

    then = {k: v for k, v in flat(old.get("preset") or {}).items() if k.split(".")[0].split("[")[0] not in NOT_FRAMES}
    now = {k: v for k, v in flat(manifest.get("preset") or {}).items() if k.split(".")[0].split("[")[0] not in NOT_FRAMES}
    for key in ("dreamanim", "precision"):
        then[key], now[key] = old.get(key), manifest.get(key)
    shown = lambda v: "unset" if v is None else json.dumps(v) if not isinstance(v, str) else v
    keys = [k for k in list(now) + [k for k in then if k not in now] if then.get(k) != now.get(k)]
    named = [f"{k}: {shown(then.get(k))} then, {shown(now.get(k))} now" for k in keys[:most]]
    return "; ".join(named) + (f"; and {len(keys) - most} more" if len(keys) > most else "")


def read_manifest(folder: Path) -> Optional[dict]:
    """The manifest of a frames folder, or None if it has none or it is unreadable."""
    try:
        made = json.loads((Path(folder) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return made if isinstance(made, dict) else None


class FrameStore:
    def __init__(self, base: Path, identity: dict, manifest: dict, *, resume: bool, force: bool,
                 on_note: Optional[Callable[[str], None]] = None):
        """on_note(text): told when damaged frames are dropped to be dreamed again."""
        self.folder, self.on_note = frames_folder(base), on_note
        self._size: Optional[tuple[int, int]] = None  # (width, height) of every frame, once known
        self.frames_hash = frames_hash(identity)
        self.provenance = provenance(manifest)  # stored in every frame's PNG text, and in the videos
        self._manifest = dict(manifest, frames_hash=self.frames_hash, frames_done=0)
        self._writer: Optional[ThreadPoolExecutor] = None
        self._pending: Optional[tuple[int, Future]] = None  # (t, its write): at most one frame at a time
        self._open(resume, force)

    def retag(self, identity: dict, manifest: dict) -> None:
        """Frames from now on are made under a steered identity that agrees with the old one on the
        frames already saved (steering.py): the manifest and the next frames record it."""
        self.flush()
        self.frames_hash, self.provenance = frames_hash(identity), provenance(manifest)
        self._manifest = dict(manifest, frames_hash=self.frames_hash, frames_done=self.done)
        self._write_manifest()

    def __enter__(self) -> "FrameStore":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        try:
            self._finish_writing()  # a frame being written is kept, even on Ctrl-C
        except BaseException:
            if kind is None:
                raise
        if kind is not None:  # e.g. a model that cannot load (offline download): leave nothing behind
            self._remove_if_empty()

    def _finish_writing(self) -> None:
        try:
            while self._pending is not None:
                try:
                    self.flush()
                except KeyboardInterrupt:  # a second Ctrl-C: the write (well under a second) still ends first
                    if self._pending is None:
                        raise
        finally:
            if self._writer is not None:
                self._writer.shutdown()

    def flush(self) -> None:
        """Wait for the frame being written; its error (a full disk) is raised here. A Ctrl-C
        while waiting leaves the write pending (it goes on), for the store's end to wait for."""
        if self._pending is None:
            return
        t, future = self._pending
        error = future.exception()  # (a KeyboardInterrupt here interrupts the wait, not the write)
        self._pending = None
        if error is not None:
            self.done = t  # the store holds the frames before t for sure (t's PNG may have landed)
            raise error

    def _open(self, resume: bool, force: bool) -> None:
        old = read_manifest(self.folder)
        if self._existing():  # a folder with a manifest but no frame yet holds nothing to lose
            if force:
                self._clear()
            elif not resume:
                raise InputError(str(self.folder), f"already holds {len(self._existing())} frame(s) of an earlier render",
                                 "add --resume to continue it or --force to start over")
            elif old is None or old.get("frames_hash") != self.frames_hash:
                changed = changed_settings(self.folder, self._manifest)
                raise InputError(str(self.folder), "its frames were rendered with different settings"
                                 + (f": {changed}" if changed else ""),
                                 "render with the same preset and --set values, or use --force to start over")
            else:
                size = old.get("frame_size")
                self._size = (int(size[0]), int(size[1])) if isinstance(size, list) and len(size) == 2 else None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise cannot_write(self.folder, exc, "cannot create the frames folder") from None
        self._remove_partials()
        self.done = self._count_done()
        try:
            self._write_manifest()
        except BaseException:  # (a full disk): a folder made for nothing is taken back
            self._remove_if_empty()
            raise

    def _remove_if_empty(self) -> None:
        """Take back the folder this store made, if no frame was ever saved in it (by this run:
        `done`, or by a write that landed after its error, or before: the files)."""
        if self.done == 0 and not self._existing():
            try:
                (self.folder / MANIFEST).unlink(missing_ok=True)
                self.folder.rmdir()
            except OSError:  # it holds something of the user's (or the disk refuses): leave it
                pass

    def todo(self, frames: int) -> range:
        return range(self.done, frames)

    def path(self, t: int) -> Path:
        return self.folder / f"frame_{t + 1:05d}.png"

    def read(self, t: int) -> np.ndarray:
        self.flush()
        return read_frame(self.path(t), self._size, REDREAM).astype(np.float32)

    def last_saved(self) -> Optional[np.ndarray]:
        """The last frame saved (as the render goes on from it), or None before the first."""
        return self.read(self.done - 1) if self.done else None

    def save(self, t: int, frame: np.ndarray) -> np.ndarray:
        """Write frame t (on the background thread: flush() waits for it); return it as stored
        (rounded to 8 bits), which the render continues from."""
        pixels = to_uint8(frame)
        self._size = self._size or (pixels.shape[1], pixels.shape[0])
        self.flush()  # frames go to disk in order, one at a time
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="frame-writer")
        self._pending = (t, self._writer.submit(self._write, t, pixels, self.provenance))
        self.done = t + 1
        return pixels.astype(np.float32)

    def _write(self, t: int, pixels: np.ndarray, provenance_text: str) -> None:
        # compress_level 1: a frame is written once and read back once or twice (the videos), so
        # speed beats size (at 1280x720: about 4x faster than PNG's default 6, ~25% larger files)
        write_png(self.path(t), Image.fromarray(pixels), text={PNG_KEY: provenance_text}, compress_level=1)
        self._write_manifest(done=t + 1)

    def frames(self, order: list[int]) -> Iterator[np.ndarray]:
        """Stream uint8 frames from disk in the given order; never all in memory at once.
        A damaged frame is an InputError naming it (REDREAM says how to mend it)."""
        self.flush()
        for t in order:
            yield read_frame(self.path(t), self._size, REDREAM)

    def _count_done(self) -> int:
        """The frames saved whole, from the first on; a damaged one and those after it are dropped."""
        t = 0
        while self.path(t).is_file():
            problem = frame_problem(self.path(t), self._size)
            if problem:
                self._drop_from(t, problem)
                break
            if self._size is None:
                with Image.open(self.path(t)) as im:
                    self._size = im.size
            t += 1
        return t

    def _drop_from(self, t: int, problem: str) -> None:
        """Delete frame t (damaged) and every frame after it, so they are dreamed again."""
        later = [p for p in self._existing() if p.stem[6:].isdigit() and int(p.stem[6:]) > t + 1]
        for path in [self.path(t), *later]:
            try:
                path.unlink()
            except OSError as exc:
                raise InputError(str(self.path(t)), f"damaged saved frame: it {problem}; deleting "
                                 f"{path.name} to dream it again failed: {exc.strerror}",
                                 f"delete {self.path(t).name} and the frames after it yourself, "
                                 "then run again with --resume") from None
        if self.on_note:
            start = f"from {self.path(t - 1).name}" if t else "from the start"
            after = f" and the {len(later)} frame(s) after it" if later else ""
            self.on_note(f"{self.path(t)} {problem}: dreaming it{after} again {start}")

    def _remove_partials(self) -> None:
        """Temporary files a killed render left (the lock says no one else writes here)."""
        for stale in [*self.folder.glob(".*.partial-*"), self.folder / (MANIFEST + ".tmp")]:
            try:
                stale.unlink(missing_ok=True)
            except OSError:
                pass

    def _existing(self) -> list[Path]:
        return sorted(self.folder.glob("frame_*.png")) if self.folder.is_dir() else []

    def _clear(self) -> None:
        for p in [*self._existing(), self.folder / MANIFEST]:
            try:
                p.unlink(missing_ok=True)
            except OSError as exc:
                raise cannot_write(p, exc, "cannot delete it to start over") from None

    def _write_manifest(self, done: Optional[int] = None) -> None:
        self._manifest["frames_done"] = self.done if done is None else done
        if self._size:
            self._manifest["frame_size"] = list(self._size)
        write_text(self.folder / MANIFEST, json.dumps(self._manifest, indent=2, sort_keys=True))
