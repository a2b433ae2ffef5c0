"""One batch job in a worker (a local process or a Ray task): run_job(job, dir, options) => outcome dict.

failed(job, error, kind, ...) is that outcome record, and the one of a job that never ran.

It never raises: the outcome says done or failed, with the error's one line and whether the user
caused it (`kind`: user | unexpected). A job started again after its worker died (a marker file
DIR/.batch/NAME.running is left behind) resumes from the frames it saved, so a retried job's
frames are those of an uninterrupted render; the output lock takes over the dead worker's lock.
"""
import os
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

_queue = None  # local workers: where progress goes (init); None in a Ray task


def init(queue, threads: Optional[int]) -> None:
    """A local worker process's start: progress to `queue`, TensorFlow's thread pools sized."""
    global _queue
    _queue = queue
    set_threads(threads)


def serve(tasks, events, threads: Optional[int]) -> None:
    """A local worker process: (job, dir, options) from `tasks` until None, each outcome onto
    `events` as ("outcome", pid, outcome). Ctrl-C reaches the whole process group, but the batch
    stops its workers itself: SIGINT is ignored here, and SIGTERM ends the render under way as
    Ctrl-C ends a render (its frames kept, its temporary files removed), once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    init(events, threads)
    try:
        while (task := tasks.get()) is not None:
            events.put(("outcome", os.getpid(), run_job(*task)))
    except KeyboardInterrupt:
        pass


def _stop(signum, frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one stop: the clean-up then runs undisturbed
    raise KeyboardInterrupt


def set_threads(threads: Optional[int]) -> None:
    """TensorFlow's thread pools, set through the environment before it is imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if not threads or "tensorflow" in sys.modules:  # (a reused worker: set at its first job)
        return
    for var in ("TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS"):
        os.environ[var] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = str(min(2, threads))


def run_job(job, out_dir: str, options: dict, threads: Optional[int] = None) -> dict:
    """Render `job` into out_dir/job.name/ with the batch's options (resume, force, plugins)."""
    from ..api import render
    from ..errors import DreamanimError
    set_threads(threads)
    from ..engine.backend import quiet_import
    quiet_import()
    started = time.perf_counter()
    marker = Path(out_dir) / ".batch" / f"{job.name}.running"
    folder = Path(out_dir) / job.name
    resume, force = bool(options.get("resume")), bool(options.get("force"))
    if marker.exists():  # a retry: go on from the frames the dead worker saved
        force = force and not any(folder.glob("*.frames/frame_*.png"))
        resume = True
    outcome = failed(job, pid=os.getpid())
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(os.getpid()))  # (which process renders it: for the curious, and the tests)
        with plugin_scope():
            result = render(job.preset, f"{folder}{os.sep}", overrides=job.overrides, resume=resume, force=force,
                            progress=_Report(job.name) if _queue is not None else False,
                            plugins=options.get("plugins", "load"))
        outcome.update(status="done", outputs={k: str(v) for k, v in result.outputs.items()},
                       frames_folder=str(result.frames_folder), frames=result.frames, rendered=result.rendered)
    except DreamanimError as exc:
        outcome.update(error=exc.line(), kind="user")
    except Exception as exc:  # a bug, not bad input: named, and the other jobs go on
        outcome.update(error=f"unexpected failure: {type(exc).__name__}: {exc}", kind="unexpected")
    marker.unlink(missing_ok=True)
    outcome["seconds"] = round(time.perf_counter() - started, 3)
    return outcome


def failed(job, error: Optional[str] = None, kind: Optional[str] = None, **more) -> dict:
    """A job's outcome record, failed until it is updated (error: its one line; kind: user |
    unexpected); `more` after the common keys (pid, seconds)."""
    return {"name": job.name, **job.params(), "status": "failed", "outputs": {}, "error": error, "kind": kind,
            "frames_folder": None, "frames": 0, "rendered": 0, **more}


@contextmanager
def plugin_scope():
    """The transforms a job's plugin files define are dropped after it, so the next job in this
    (reused) process may load another file defining the same names (not a duplicate then)."""
    from ..motion import plugins
    from ..motion import registry
    plugins.load_builtins()
    before, modules = set(registry._registry), set(sys.modules)
    try:
        yield
    finally:
        for name in set(registry._registry) - before:
            if registry._registry[name].origin == "plugin":
                del registry._registry[name]
        for name in set(sys.modules) - modules:
            if name.startswith(plugins.PLUGIN_MODULE_PREFIX):
                del sys.modules[name]


class _Report:
    """loop.Progress that tells the batch's bar (through the queue) how far this job is."""

    def __init__(self, name: str):
        self.name = name

    def frames(self, total: int, done: int) -> None:
        _queue.put(("frames", self.name, done))

    def frame_done(self, t: int) -> None:
        _queue.put(("frames", self.name, t + 1))

    def frame(self, t, steps): pass
    def step(self, objective): pass
    def writing(self, name, total): pass
    def wrote_frame(self): pass
    def written(self): pass
