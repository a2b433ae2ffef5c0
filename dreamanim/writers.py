"""Frames on disk => GIF / MP4, streamed in play order, written under a temporary name and renamed.

Only this module and store.py write files. An existing output is never replaced without force.
"""
import os
from pathlib import Path
from typing import Iterable, Optional

import numpy as np

from .config import Outputs
from .errors import InputError
from .gif import GifStream


def output_paths(base: Path, outputs: Outputs) -> dict[str, Path]:
    return {fmt: base.with_name(f"{base.name}.{fmt}")
            for fmt in ("gif", "mp4") if getattr(outputs, fmt) is not None}


def companion_paths(base: Path, *, sidecar: bool = True) -> dict[str, Path]:
    """The files written beside the videos: the contact sheet and (not for previews) the
    resolved preset that renders the same frames again."""
    paths = {"sheet": base.with_name(f"{base.name}.sheet.png")}
    if sidecar:
        paths["preset"] = base.with_name(f"{base.name}.preset.yaml")
    return paths


def check_free(paths: Iterable[Path], force: bool, *,
               fix: str = "use --force to overwrite it or -o to choose another name") -> None:
    """Refuse to start a render whose outputs would replace files the user already has."""
    for path in paths:
        if path.exists() and not force:
            raise InputError(str(path), "already exists", fix)
        if not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(str(path.parent), f"cannot create the output folder: {exc.strerror}",
                                 "choose another output with -o") from None


def play_order(frames: int, loop: str) -> list[int]:
    """forward 0..N-1; reverse N-1..0; pingpong there and back without repeating the ends (2N-2)."""
    forward = list(range(frames))
    if loop == "reverse":
        return forward[::-1]
    if loop == "pingpong":
        return forward + forward[-2:0:-1]
    return forward


def write_gif(path: Path, frames: Iterable[np.ndarray], *, fps: float, loops: int, comment: str = "") -> None:
    with _atomic(path) as tmp, open(tmp, "wb") as fp:
        gif = GifStream(fp, fps=fps, loops=loops, comment=comment)
        for frame in frames:
            gif.add(frame)
        gif.close()


def write_mp4(path: Path, frames: Iterable[np.ndarray], *, fps: float, crf: int, comment: str = "") -> None:
    """H.264 in yuv420p (plays in browsers), odd sizes padded to even by repeating the edge."""
    import imageio.v2 as iio2
    tags = ["-metadata", f"comment={comment}"] if comment else []
    with _atomic(path) as tmp:
        writer = iio2.get_writer(tmp, format="FFMPEG", mode="I", fps=fps, codec="libx264",
                                 quality=None, pixelformat="yuv420p", macro_block_size=1,
                                 ffmpeg_log_level="error",
                                 output_params=["-crf", str(crf), "-movflags", "+faststart", *tags, "-f", "mp4"])
        try:
            for frame in frames:
                h, w = frame.shape[:2]
                writer.append_data(np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge"))
        finally:
            writer.close()


def write_png(path: Path, image, *, text: Optional[dict[str, str]] = None) -> None:
    """A PIL image as PNG, with `text` as tEXt chunks (key => Latin-1 text)."""
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    with _atomic(path) as tmp:
        image.save(tmp, format="PNG", pnginfo=info)


def write_text(path: Path, text: str) -> None:
    with _atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


class _atomic:
    """Context manager yielding a temporary path next to `path`; renamed into place on success."""

    def __init__(self, path: Path):
        self.path = path
        self.tmp = path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
