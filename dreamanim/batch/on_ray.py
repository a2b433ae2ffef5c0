"""Jobs as Ray tasks: run_ray(jobs, dir, options, resources, on_event) => outcomes.

On the cluster RAY_ADDRESS names (or one already connected), else on a local Ray started with
this machine's cores. Each job is one task (`num_cpus`, `num_gpus`, `memory` per job), retried
by Ray when its worker dies (max_retries): the retry resumes from the frames on disk (worker.py).
Progress: the frames each running job has saved, counted on the (shared) disk.
Ray is the optional extra `dreamanim[ray]`, imported only here.
"""
import os
from pathlib import Path
from typing import Callable, Optional

from ..errors import InputError
from . import worker
from .local import cores

MAX_RETRIES = 2


def ray_module():
    try:
        import ray
    except ImportError:
        raise InputError("--ray", "Ray is not installed", "pip install 'dreamanim[ray]'") from None
    return ray


def connect(ray) -> None:
    if ray.is_initialized():
        return
    if os.environ.get("RAY_ADDRESS"):
        ray.init(log_to_driver=False)
    else:
        ray.init(num_cpus=cores(), include_dashboard=False, log_to_driver=False)


def run_ray(jobs: list, out_dir: str, options: dict, on_event: Callable[[tuple], None], *,
            num_cpus: float = 1, num_gpus: float = 0, memory: Optional[float] = None) -> list[dict]:
    """memory: bytes a job may use (Ray schedules by it); None: not requested."""
    ray = ray_module()
    connect(ray)
    resources = {"num_cpus": num_cpus, "num_gpus": num_gpus, **({"memory": int(memory)} if memory else {})}
    task = ray.remote(max_retries=MAX_RETRIES, **resources)(worker.run_job)
    threads = max(1, round(num_cpus))
    refs = {task.remote(job, str(out_dir), options, threads): job for job in jobs}
    pending, outcomes, seen = list(refs), [], {}
    while pending:
        ready, pending = ray.wait(pending, num_returns=1, timeout=0.5)
        for ref in pending:
            job = refs[ref]
            done = len(list(Path(out_dir, job.name).glob("*.frames/frame_*.png")))
            if seen.get(job.name) != done:
                seen[job.name] = done
                on_event(("frames", job.name, done))
        for ref in ready:
            try:
                outcome = ray.get(ref)
            except ray.exceptions.RayError as exc:  # its worker died more than MAX_RETRIES times
                why = f"Ray gave up on it: {type(exc).__name__}: {str(exc).splitlines()[0]}"
                outcome = worker.failed(refs[ref], why, "unexpected", seconds=0.0)
            outcomes.append(outcome)
            on_event(("finished", outcome))
    return outcomes
