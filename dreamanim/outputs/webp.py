"""Animated WebP: the looping picture chat apps and browsers show inline, far smaller than a GIF."""
from typing import ClassVar

from pydantic import Field

from ..common.settings import Strict
from .ffmpeg import FfmpegWriter


class Settings(Strict):
    fps: float = Field(12, gt=0, le=100)
    quality: int = Field(80, ge=0, le=100)  # libwebp's lossy quality: higher is better and bigger
    loops: int = Field(0, ge=0)             # times it plays; 0 = forever
    sound: ClassVar[bool] = False


def Writer(path, settings: Settings, *, comment: str = "") -> FfmpegWriter:
    # WebP has no comment field ffmpeg writes; the frames' PNG text keeps how it was made.
    return FfmpegWriter(path, fps=settings.fps, codec="libwebp_anim", container="webp",
                        params=["-quality", str(settings.quality), "-loop", str(settings.loops),
                                "-compression_level", "4"])
