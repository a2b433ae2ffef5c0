"""OSC control for VJs: UDP messages on 127.0.0.1 steer the running preview, as the page's controls do.

    /dreamanim/set   dream.step_size 0.03        /dreamanim/pulse zoom.amount 0.05 [frames]
    /dreamanim/pause   /dreamanim/resume   /dreamanim/stop

    server = start(jobs, port)   # a daemon thread; server.shutdown() ends it

A short key names the chain's first transform of that name (zoom.amount => transform[i].zoom.amount).
OSC has no reply: a refused message is one line on stderr, and every accepted change is in the
job's events (the page shows it) and its recorded preset.
"""
import sys
import threading

from ..errors import DreamanimError

ADDRESS = "/dreamanim"


def start(jobs, port: int, host: str = "127.0.0.1", on_error=None):
    """A python-osc server on host:port steering `jobs.live()`; returns it, serving in a thread."""
    from pythonosc.dispatcher import Dispatcher
    from pythonosc.osc_server import BlockingOSCUDPServer
    report = on_error or (lambda line: print(f"dreamanim studio: osc: {line}", file=sys.stderr))

    def handler(action):
        def handle(address, *args):
            job = jobs.live()
            try:
                if job is None:
                    raise DreamanimError(address, "nothing is rendering", "start a preview first")
                if action in ("set", "pulse"):
                    if len(args) < 2:
                        raise DreamanimError(address, f"takes a key and a number, got {list(args)!r}",
                                             f"e.g. {ADDRESS}/{action} dream.step_size 0.03")
                    extra = {"frames": int(args[2])} if action == "pulse" and len(args) > 2 else {}
                    job.steer(action, str(args[0]), _decimal(args[1]), **extra)
                else:
                    getattr(job, action)()
            except DreamanimError as exc:
                report(f"dreamanim: error: {exc.line()}")
        return handle

    dispatcher = Dispatcher()
    for action in ("set", "pulse", "pause", "resume", "stop"):
        dispatcher.map(f"{ADDRESS}/{action}", handler(action))
    server = BlockingOSCUDPServer((host, port), dispatcher)  # one at a time: changes land in the order sent
    threading.Thread(target=server.serve_forever, name="studio-osc", daemon=True).start()
    return server


def _decimal(value):
    """OSC floats are 32-bit: 0.03 arrives as 0.029999999329...; 7 significant digits give back what was sent."""
    return float(f"{value:.7g}") if isinstance(value, float) else value
