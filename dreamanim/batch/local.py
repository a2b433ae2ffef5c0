"""Jobs on this machine's cores: run_local(jobs, dir, options, workers, threads, on_event) => outcomes.

Worker processes (spawned: each imports TensorFlow itself, with its thread pools set so that
workers x threads <= cores) take jobs one after another, loading the model once each. Their
progress comes back over a multiprocessing queue as ("frames", job name, frames done) events.
default_workers() fits the workers into the cores and the memory the model needs.
"""
import multiprocessing
import os
import queue as queues
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable

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


def run_local(jobs: list, out_dir: str, options: dict, workers: int, threads: int,
              on_event: Callable[[tuple], None]) -> list[dict]:
    context = multiprocessing.get_context("spawn")
    events = context.Queue()
    outcomes = []
    with ProcessPoolExecutor(workers, mp_context=context, initializer=worker.init,
                             initargs=(events, threads)) as pool:
        futures = {pool.submit(worker.run_job, job, str(out_dir), options): job for job in jobs}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            _drain(events, on_event)
            for future in done:
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker process died (killed, out of memory)
                    outcome = worker.failed(futures[future], f"its worker died: {type(exc).__name__}: {exc}",
                                            "unexpected", seconds=0.0)
                outcomes.append(outcome)
                on_event(("finished", outcome))
    _drain(events, on_event)
    return outcomes


def _drain(events, on_event) -> None:
    while True:
        try:
            on_event(events.get_nowait())
        except queues.Empty:
            return
