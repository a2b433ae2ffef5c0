"""The shipped presets and bundled samples as the page offers them, with small JPEG thumbnails made once.

    shipped(media) => [{name, about, preset (file references as sample:NAME)}]
    thumbnail(path) => JPEG bytes (cached; a video's first frame)

A shipped preset names its media relative to its own file (`input: chelsea.png`); the page
gets `sample:chelsea.png` instead, a reference the studio resolves itself.
"""
import io
from functools import lru_cache
from pathlib import Path
from typing import Optional

from .. import api
from .presets import from_yaml
from .refs import Media

THUMB = 160  # pixels on the longer side: a card in the gallery strip


def shipped(media: Media) -> list[dict]:
    out = []
    for entry in api.presets():
        data = from_yaml(entry["text"])
        for key in ("input", "audio"):
            if isinstance(data.get(key), str) and data[key] != "noise" and data[key] in media.samples:
                data[key] = f"sample:{data[key]}"
        for section in ("dream", "first_frame"):
            guide = (data.get(section) or {}).get("guide") if isinstance(data.get(section), dict) else None
            if isinstance(guide, str) and guide in media.samples:
                data[section]["guide"] = f"sample:{guide}"
        out.append({"name": entry["name"], "about": entry["about"], "preset": data,
                    "needs_plugins": bool(data.get("plugins"))})
    return out


def preset_thumbnail_source(name: str, preset: dict, media: Media) -> Optional[Path]:
    """What a preset's card shows: its rendered look (presets/thumbnails/, installed with the presets,
    as the README's gallery shows them) when there, else its input."""
    rendered = media.samples_folder / "thumbnails" / f"{name}.jpg"
    if rendered.is_file():
        return rendered
    ref = preset.get("input")
    if isinstance(ref, str) and ref.startswith("sample:"):
        return media.samples.get(ref[len("sample:"):])
    return None


@lru_cache(maxsize=256)
def thumbnail(path: Path, mtime: float = 0.0) -> bytes:
    """A JPEG no bigger than THUMB px of an image, or of a video's first frame (mtime: a changed file is redone)."""
    from PIL import Image
    if path.suffix.lower() in (".mp4", ".mov", ".webm", ".mkv", ".avi", ".m4v"):
        image = _first_frame(path)
    else:
        image = Image.open(path)
        image.seek(0)
    image = image.convert("RGB")
    image.thumbnail((THUMB, THUMB))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def _first_frame(path: Path):
    import imageio_ffmpeg
    from PIL import Image
    reader = imageio_ffmpeg.read_frames(str(path))
    try:
        meta = next(reader)
        data = next(reader)
    finally:
        reader.close()
    return Image.frombytes("RGB", tuple(meta["size"]), data)
