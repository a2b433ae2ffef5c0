"""WebM: VP9 in yuv420p, constant quality; plays in every browser, smaller than H.264 at the same look."""
from typing import ClassVar

from pydantic import Field

from ..common.settings import Strict
from .ffmpeg import FfmpegWriter


class Settings(Strict):
    fps: float = Field(24, gt=0, le=240)
    crf: int = Field(32, ge=0, le=63)  # VP9 quality: lower is better and bigger (31-34 is "good")
    sound: ClassVar[bool] = True


def Writer(path, settings: Settings, *, comment: str = "") -> FfmpegWriter:
    # -b:v 0 makes -crf a constant-quality target; row-mt and cpu-used 4 keep a 2-core encode quick.
    return FfmpegWriter(path, fps=settings.fps, codec="libvpx-vp9", container="webm", comment=comment,
                        params=["-crf", str(settings.crf), "-b:v", "0", "-row-mt", "1",
                                "-deadline", "good", "-cpu-used", "4"])
