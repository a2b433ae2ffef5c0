"""Synthetic clips for the video tests: textures panned by known amounts, tones with known onsets.

Everything is made with numpy and the ffmpeg imageio-ffmpeg bundles, small enough to build
in a fraction of a second.
"""
import subprocess
import wave
from pathlib import Path
from typing import Optional, Sequence

import imageio_ffmpeg
import numpy as np
from scipy import ndimage

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def texture(h: int, w: int, seed: int = 0) -> np.ndarray:
    """Smoothed colour noise at three scales, float32 0..255: detail at every size, so optical
    flow has something to lock onto everywhere."""
    rng = np.random.default_rng(seed)
    field = sum(s * ndimage.gaussian_filter(rng.normal(size=(h, w, 3)), (s, s, 0)) for s in (1, 3, 8))
    field = (field - field.mean()) / field.std()
    return np.clip(128 + 45 * field, 0, 255).astype(np.float32)


def pan(n: int, h: int, w: int, dx: int = 2, dy: int = 1, seed: int = 0) -> list[np.ndarray]:
    """n frames h×w of a camera moving (dx, dy) pixels per frame over a texture, so the content
    moves by (-dx, -dy): frame t(p) = frame t-1(p + (dx, dy)), i.e. flow(t-1, t) = (dx, dy)."""
    pad = 4
    big = texture(h + abs(dy) * n + 2 * pad, w + abs(dx) * n + 2 * pad, seed)
    y0 = pad + (abs(dy) * n if dy < 0 else 0)
    x0 = pad + (abs(dx) * n if dx < 0 else 0)
    return [big[y0 + t * dy:y0 + t * dy + h, x0 + t * dx:x0 + t * dx + w].copy() for t in range(n)]


def sprite(background: np.ndarray, patch: np.ndarray, x: int, y: int) -> np.ndarray:
    """The background with a patch pasted at (x, y): a moving object when x changes per frame."""
    out = background.copy()
    out[y:y + patch.shape[0], x:x + patch.shape[1]] = patch
    return out


def write_video(path: Path, frames: Sequence[np.ndarray], fps: float = 24, *,
                audio: Optional[Path] = None, lossless: bool = True) -> Path:
    """H.264 MP4 (lossless 4:4:4 by default, so decoded frames are the written ones within
    rounding) or VP9 WebM, with an AAC/Opus sound track when `audio` is given."""
    h, w = frames[0].shape[:2]
    webm = Path(path).suffix == ".webm"
    if webm:
        codec, pix, params = "libvpx-vp9", "yuv420p", ["-deadline", "realtime", "-cpu-used", "8", "-b:v", "0", "-crf", "40"]
    elif lossless:
        codec, pix, params = "libx264", "yuv444p", ["-qp", "0", "-preset", "ultrafast"]
    else:
        codec, pix, params = "libx264", "yuv420p", ["-crf", "18", "-preset", "ultrafast"]
    writer = imageio_ffmpeg.write_frames(
        str(path), (w, h), fps=fps, codec=codec, quality=None, pix_fmt_out=pix, macro_block_size=1,
        ffmpeg_log_level="error", output_params=params,
        audio_path=None if audio is None else str(audio),
        audio_codec=None if audio is None else ("libopus" if webm else "aac"))
    writer.send(None)  # start the generator
    for frame in frames:
        writer.send(np.ascontiguousarray(np.clip(np.rint(frame), 0, 255).astype(np.uint8)))
    writer.close()
    return Path(path)


def write_tone(path: Path, seconds: float, *, rate: int = 48000, freq: float = 440.0,
               onset: float = 0.0) -> Path:
    """A 16-bit mono WAV: silence until `onset` seconds, then a sine tone to the end."""
    t = np.arange(int(round(seconds * rate))) / rate
    signal = np.where(t >= onset, 0.5 * np.sin(2 * np.pi * freq * t), 0.0)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((signal * 32767).astype("<i2").tobytes())
    return Path(path)


def decode_audio(path: Path, rate: int = 48000) -> np.ndarray:
    """The first audio stream as mono float samples in -1..1 at `rate`: its length is the
    stream's true duration (there is no ffprobe beside the bundled ffmpeg)."""
    done = subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
                           "-map", "0:a:0", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
                          stdin=subprocess.DEVNULL, capture_output=True, check=True)
    return np.frombuffer(done.stdout, "<i2").astype(np.float32) / 32768


def ffmpeg(*args: str) -> None:
    """Run the bundled ffmpeg quietly; raise if it fails."""
    subprocess.run([FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
                   stdin=subprocess.DEVNULL, capture_output=True, check=True)


def onset(samples: np.ndarray, rate: int = 48000, level: float = 0.1) -> float:
    """Seconds until the sound first gets louder than `level`."""
    loud = np.flatnonzero(np.abs(samples) > level)
    return float(loud[0]) / rate if loud.size else float("nan")
