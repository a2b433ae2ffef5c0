"""GIF: the animation that plays everywhere; streamed frame by frame (gif_stream.py's encoder)."""
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ..common.settings import Strict
from ..common.writers import StreamWriter
from .gif_stream import GifStream


class Settings(Strict):
    fps: float = Field(12, gt=0, le=100)
    loops: int = Field(0, ge=0)        # times the GIF plays; 0 = forever
    sound: ClassVar[bool] = False


class Writer(StreamWriter):
    def __init__(self, path: Path, settings: Settings, *, comment: str = ""):
        super().__init__(path)
        self.settings, self.comment = settings, comment

    def open(self) -> None:
        self._file = open(self.tmp, "wb")
        self._gif = GifStream(self._file, fps=self.settings.fps, loops=self.settings.loops, comment=self.comment)

    def add(self, frame) -> None:
        self._gif.add(frame)

    def close(self) -> None:
        self._gif.close()
        self._file.close()

    def abort(self) -> None:
        self._file.close()
