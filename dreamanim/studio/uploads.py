"""An uploaded body => a file under the studio's uploads/ folder with a generated name, checked by what it holds.

    await receive(chunks, kind, filename, uploads, limit) => {"ref": "upload:<id>", "kind", "name", ...}

The size limit is enforced while the body streams in (413 as soon as it is passed), so an
oversized upload never fills the disk. The content decides, not the name: Pillow must open an
image, ffmpeg must find a video stream in a video and an audio stream in a sound file, and a
plugin must be UTF-8 Python that compiles (it is not run here). The client's file name gives at
most an extension from a fixed list; the stored name is `<id>.<kind>.<ext>`.
"""
import os
import re
import secrets
import subprocess
from pathlib import Path

from .refs import RequestError, refuse_path

KINDS = {"image": (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"),
         "video": (".mp4", ".mov", ".webm", ".mkv", ".avi", ".gif", ".m4v"),
         "audio": (".wav", ".mp3", ".flac", ".ogg", ".m4a", ".aac", ".opus"),
         "plugin": (".py",)}
IMAGE_EXT = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "BMP": ".bmp", "TIFF": ".tif"}


async def receive(chunks, kind: str, filename: str, uploads: Path, limit: int, allow_plugins: bool) -> dict:
    """Stream `chunks` (an async iterator of bytes) into a checked upload, or RequestError (nothing kept)."""
    where = f"upload {kind}"
    if kind not in KINDS:
        raise RequestError("upload", f"{kind!r} is not a kind of upload", f"kinds: {', '.join(KINDS)}")
    if kind == "plugin" and not allow_plugins:
        raise RequestError(where, "the studio takes no plugins unless it was started with --allow-plugins",
                           "a plugin is Python code that runs with your rights", status=403)
    if filename:  # shown to the user only, never used on disk; still, a path is refused as everywhere
        refuse_path(filename, f"{where}: name")
    ext = _extension(filename, kind)
    uid = secrets.token_hex(8)
    uploads.mkdir(parents=True, exist_ok=True)
    partial = uploads / f".{uid}.part"
    size = 0
    try:
        with open(partial, "xb") as out:  # x: a new file, never one that is there (or a symlink's target)
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise RequestError(where, f"is larger than the studio's upload limit of {limit / 2**20:g} MB",
                                       "give a smaller file, or start the studio with --upload-limit MB",
                                       status=413)
                out.write(chunk)
        if size == 0:
            raise RequestError(where, "is empty", "choose a file")
        from starlette.concurrency import run_in_threadpool
        info, ext = await run_in_threadpool(_check, partial, kind, ext, where)  # (Pillow, ffmpeg: not on the loop)
        final = uploads / f"{uid}.{kind}{ext}"
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return {"ref": f"upload:{uid}", "id": uid, "kind": kind, "name": _display(filename), "bytes": size, **info}


def _extension(filename: str, kind: str) -> str:
    ext = Path(filename or "").suffix.lower()
    if ext in KINDS[kind]:
        return ext
    if kind in ("image",):  # an image's extension comes from what Pillow finds in it
        return ""
    raise RequestError(f"upload {kind}", f"{_display(filename)!r} is not a {kind} file name the studio takes",
                       f"{kind} files end in {', '.join(KINDS[kind])}", status=415)


def _check(path: Path, kind: str, ext: str, where: str) -> tuple[dict, str]:
    """What the file holds, checked: ({width, height, ...}, the extension to store it with)."""
    if kind == "image":
        from PIL import Image, UnidentifiedImageError
        try:
            with Image.open(path) as im:
                im.verify()
            with Image.open(path) as im:
                fmt, (w, h) = im.format, im.size
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise RequestError(where, "is not an image Pillow can read", "upload a PNG, JPEG or WebP",
                               status=415) from None
        if fmt not in IMAGE_EXT:
            raise RequestError(where, f"is a {fmt} image", f"upload one of {', '.join(IMAGE_EXT)}", status=415)
        return {"width": w, "height": h}, IMAGE_EXT[fmt]
    if kind == "plugin":
        try:
            compile(path.read_text(encoding="utf-8"), "plugin.py", "exec")
        except (UnicodeDecodeError, SyntaxError, ValueError) as exc:
            raise RequestError(where, f"is not Python source: {exc}", "upload a .py plugin file", status=415) from None
        return {}, ext
    streams, container = probe(path)
    want = "Video" if kind == "video" else "Audio"
    article = "an" if kind[0] in "aeiou" else "a"
    if want not in streams:
        raise RequestError(where, f"holds no {want.lower()} stream ffmpeg can read",
                           f"upload {article} {kind} file ({', '.join(KINDS[kind])})", status=415)
    if kind == "video" and (container == "image2" or container.endswith("_pipe")):  # one still picture
        raise RequestError(where, f"is a still image ({container}), not a video",
                           "upload it as an image, or a video file (mp4, mov, webm, an animated GIF)", status=415)
    return {"streams": sorted(streams)}, ext


def probe(path: Path) -> tuple[set, str]:
    """(the stream types ("Video", "Audio") ffmpeg finds in a file, the container it reads it as),
    from its header, no decoding."""
    import imageio_ffmpeg
    try:
        run = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
                             capture_output=True, text=True, timeout=30, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return set(), ""
    container = re.search(r"Input #0, ([\w,]+)", run.stderr)
    return (set(re.findall(r"Stream #\d+:\d+.*?: (Video|Audio):", run.stderr)),
            container.group(1).split(",")[0] if container else "")


def _display(filename) -> str:
    """The client's file name, for showing only (never a path on disk)."""
    return re.sub(r"[^\w .()-]", "_", Path(str(filename or "upload")).name)[:80]
