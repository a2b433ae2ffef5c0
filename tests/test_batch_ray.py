"""dreamanim batch on a real local Ray (2 CPUs): jobs complete, a SIGKILLed worker's job is
retried and resumes to the very frames of an uninterrupted render, a failing job fails alone."""
import json
import os
import signal
import threading
import time

import numpy as np
import pytest
import yaml
from PIL import Image

from dreamanim.batch import expand, run_batch

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

PLUGIN = '''
import time
from dreamanim import transform

@transform("ray_test_nap")
def nap(frame, ctx, *, seconds: float = 0.0):
    """Sleep, then return the frame unchanged: a job slow enough to be killed midway."""
    time.sleep(seconds)
    return frame

@transform("ray_test_boom")
def boom(frame, ctx):
    """Always fails."""
    raise ValueError("boom")
'''


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def write(folder, name, steps):
    (folder / "plugin.py").write_text(PLUGIN)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"input": "noise", "size": 32, "frames": 5, "plugins": ["plugin.py"],
                                    "dream": {"steps": 1, "octaves": 1}, "transform": steps,
                                    "outputs": {"gif": {"fps": 5}}}))
    return str(path)


def frames(folder):
    return [np.asarray(Image.open(p)) for p in sorted(folder.glob("frame_*.png"))]


def test_jobs_complete_and_a_failing_job_fails_alone(local_ray, tmp_path):
    good = write(tmp_path, "good", [{"zoom": {"amount": 0.05}}])
    bad = write(tmp_path, "bad", [{"ray_test_boom": {}}])
    jobs = expand([good, bad], sweeps=["seed=1,2,3"], sets=["frames=2"])[:4]  # good x 3, bad x 1
    result = run_batch(jobs, tmp_path / "out", ray=True, progress=False)
    assert [o["status"] for o in result.outcomes] == ["done", "done", "done", "failed"]
    assert "boom" in result.outcomes[3]["error"] and result.exit_code == 2
    report = json.loads(result.report.read_text())
    assert report["settings"]["runner"] == "ray" and len(report["jobs"]) == 4
    assert result.sheet.is_file() and (tmp_path / "out" / "good_seed=1" / "good.gif").is_file()


def test_a_killed_worker_is_retried_and_its_frames_equal_an_uninterrupted_render(local_ray, tmp_path):
    slow = write(tmp_path, "slow", [{"ray_test_nap": {"seconds": 0.6}}, {"zoom": {"amount": 0.05}}])
    jobs = expand([slow, slow])  # the same render twice: "slow" (killed midway) and "slow-2"
    out = tmp_path / "out"
    done = {}
    runner = threading.Thread(target=lambda: done.update(result=run_batch(jobs, out, ray=True, progress=False)))
    runner.start()
    lock, frames_folder = out / "slow" / "slow.lock", out / "slow" / "slow.frames"
    deadline = time.monotonic() + 120
    while not (frames_folder / "frame_00002.png").exists():
        assert time.monotonic() < deadline and runner.is_alive()
        time.sleep(0.05)
    killed = json.loads(lock.read_text())["pid"]
    os.kill(killed, signal.SIGKILL)
    runner.join(180)
    result = done["result"]
    assert [o["status"] for o in result.outcomes] == ["done", "done"], result.outcomes
    assert result.outcomes[0]["pid"] != killed and result.outcomes[0]["rendered"] < 5  # resumed, not restarted
    retried, uninterrupted = frames(frames_folder), frames(out / "slow-2" / "slow.frames")
    assert len(retried) == len(uninterrupted) == 5
    assert all(np.array_equal(a, b) for a, b in zip(retried, uninterrupted))
