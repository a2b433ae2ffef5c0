"""One render per output at a time: OutputLock(lock_file, where=output) => held, or InputError(who holds it).

    with OutputLock(base.with_name(base.name + ".lock"), where=str(base), on_takeover=note):
        ...render...

The lock file is created with O_CREAT|O_EXCL, so of two renders starting together exactly one
gets it, and holds JSON: pid, host, start time, command line, plus what tells a reused pid apart
(the process's start time from /proc, the boot id) and a random token. It is removed on every
way out of the `with` (exceptions and Ctrl-C included). A lock whose owner has died on this host
(SIGKILL, power loss) is taken over, and the caller told; a lock from another host never is.
"""
import json
import os
import shlex
import socket
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

from ..errors import InputError
from ..common.writers import os_fix

_PATIENCE = 2.0  # seconds to wait out a lock file being written or taken over by someone else


class OutputLock:
    def __init__(self, path: Path, where: Optional[str] = None,
                 on_takeover: Optional[Callable[[dict], None]] = None):
        """path: the lock file; where: the output it guards (errors name it);
        on_takeover(record): called with the dead owner's record when its lock is taken over."""
        self.path, self.where, self.on_takeover = Path(path), where or str(path), on_takeover
        self.record: Optional[dict] = None      # ours, while held
        self.taken_over: Optional[dict] = None  # the dead owner's record, if acquire() took its lock

    def __enter__(self) -> "OutputLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> Optional[dict]:
        """Hold the lock; return the dead owner's record if a stale lock was taken over, else None.
        Raises InputError if a live render holds it, or if it cannot be told whether one does."""
        if self.record is not None:
            raise RuntimeError(f"{self.path} is already held by this OutputLock")
        mine = _my_record()
        deadline = time.monotonic() + _PATIENCE
        while True:
            if self._create(mine):
                self.record = mine
                return None
            owner = _read(self.path)
            if owner is not None and owner.get("pid") is not None:
                if owner.get("host") != mine["host"]:
                    raise InputError(self.where, f"another render is writing it: {owner_text(owner)}",
                                     f"if that render has stopped, delete {self.path} (a lock from "
                                     "another machine is never taken over)")
                if _alive(owner, mine):
                    raise InputError(self.where, f"another render is writing it: {owner_text(owner)}",
                                     "wait for it to finish or stop it (its frames are kept; --resume "
                                     "continues them), or choose another output with -o")
                if self._take_over(owner, mine):
                    self.record, self.taken_over = mine, owner
                    if self.on_takeover:
                        self.on_takeover(owner)
                    return owner
            if time.monotonic() > deadline:  # (None: gone meanwhile; {}: being written, or garbage)
                raise InputError(self.where, f"its lock file {self.path} is unreadable or in use",
                                 f"if no render is writing it, delete {self.path} and "
                                 f"{_breaker(self.path)} if it exists")
            time.sleep(0.01)

    def release(self) -> None:
        """Remove the lock file if it is still ours (not if someone deleted it and took it since)."""
        if self.record is None:
            return
        try:
            if _read(self.path) == self.record:
                self.path.unlink()
        except FileNotFoundError:
            pass
        finally:
            self.record = None

    def _create(self, record: dict) -> bool:
        """Write the lock file if none exists; False if one does."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if self.path.parent.is_dir():
                return False
            raise InputError(self.where, f"cannot create the lock file {self.path}: {self.path.parent} "
                             "is not a folder", "choose another output with -o") from None
        except OSError as exc:
            raise InputError(self.where, f"cannot create the lock file {self.path}: {exc.strerror}",
                             os_fix(exc, "choose another output with -o")) from None
        try:
            data = json.dumps(record, indent=2).encode()
            while data:
                data = data[os.write(fd, data):]
        except BaseException as exc:
            os.close(fd)
            self.path.unlink(missing_ok=True)  # never leave a half-written lock behind
            if isinstance(exc, OSError):  # (a full disk)
                raise InputError(self.where, f"cannot write the lock file {self.path}: {exc.strerror}",
                                 os_fix(exc)) from None
            raise
        os.close(fd)
        return True

    def _take_over(self, stale: dict, mine: dict) -> bool:
        """Replace the dead owner's lock with ours; False if another render got there first.

        Two renders may both find the same stale lock. Renaming it away would not do: the slower
        one would move the faster one's fresh lock. So a takeover holds `<lock>.break` (O_EXCL,
        held for microseconds), checks the lock is still the very one judged stale (token), and
        only then deletes it and creates its own; O_EXCL still settles a race with a fresh start."""
        breaker = _breaker(self.path)
        try:
            fd = os.open(breaker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        try:
            if _read(self.path) != stale:
                return False
            self.path.unlink()
            return self._create(mine)
        finally:
            os.close(fd)
            breaker.unlink(missing_ok=True)


def owner_text(record: dict) -> str:
    """`pid N on HOST since TIME`: who holds (or held) a lock, for messages and notes."""
    return f"pid {record.get('pid')} on {record.get('host')} since {record.get('started')}"


def _my_record() -> dict:
    pid = os.getpid()
    proc = _proc_stat(pid)
    return {"pid": pid, "host": socket.gethostname(),
            "started": datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": shlex.join(sys.argv), "proc_start": proc[1] if proc else None,
            "boot": _boot_id(), "token": uuid.uuid4().hex}


def _alive(owner: dict, mine: dict) -> bool:
    """Is the process that wrote this same-host lock still running?"""
    if owner.get("boot") and mine["boot"] and owner["boot"] != mine["boot"]:
        return False  # the machine has restarted since: every process of then is gone
    pid = owner["pid"]
    if not isinstance(pid, int) or pid <= 0:
        return True  # not a pid we could test: do not guess it dead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    proc = _proc_stat(pid)
    if proc is None:
        return True  # no /proc (macOS): the pid is all there is to go by
    state, start = proc
    if state in ("Z", "X"):
        return False  # a zombie: dead, waiting for its parent
    return owner.get("proc_start") in (None, start)  # another start time: the pid was reused


def _proc_stat(pid: int) -> Optional[tuple[str, int]]:
    """(state, start time in clock ticks after boot) from /proc/PID/stat, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the name before ")" may hold spaces and parentheses
    return fields[0], int(fields[19])


def _boot_id() -> Optional[str]:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _breaker(path: Path) -> Path:
    return path.with_name(path.name + ".break")


def _read(path: Path) -> Optional[dict]:
    """The lock's record; None if there is no lock file; {} if it is not (yet) a JSON object."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
