"""Jobs on this machine's cores: run_local(jobs, dir, options, workers, threads, on_event) => outcomes.

Worker processes (spawned: each imports TensorFlow itself, with its thread pools set so that
workers x threads <= cores) take jobs one after another, loading the model once each. Their
progress comes back over each worker's own queue as ("frames", job name, frames done) events,
their outcomes as ("outcome", pid, outcome). A worker that dies mid-job (SIGKILL, the
out-of-memory killer) is replaced and its job alone retried once, from its saved frames; the
outcome's `retried` says why. default_workers() fits the workers into the cores and the memory
the model needs.
"""
import multiprocessing
import os
import queue as queues
import signal
import time
from collections import deque
from pathlib import Path
from typing import Callable, Optional

from . import worker

GB = 1024 ** 3
# A worker's peak resident memory rendering a small preset, measured (benchmarks/batch.py);
# a model not listed is taken to need as much as the largest.
WORKER_MEMORY = {"efficientnet_lite0": 0.8 * GB, "vgg16": 2.0 * GB}


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def available_memory() -> int:
    try:
        with open("/proc/meminfo") as f:
            info = dict(line.split(":", 1) for line in f)
        return int(info["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return 4 * GB


def default_workers(jobs: int, model: str = "efficientnet_lite0") -> tuple[int, int]:
    """(workers, TensorFlow threads per worker): as many workers as the cores and memory allow."""
    per = WORKER_MEMORY.get(model, max(WORKER_MEMORY.values()))
    workers = max(1, min(cores(), int(available_memory() // per), jobs))
    return workers, max(1, cores() // workers)


RETRIES = 1  # a job whose worker died (SIGKILL, the out-of-memory killer) runs once more, from its frames
STOP_WAIT = 20.0  # seconds a stopped worker has to finish its clean-up before it is killed


def run_local(jobs: list, out_dir: str, options: dict, workers: int, threads: int,
              on_event: Callable[[tuple], None]) -> list[dict]:
    """Each job in a worker process; a worker that dies takes only its own job with it: that job
    is retried once in a new worker (resuming from its saved frames), the others go on. On
    Ctrl-C (KeyboardInterrupt) every worker is stopped, its frames kept, before it is raised."""
    context = multiprocessing.get_context("spawn")
    todo, outcomes, deaths = deque(jobs), {}, {}
    pool = [_Worker(context, threads) for _ in range(min(workers, len(jobs)))]

    def finish(outcome: dict) -> None:
        if deaths.get(outcome["name"]):
            outcome["retried"] = deaths[outcome["name"]]
        outcomes[outcome["name"]] = outcome
        on_event(("finished", outcome))

    try:
        while todo or any(w.job for w in pool):
            for i, w in enumerate(pool):
                if w.job is None and todo:
                    if not w.process.is_alive():  # (died between jobs: a new one takes the next)
                        w = pool[i] = _Worker(context, threads)
                    w.give(todo.popleft(), str(out_dir), options)
            _drain(pool, on_event, finish, timeout=0.25)
            for i, w in enumerate(pool):
                if w.job is None or w.process.is_alive():
                    continue
                _drain(pool, on_event, finish)  # its outcome may have been sent just before
                if w.job is None:
                    continue
                job, why = w.job, f"its worker (pid {w.process.pid}) {_death(w.process.exitcode)}"
                saved = len(list(Path(out_dir, job.name).glob("*.frames/frame_*.png")))
                deaths.setdefault(job.name, []).append({"why": why, "frames_saved": saved})
                if len(deaths[job.name]) <= RETRIES:
                    todo.appendleft(job)  # next, in a new worker: it resumes from the saved frames
                else:
                    finish(worker.failed(job, f"{why}, and again when retried (if it ran out of memory: "
                                              "--workers 1, or a smaller size)", "unexpected", seconds=0.0))
                pool[i] = _Worker(context, threads)
    except BaseException:  # Ctrl-C: every worker stops (its frames kept); then the interrupt goes on
        _stop(pool)
        raise
    for w in pool:
        w.close()
    _drain(pool, on_event, finish)
    return list(outcomes.values())


class _Worker:
    """One worker process, its own queues (a worker killed while writing to a shared queue would
    leave its lock held, and every other worker stuck), and the job it is rendering (None: idle)."""

    def __init__(self, context, threads: int):
        self.tasks, self.events, self.job = context.SimpleQueue(), context.Queue(), None
        self.process = context.Process(target=worker.serve, args=(self.tasks, self.events, threads), daemon=True)
        self.process.start()

    def give(self, job, out_dir: str, options: dict) -> None:
        self.job = job
        self.tasks.put((job, out_dir, options))

    def close(self) -> None:
        if self.process.is_alive():
            self.tasks.put(None)
        self.process.join(STOP_WAIT)
        if self.process.is_alive():
            self.process.kill()


def _stop(pool: list) -> None:
    """SIGTERM to each worker (it ends its render as Ctrl-C does: frames kept, temporary files
    removed), then wait for all of them; one still running after STOP_WAIT is killed."""
    for w in pool:
        if w.process.is_alive():
            w.process.terminate()
    for w in pool:
        w.process.join(STOP_WAIT)
        if w.process.is_alive():
            w.process.kill()
            w.process.join()


def _death(exitcode: Optional[int]) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


def _drain(pool: list, on_event, finish, timeout: float = 0.0) -> None:
    """Every event the workers have sent (waiting up to `timeout` s for the first): progress to
    on_event, a job's outcome to finish (and its worker is free again)."""
    deadline = time.monotonic() + timeout
    while True:
        got = False
        for w in list(pool):
            while True:
                try:
                    event = w.events.get_nowait()
                except (queues.Empty, OSError, EOFError, ValueError):
                    break
                got = True
                if event[0] == "outcome":
                    if w.job is not None and w.job.name == event[2]["name"]:
                        w.job = None
                    finish(event[2])
                else:
                    on_event(event)
        if got or time.monotonic() >= deadline:
            return
        time.sleep(0.02)
