"""Ctrl-C (SIGINT to the whole process group, as a terminal sends it) or SIGTERM at any moment of a
real `dreamanim render`: during the imports, mid-render, while a video is written: exit 130 and the
one-line message, no temporary file left, the frames kept; after everything was written: exit 0."""
import os
import signal
import subprocess
import sys
import time

import imageio.v3 as iio
import numpy as np
import pytest

from conftest import REPO, assert_one_line_error
from dreamanim.preset import load_preset
from dreamanim.rendering.plan import Plan
from dreamanim.rendering.store import FrameStore, read_manifest

pytestmark = pytest.mark.slow

INTERRUPTED = "dreamanim: interrupted; the frames so far are kept (run again with --resume)"
# What the console script does (`from dreamanim.cli.main import main; sys.exit(main())`), timing its imports.
SCRIPT = "import sys; from dreamanim.cli.main import main; sys.exit(main())"


def start(*args, importtime=False):
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", SCRIPT, *map(str, args)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def press(proc, sig=signal.SIGINT):
    os.killpg(proc.pid, sig)  # the whole group, as a terminal's Ctrl-C


def wait_until(proc, ready, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"the render ended before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {what} after {timeout} s")
        time.sleep(0.002)


def finish(proc):
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out, "".join(line for line in err.splitlines(True)
                                         if not line.startswith("import time:"))


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*") if ".partial-" in p.name or p.suffix in (".tmp", ".lock"))


def assert_interrupted(code, err):
    assert code == 130, err
    assert err.strip() == INTERRUPTED, err


# The import that, once done, is the moment to press: the package's CLI module (main is about to
# start: the signal lands before main's `try`) and one of the first libraries main imports.
MOMENTS = {"dreamanim.cli.main": signal.SIGINT, "argparse": signal.SIGTERM}


def test_a_signal_during_the_imports(write_preset, tmp_path):
    preset = write_preset()
    procs = {}
    for module, sig in MOMENTS.items():
        proc = start("render", preset, "-o", tmp_path / module.replace(".", "_"), "--quiet", importtime=True)
        for line in proc.stderr:  # -X importtime: `import time: self | total | name` as each completes
            name = line.rsplit("|", 1)[-1].strip()
            if name == module or name.startswith(module + "."):
                press(proc, sig)
                break
        else:
            pytest.fail(f"{module} was never imported: {finish(proc)}")
        procs[module] = proc
    for module, proc in procs.items():
        code, out, err = finish(proc)
        assert_interrupted(code, err)
        assert "Traceback" not in err and out == ""
    assert leftovers(tmp_path) == []


def test_ctrl_c_and_sigterm_mid_render_keep_the_frames(write_preset, run_cli, tmp_path):
    preset = write_preset(frames=10)
    procs = {sig: start("render", preset, "-o", tmp_path / sig.name, "--quiet") for sig in (signal.SIGINT, signal.SIGTERM)}
    waiting, deadline = dict(procs), time.monotonic() + 60
    while waiting:  # each is pressed as soon as its second frame is saved
        for sig, proc in list(waiting.items()):
            if (tmp_path / f"{sig.name}.frames" / "frame_00002.png").exists():
                press(proc, sig)
                del waiting[sig]
            elif proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{sig.name}: no second frame: {finish(proc)}")
        time.sleep(0.002)
    for sig, proc in procs.items():
        assert_interrupted(*finish(proc)[::2])
        frames = sorted((tmp_path / f"{sig.name}.frames").glob("frame_*.png"))
        assert 2 <= len(frames) < 10
        assert read_manifest(tmp_path / f"{sig.name}.frames")["frames_done"] in (len(frames), len(frames) - 1)
    assert leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.glob("*.*")) == [
        "SIGINT.frames", "SIGTERM.frames", "tiny.yaml"]
    code, out, err = run_cli("render", preset, "-o", tmp_path / "SIGINT", "--resume", "--quiet")
    assert code == 0, err
    assert len(list((tmp_path / "SIGINT.frames").glob("frame_*.png"))) == 10


def test_ctrl_c_while_a_video_is_written_then_after_the_last_file(write_preset, tmp_path):
    preset_path = write_preset(frames=60, size=160)
    plan, base = Plan(load_preset(preset_path)), tmp_path / "anim"
    rng = np.random.default_rng(0)
    with FrameStore(base, plan.identity(), plan.manifest(), resume=False, force=False) as store:
        for t in range(60):  # saved frames as a render leaves them: only the videos are left to write
            store.save(t, rng.uniform(0, 255, (107, 160, 3)))
    frames = {p.name: p.read_bytes() for p in store.folder.iterdir()}

    proc = start("render", preset_path, "-o", base, "--resume", "--quiet")
    wait_until(proc, lambda: any(tmp_path.glob(".anim.partial-*")), "video being written")
    press(proc)
    assert_interrupted(*finish(proc)[::2])
    assert leftovers(tmp_path) == []
    for video in ("anim.gif", "anim.mp4"):  # (the GIF may have been finished: then whole)
        if (tmp_path / video).exists():
            assert iio.imread(tmp_path / video, index=None).shape == (60, 107, 160, 3), video
    assert not (tmp_path / "anim.sheet.png").exists()
    assert {p.name: p.read_bytes() for p in store.folder.iterdir()} == frames
    assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and _runs_on(pid, str(tmp_path))]  # no ffmpeg left

    proc = start("render", preset_path, "-o", base, "--resume")  # not --quiet: it says when it is done
    line = proc.stdout.readline()
    assert line.startswith("60 frames in"), (line, proc.communicate())
    press(proc)  # everything is written: the run is over, whatever the interpreter was doing
    code, _, err = finish(proc)
    assert code == 0, err
    assert "Traceback" not in err and "interrupted" not in err
    assert {"anim.gif", "anim.mp4", "anim.sheet.png", "anim.preset.yaml"} <= {p.name for p in tmp_path.iterdir()}


def _runs_on(pid, text):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return text.encode() in f.read()
    except OSError:
        return False


def test_a_signal_in_process_is_exit_130_and_one_line(write_preset, run_cli, monkeypatch):
    """(The same path in-process: main maps KeyboardInterrupt from anywhere to 130.)"""
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr("dreamanim.rendering.loop.render", interrupted)
    code, out, err = run_cli("render", write_preset(), "--quiet")
    assert code == 130 and err.strip() == INTERRUPTED and out == ""
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    code, _, err = run_cli("render", "nope.yaml")  # and the handlers are back as they were
    assert_one_line_error(code, err, "nope.yaml")
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
