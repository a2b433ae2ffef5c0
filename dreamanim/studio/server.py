"""Serve a Studio with uvicorn until Ctrl-C, which stops its jobs before their next frame (frames kept).

    serve(studio, sock, on_ready=lambda: ...)   # blocks; returns once the server and its jobs have stopped
    with running(Settings(folder=..., port=...)) as (studio, url): ...   # in a background thread
"""
import socket
import threading
import time
from contextlib import contextmanager

import uvicorn

from ..errors import DreamanimError
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


@contextmanager
def running(settings):
    """A studio served in a background thread (tests, benchmarks, a notebook): yields (studio, url);
    on exit the server stops and its jobs stop before their next frame."""
    from .context import Studio
    studio = Studio(settings)
    sock = bind(settings.host, settings.port, "--port")
    server = make_server(studio)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="studio-http", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.02)
    try:
        yield studio, f"http://127.0.0.1:{settings.port}"
    finally:
        server.should_exit = True
        for job in list(studio.jobs.all.values()):
            job.log.close()  # (uvicorn waits for open event streams)
        thread.join(10)
        studio.close()
        sock.close()


def bind(host: str, port: int, option: str) -> socket.socket:
    """A socket bound to host:port, or the one-line error naming the option to change."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # listening before the URL is printed: an early request waits, it is not refused
    except OSError as exc:
        sock.close()
        raise DreamanimError(f"{option} {port}", f"cannot listen on {host}:{port}: {exc.strerror}",
                             f"give another port, e.g. {option} {port + 1}") from None
    return sock
