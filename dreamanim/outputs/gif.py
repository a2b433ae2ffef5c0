"""GIF: the animation that plays everywhere; streamed frame by frame (dreamanim/gif.py's encoder)."""
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ..common.settings import Strict
from .gif_stream import GifStream
from ..common.writers import atomic, cannot_write


class Settings(Strict):
    fps: float = Field(12, gt=0, le=100)
    loops: int = Field(0, ge=0)        # times the GIF plays; 0 = forever
    sound: ClassVar[bool] = False


class Writer:
    def __init__(self, path: Path, settings: Settings, *, comment: str = ""):
        self.path, self.settings, self.comment = Path(path), settings, comment

    def __enter__(self) -> "Writer":
        self._atomic = atomic(self.path)
        try:
            self._file = open(self._atomic.__enter__(), "wb")
        except OSError as exc:  # (an unwritable folder)
            raise cannot_write(self.path, exc) from None
        self._gif = GifStream(self._file, fps=self.settings.fps, loops=self.settings.loops, comment=self.comment)
        return self

    def add(self, frame) -> None:
        self._gif.add(frame)

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                self._gif.close()
            self._file.close()
        except BaseException as failed:  # (a full disk): the temporary file goes, never renamed into place
            try:
                self._file.close()
            except OSError:
                pass
            self._atomic.__exit__(type(failed), failed, failed.__traceback__)  # an OSError => InputError
            raise
        self._atomic.__exit__(kind, exc, tb)
