"""Serve a Studio with uvicorn until Ctrl-C, which stops its jobs before their next frame (frames kept).

    serve(studio, on_ready=lambda: ...)   # blocks; returns once the server and its jobs have stopped
"""
import threading

import uvicorn

from .routes import build_app


class _Server(uvicorn.Server):
    """uvicorn waits for open responses before it exits: the event streams are ended first."""

    def __init__(self, config, studio, on_ready):
        super().__init__(config)
        self.studio, self.on_ready = studio, on_ready

    def handle_exit(self, sig, frame):
        for job in list(self.studio.jobs.all.values()):
            job.stop()  # (its thread finishes the frame it is on; frames stay for resume)
            job.log.close()
        super().handle_exit(sig, frame)

    async def startup(self, sockets=None):
        await super().startup(sockets)
        if self.started and self.on_ready:
            threading.Thread(target=self.on_ready, daemon=True).start()


def make_server(studio, on_ready=None, log_level: str = "warning") -> uvicorn.Server:
    config = uvicorn.Config(build_app(studio), host=studio.settings.host, port=studio.settings.port,
                            log_level=log_level, access_log=False, lifespan="off",
                            timeout_graceful_shutdown=3)
    return _Server(config, studio, on_ready)


def serve(studio, sock, on_ready=None) -> None:
    """Serve on an already bound socket (so a port in use was a one-line error before anything started)."""
    server = make_server(studio, on_ready)
    try:
        server.run(sockets=[sock])
    finally:
        studio.close()
