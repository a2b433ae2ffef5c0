"""Many renders at once: run_batch(jobs, dir, ...) => BatchResult, each job a normal render into DIR/NAME/.

    jobs = expand(["cat.yaml"], sweeps=["dream.step_size=0.01,0.02"])       (jobs.py, naming.py)
    run_batch(jobs, "sweep/", workers=2)                                     (local.py: worker processes)
    run_batch(jobs, "sweep/", ray=True, num_cpus=1)                          (on_ray.py: Ray tasks)

Every job's preset is read first (its frame count feeds the one progress bar; a job whose preset
is wrong fails there, without a worker). One failing job never stops the others. At the end:
DIR/batch.json and DIR/batch.sheet.png (report.py). resume=True skips the jobs batch.json
says are done and continues the rest from their saved frames. A local worker that dies takes
only its job with it, and that job is retried once (local.py); Ctrl-C stops every worker and
leaves a batch.json saying which jobs are done, so --resume finishes the batch.
"""
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .jobs import Job, expand


@dataclass
class BatchResult:
    outcomes: list[dict]   # one per job, in the jobs' order: status, outputs, seconds, error, kind
    report: Path
    sheet: Optional[Path]
    seconds: float

    @property
    def failed(self) -> list[dict]:
        return [o for o in self.outcomes if o["status"] != "done"]

    @property
    def exit_code(self) -> int:
        """0 all done; 2 every failure was the user's to fix; 1 otherwise."""
        if not self.failed:
            return 0
        return 2 if all(o["kind"] == "user" for o in self.failed) else 1


def run_batch(jobs: list[Job], out_dir, *, resume: bool = False, force: bool = False, plugins: str = "load",
              workers: Optional[int] = None, ray: bool = False, num_cpus: float = 1, num_gpus: float = 0,
              memory: Optional[float] = None, progress: bool = True) -> BatchResult:
    from ..api import read_preset
    from ..errors import DreamanimError
    from ..common.writers import make_folder
    from . import report
    from .bar import BatchBar
    from .worker import failed, plugin_scope
    started, out_dir = time.perf_counter(), Path(out_dir)
    if ray:  # a missing extra is named before anything is read or made
        from .on_ray import ray_module
        ray_module()
    make_folder(out_dir)
    finished = report.previous(out_dir) if resume else {}
    outcomes, todo, totals, models = {}, [], {}, set()
    for job in jobs:
        if job.name in finished:
            outcomes[job.name] = {**finished[job.name], "seconds": 0.0}
            continue
        try:
            with plugin_scope():  # (two jobs' plugin files may define the same names)
                preset = read_preset(job.preset, job.overrides, check_model=False, plugins="needed")
        except DreamanimError as exc:
            outcomes[job.name] = failed(job, exc.line(), "user", seconds=0.0)
            continue
        todo.append(job)
        totals[job.name] = preset.frames
        models.add(preset.model)
    options = {"resume": resume, "force": force, "plugins": plugins}
    bar = BatchBar(totals, enabled=progress, skipped=len(jobs) - len(todo))
    settings = {"resume": resume, "force": force, "runner": "ray" if ray else "local"}
    so_far = {}  # the jobs finished, as they finish: what batch.json holds if the batch is interrupted

    def on_event(event: tuple) -> None:
        if event[0] == "finished":
            so_far[event[1]["name"]] = event[1]
        bar(event)

    try:
        if todo and ray:
            from .on_ray import run_ray
            settings.update(num_cpus=num_cpus, num_gpus=num_gpus, memory=memory)
            done = run_ray(todo, out_dir, options, on_event, num_cpus=num_cpus, num_gpus=num_gpus, memory=memory)
        elif todo:
            from .local import default_workers, run_local
            auto, threads = default_workers(len(todo), _heaviest(models))
            count = workers or auto
            threads = threads if not workers else max(1, default_cores() // count)
            settings.update(workers=count, threads=threads)
            done = run_local(todo, out_dir, options, count, threads, on_event)
        else:
            done = []
    except KeyboardInterrupt:  # every worker has stopped: batch.json says which jobs are done
        outcomes.update(so_far)
        stopped = [outcomes.get(job.name) or failed(job, "interrupted (its frames so far are kept: run the batch "
                                                     "again with --resume)", "interrupted", status="interrupted",
                                                     seconds=0.0) for job in jobs]
        report.write_report(out_dir, stopped, {**settings, "interrupted": True})
        raise
    finally:
        bar.close()
    outcomes.update((o["name"], o) for o in done)
    ordered = [outcomes[job.name] for job in jobs]
    path = report.write_report(out_dir, ordered, settings)
    sheet = report.write_sheet(out_dir, ordered)
    return BatchResult(ordered, path, sheet, time.perf_counter() - started)


def default_cores() -> int:
    from .local import cores
    return cores()


def _heaviest(models: set) -> str:
    from .local import WORKER_MEMORY
    known = [m for m in models if m in WORKER_MEMORY]
    if len(known) < len(models) or not known:
        return "" if models - set(WORKER_MEMORY) else "efficientnet_lite0"
    return max(known, key=WORKER_MEMORY.get)


__all__ = ["Job", "expand", "run_batch", "BatchResult"]
