"""One render per output: a live holder keeps others out, a dead one's lock is taken over once."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dreamanim.errors import InputError
from dreamanim.rendering.lock import OutputLock, _proc_stat

REPO = Path(__file__).resolve().parents[1]

# A child process: wait for the go file, try the lock, say what happened, hold it until stdin closes.
CHILD = r"""
import os, sys, time
from pathlib import Path
from dreamanim.errors import InputError
from dreamanim.rendering.lock import OutputLock
lock_path, go = Path(sys.argv[1]), Path(sys.argv[2])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
lock = OutputLock(lock_path, where="out")
try:
    stale = lock.acquire()
except InputError as exc:
    print("lost", exc.line(), flush=True)
    sys.exit(2)
print("won", "takeover" if stale else "fresh", os.getpid(), flush=True)
sys.stdin.read()
lock.release()
"""


def children(lock_path: Path, go: Path, count: int = 1) -> list[subprocess.Popen]:
    """`count` children started together (their imports overlap), each ready and waiting for `go`."""
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(lock_path), str(go)], cwd=REPO, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(count)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return procs


def finish(proc: subprocess.Popen) -> str:
    """Let a child go (close its stdin) and return what it printed since. (Not communicate(): it
    reads the pipe itself and would miss what readline() had already buffered.)"""
    proc.stdin.close()
    rest = proc.stdout.read()
    proc.wait(timeout=30)
    return rest


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # exited and reaped: its pid names no process now
    return proc.pid


def write_lock(path: Path, **fields) -> dict:
    record = {"pid": dead_pid(), "host": socket.gethostname(), "started": "2024-01-01T00:00:00+00:00",
              "command": "dreamanim render old.yaml", "proc_start": None, "boot": None, "token": "old"}
    record.update(fields)
    path.write_text(json.dumps(record))
    return record


def test_second_process_fails_while_first_holds(tmp_path):
    lock_path, go = tmp_path / "out.lock", tmp_path / "go"
    go.touch()
    first, = children(lock_path, go)
    try:
        assert first.stdout.readline().split()[:2] == ["won", "fresh"]
        held = json.loads(lock_path.read_text())
        assert held["pid"] == first.pid and held["host"] == socket.gethostname()
        assert held["started"] and "-c" in held["command"]
        second, = children(lock_path, go)
        out = finish(second)
        assert second.returncode == 2
        assert out.startswith(f"lost out: another render is writing it: pid {first.pid} on "
                              f"{socket.gethostname()} since {held['started']} (")
        with pytest.raises(InputError):  # this test's own process is kept out too
            OutputLock(lock_path).acquire()
    finally:
        finish(first)
    assert first.returncode == 0 and not lock_path.exists()
    with OutputLock(lock_path) as lock:  # free again
        assert lock.taken_over is None and lock_path.exists()


def test_stale_lock_from_a_dead_pid_is_taken_over(tmp_path):
    lock_path = tmp_path / "out.lock"
    stale = write_lock(lock_path)
    notes = []
    lock = OutputLock(lock_path, where="out", on_takeover=notes.append)
    assert lock.acquire() == stale and notes == [stale] and lock.taken_over == stale
    assert json.loads(lock_path.read_text())["pid"] == os.getpid()
    lock.release()
    assert not lock_path.exists() and not (tmp_path / "out.lock.break").exists()


@pytest.mark.skipif(_proc_stat(os.getpid()) is None, reason="needs /proc")
def test_a_reused_pid_is_not_mistaken_for_the_owner(tmp_path):
    lock_path = tmp_path / "out.lock"
    started = _proc_stat(os.getpid())[1]
    write_lock(lock_path, pid=os.getpid(), proc_start=started - 1)  # alive, but not the same process
    with OutputLock(lock_path) as lock:
        assert lock.taken_over["proc_start"] == started - 1
    write_lock(lock_path, pid=os.getpid(), proc_start=started)  # the very process: it holds it
    with pytest.raises(InputError, match="another render is writing it"):
        OutputLock(lock_path).acquire()


def test_a_lock_from_another_host_is_never_taken_over(tmp_path):
    lock_path = tmp_path / "out.lock"
    record = write_lock(lock_path, host="elsewhere.invalid")
    with pytest.raises(InputError) as info:
        OutputLock(lock_path, where="out").acquire()
    err = info.value
    assert err.where == "out" and f"pid {record['pid']} on elsewhere.invalid" in err.what
    assert f"delete {lock_path}" in err.fix
    assert json.loads(lock_path.read_text()) == record


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_released_on_exception_and_interrupt(tmp_path, error):
    lock_path = tmp_path / "out.lock"
    with pytest.raises(error):
        with OutputLock(lock_path):
            assert lock_path.exists()
            raise error()
    assert not lock_path.exists()


def test_release_leaves_a_lock_that_is_no_longer_ours(tmp_path):
    lock_path = tmp_path / "out.lock"
    lock = OutputLock(lock_path)
    lock.acquire()
    other = write_lock(lock_path, token="someone else's")  # deleted by hand, taken by another render
    lock.release()
    assert json.loads(lock_path.read_text()) == other


def test_garbage_lock_file_is_not_taken_over(tmp_path, monkeypatch):
    monkeypatch.setattr("dreamanim.rendering.lock._PATIENCE", 0.05)
    lock_path = tmp_path / "out.lock"
    lock_path.write_text("")
    with pytest.raises(InputError, match="unreadable") as info:
        OutputLock(lock_path).acquire()
    assert f"delete {lock_path}" in info.value.fix and lock_path.read_text() == ""


def test_unwritable_folder_is_an_input_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="cannot create the lock file"):
        OutputLock(blocker / "out.lock", where="out").acquire()


@pytest.mark.parametrize("round_", range(2))
def test_racing_takeovers_of_one_stale_lock_exactly_one_wins(tmp_path, round_):
    lock_path, go = tmp_path / "out.lock", tmp_path / "go"
    write_lock(lock_path)
    racers = children(lock_path, go, 4)
    go.touch()  # all four are waiting on this: they try within a millisecond of each other
    try:
        lines = {p.pid: p.stdout.readline().split() for p in racers}
        winners = [pid for pid, line in lines.items() if line[0] == "won"]
        assert len(winners) == 1, lines
        assert json.loads(lock_path.read_text())["pid"] == winners[0]
        for pid, line in lines.items():
            if pid != winners[0]:
                assert line[:7] == ["lost", "out:", "another", "render", "is", "writing", "it:"], line
                assert line[7:9] == ["pid", str(winners[0])], line
    finally:
        for p in racers:
            finish(p)
    assert not lock_path.exists() and not (tmp_path / "out.lock.break").exists()
