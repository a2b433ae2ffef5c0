"""MP4: H.264 in yuv420p with the index up front, the video every browser and phone plays."""
from typing import ClassVar

from pydantic import Field

from ..common.settings import Strict
from .ffmpeg import FfmpegWriter


class Settings(Strict):
    fps: float = Field(24, gt=0, le=240)
    crf: int = Field(18, ge=0, le=51)  # H.264 quality: lower is better and bigger
    sound: ClassVar[bool] = True


def Writer(path, settings: Settings, *, comment: str = "") -> FfmpegWriter:
    return FfmpegWriter(path, fps=settings.fps, codec="libx264", container="mp4", even=True, comment=comment,
                        params=["-crf", str(settings.crf), "-movflags", "+faststart"])
