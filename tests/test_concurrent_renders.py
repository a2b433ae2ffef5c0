"""Two renders into one output: the second is refused while the first runs, and loses it nothing;
a lock left by a render that died is taken over, with a note."""
import json
import socket
import subprocess
import sys
import time

from dreamanim.preset import load_preset
from dreamanim.rendering.store import MANIFEST, read_manifest

from conftest import REPO, assert_one_line_error, frames_hash_of


def test_a_second_render_into_a_running_ones_output_is_refused(run_cli, write_preset, tmp_path):
    first, second = write_preset("first", frames=150), write_preset("second", seed=2)  # ~3 s of frames
    load_preset(second)  # warm up here (TensorFlow, the model check): the second reaches the lock at once
    out, lock = tmp_path / "anim", tmp_path / "anim.lock"
    proc = subprocess.Popen([sys.executable, "-m", "dreamanim.cli.main", "render", first, "-o", out, "--quiet"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not lock.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert lock.exists(), proc.stderr.read() if proc.poll() is not None else "no lock after 30 s"
        code, _, err = run_cli("render", second, "-o", out, "--force", "--quiet")  # --force: it would wipe
        assert proc.poll() is None, "the first render ended too soon to test anything"
        assert_one_line_error(code, err, f"{out}: another render is writing it: pid {proc.pid} on ",
                              "wait for it to finish or stop it")
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    frames = sorted((tmp_path / "anim.frames").glob("frame_*.png"))
    assert len(frames) == 150
    manifest = read_manifest(tmp_path / "anim.frames")
    assert manifest["frames_hash"] == frames_hash_of(load_preset(first)) and manifest["frames_done"] == 150
    assert not lock.exists()  # released; and never among the frames a sheet or --resume reads
    assert {p.name for p in (tmp_path / "anim.frames").iterdir()} == {p.name for p in frames} | {MANIFEST}


def test_a_dead_renders_lock_is_taken_over_with_a_note(run_cli, write_preset, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # exited and reaped: its pid names no process now
    lock = tmp_path / "anim.lock"
    lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(),
                                "started": "2024-01-01T00:00:00+00:00", "token": "stale"}))
    code, out, err = run_cli("render", write_preset(), "-o", tmp_path / "anim", "--quiet")
    assert code == 0, err
    assert err == (f"dreamanim: note: took over the lock of pid {dead.pid} on {socket.gethostname()} since "
                   "2024-01-01T00:00:00+00:00, which is no longer running\n")
    assert len(list((tmp_path / "anim.frames").glob("frame_*.png"))) == 3
    assert not lock.exists()
