"""What one running studio knows: its settings, its folder (uploads/, jobs/), its media and its jobs.

    studio = Studio(Settings(folder=Path("studio"), port=8765)); ...; studio.close()
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .. import api
from .jobs import Jobs
from .presets import plugins_mode
from .refs import Media

UPLOAD_LIMIT_MB = 200  # a 1080p clip of a minute or so; --upload-limit changes it
DEFAULT_PORT = 8765


@dataclass
class Settings:
    folder: Path
    port: int = DEFAULT_PORT
    host: str = "127.0.0.1"
    token: Optional[str] = None
    allow_plugins: bool = False
    upload_limit: int = UPLOAD_LIMIT_MB * 2**20   # bytes
    osc: Optional[int] = None
    warm: bool = True                 # load the model at start, so the first preview is quick
    extra_hosts: tuple = field(default=())

    @property
    def hosts(self) -> set:
        """The Host headers the studio answers to: its loopback names, and --host's."""
        names = {"127.0.0.1", "localhost", "[::1]", self.host if ":" not in self.host else f"[{self.host}]",
                 *self.extra_hosts}
        return {f"{name}:{self.port}" for name in names}

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")


class Studio:
    def __init__(self, settings: Settings):
        self.settings = settings
        folder = settings.folder.resolve()
        self.folder = folder
        (folder / "uploads").mkdir(parents=True, exist_ok=True)
        (folder / "jobs").mkdir(exist_ok=True)
        samples = next(iter(api.presets()))["path"].parent  # the bundled media sit beside the shipped presets
        self.media = Media(Path(samples), folder / "uploads")
        self._shipped = None
        self.jobs = Jobs(folder, plugins=plugins_mode(settings.allow_plugins), warm=settings.warm)

    def shipped(self) -> list:
        """The shipped presets as the page offers them (read once: they are package data)."""
        if self._shipped is None:
            from .gallery import shipped
            self._shipped = shipped(self.media)
        return self._shipped

    def close(self) -> None:
        self.jobs.shutdown()
