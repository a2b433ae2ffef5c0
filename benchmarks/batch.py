"""Jobs per hour for 8 small jobs on this machine: serially (one process, the model loaded once),
with local worker processes (dreamanim batch), and as Ray tasks on a local Ray; what Ray adds per job.

    .venv/bin/python benchmarks/batch.py [--jobs 8] [--size 96] [--frames 4] [--steps 3]

Prints one JSON object: the settings, seconds and jobs/hour of each way, a local worker's peak
RSS (the memory default_workers divides by) and Ray's overhead per job (its wall time over the
local workers', per job, Ray's start-up not counted, and reported on its own).
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--octaves", type=int, default=2)
    args = ap.parse_args()
    from dreamanim.batch import expand, run_batch
    from dreamanim.batch.local import cores
    work = Path(tempfile.mkdtemp(prefix="dreamanim-batch-bench-"))
    preset = work / "small.yaml"
    preset.write_text(f"input: noise\nsize: {args.size}\nframes: {args.frames}\n"
                      f"dream: {{steps: {args.steps}, octaves: {args.octaves}}}\n"
                      "transform: [{zoom: {amount: 0.05}}]\noutputs: {gif: {fps: 10}}\n")
    jobs = expand([str(preset)], sweeps=[f"seed={','.join(str(s) for s in range(args.jobs))}"])
    out = {"settings": {**vars(args), "cores": cores(), "model": "efficientnet_lite0"}}

    started = time.perf_counter()
    local = run_batch(jobs, work / "local", progress=False)
    out["local"] = _way(time.perf_counter() - started, len(jobs), local)
    out["local"]["workers"] = json.loads(local.report.read_text())["settings"]["workers"]
    out["worker_peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 ** 2, 2)

    from dreamanim.api import render
    started = time.perf_counter()
    for job in jobs:  # in this process: TensorFlow and the model load once, as in a notebook
        render(job.preset, f"{work / 'serial' / job.name}/", overrides=job.overrides, progress=False)
    out["serial"] = _way(time.perf_counter() - started, len(jobs))

    import ray
    started = time.perf_counter()
    ray.init(num_cpus=cores(), include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - started
    started = time.perf_counter()
    remote = run_batch(jobs, work / "ray", ray=True, progress=False)
    out["ray_local"] = {**_way(time.perf_counter() - started, len(jobs), remote), "ray_start_s": round(ray_start, 2)}
    ray.shutdown()
    out["ray_overhead_per_job_s"] = round((out["ray_local"]["seconds"] - out["local"]["seconds"]) / len(jobs), 2)
    print(json.dumps(out, indent=2))


def _way(seconds: float, jobs: int, result=None) -> dict:
    made = {"seconds": round(seconds, 2), "jobs_per_hour": round(jobs * 3600 / seconds)}
    if result is not None:
        made["failed"] = len(result.failed)
    return made


if __name__ == "__main__":
    main()
