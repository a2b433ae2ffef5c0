"""A local batch under real faults, in real processes: a worker SIGKILLed mid-job (as the
out-of-memory killer does) costs only its own job, which is retried once and resumes from its
frames; Ctrl-C stops every worker, exits 130, and --resume finishes the batch."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from conftest import REPO

pytestmark = pytest.mark.slow

JOB = {"input": "noise", "size": 48, "frames": 12, "dream": {"steps": 2, "octaves": 1},
       "transform": [{"zoom": {"amount": 0.05}}], "outputs": {"gif": {"fps": 5}}}


def batch(preset, out, *more, **popen):
    args = [sys.executable, "-m", "dreamanim", "batch", str(preset), "-o", str(out), "--workers", "2", "-q", *more]
    return subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def frames(folder: Path) -> list:
    return [np.asarray(Image.open(f)) for f in sorted(folder.glob("*.frames/frame_*.png"))]


def wait_mid_job(out: Path, name: str, at_least: int = 2, timeout: float = 240) -> int:
    """The pid of the worker rendering job `name`, once it has saved `at_least` frames."""
    marker, deadline = out / ".batch" / f"{name}.running", time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = marker.read_text().strip() if marker.exists() else ""
        if text.isdigit() and len(list((out / name).glob("*.frames/frame_*.png"))) >= at_least:
            return int(text)
        time.sleep(0.01)
    raise AssertionError(f"job {name} never got to {at_least} frames")


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    except OSError:
        return True
    return state in "ZX"


def test_a_worker_killed_mid_job_costs_only_that_job_which_resumes(tmp_path):
    preset, out = tmp_path / "tiny.yaml", tmp_path / "out"
    preset.write_text(yaml.safe_dump(JOB))
    run = batch(preset, out, "--sweep", "seed=1,2,3")
    pid = wait_mid_job(out, "seed=1")
    os.kill(pid, signal.SIGKILL)
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    jobs = {j["name"]: j for j in json.loads((out / "batch.json").read_text())["jobs"]}
    assert [j["status"] for j in jobs.values()] == ["done"] * 3  # the queued job too
    killed = jobs["seed=1"]
    assert killed["retried"][0]["why"] == f"its worker (pid {pid}) was killed by SIGKILL", killed
    saved = killed["retried"][0]["frames_saved"]
    assert 2 <= saved < 12 and killed["rendered"] == 12 - saved  # resumed, not started over
    assert "retried" not in jobs["seed=2"] and "retried" not in jobs["seed=3"]
    reference = tmp_path / "ref"  # the same job, never interrupted (same worker threads)
    run = batch(preset, reference, "--set", "seed=1")
    assert run.wait(timeout=600) == 0
    again, first = frames(out / "seed=1"), frames(reference / "tiny")
    assert len(again) == len(first) == 12
    assert all(np.array_equal(a, b) for a, b in zip(again, first))


def test_ctrl_c_stops_every_worker_exits_130_and_resume_finishes(tmp_path):
    preset, out = tmp_path / "tiny.yaml", tmp_path / "out"
    preset.write_text(yaml.safe_dump(JOB))
    run = batch(preset, out, "--sweep", "seed=1,2,3", start_new_session=True)
    pid = wait_mid_job(out, "seed=1")
    workers = [int(m.read_text()) for m in (out / ".batch").glob("*.running") if m.read_text().strip().isdigit()]
    os.killpg(run.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole process group
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert err.strip() == ("dreamanim: interrupted; every worker stopped; the jobs' frames so far are kept "
                           "(run the batch again with --resume)")
    assert pid in workers and all(gone(p) for p in workers)
    report = json.loads((out / "batch.json").read_text())
    assert report["settings"]["interrupted"] and {j["status"] for j in report["jobs"]} <= {"done", "interrupted"}
    kept = len(list((out / "seed=1").glob("*.frames/frame_*.png")))
    assert kept >= 2
    run = batch(preset, out, "--sweep", "seed=1,2,3", "--resume")
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    jobs = {j["name"]: j for j in json.loads((out / "batch.json").read_text())["jobs"]}
    assert [j["status"] for j in jobs.values()] == ["done"] * 3
    assert jobs["seed=1"]["rendered"] <= 12 - kept  # went on from its frames
    assert len(frames(out / "seed=1")) == 12
