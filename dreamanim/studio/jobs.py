"""Previews and renders as jobs: each runs api.render in one worker thread, into its own folder, steerable live.

    jobs = Jobs(folder, plugins="never"); job = jobs.submit("preview", client, data)
    job.steer("set", "dream.step_size", 0.03); job.pause(); job.resume(); job.stop(); jobs.restart(job)
    jobs.shutdown()      # Ctrl-C: every job stopped before its next frame, frames kept for resume

One job dreams at a time (two would only halve each other's speed on a CPU); a queued preview
goes before a queued render, and a new preview stops the preview running, since the artist has
moved on. Each job writes under jobs/<id>/ only, so two jobs never share an output (the api's
output lock guards that too). What a job does is published to its EventLog (events.py).
"""
import json
import re
import secrets
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Optional

from .. import api
from ..errors import DreamanimError
from .events import EventLog
from .live import LiveSteering, check_change
from ..common.writers import write_text
from .presets import to_yaml
from .refs import RequestError

STEP_EVENTS_PER_SECOND = 20  # the step bar moves smoothly without flooding the stream
KINDS = ("preview", "render")


class Job:
    def __init__(self, kind: str, client: dict, data: dict, base: Path, every: int = 1):
        self.id = base.parent.name
        self.kind, self.client, self.data, self.base, self.every = kind, client, data, base, every
        self.log = EventLog()
        self.state = "queued"
        self.error: Optional[str] = None
        self.steering: Optional[Any] = None
        self.created = time.time()
        self.total = self.done = 0
        self.frames: dict[int, Path] = {}       # plan frame => its PNG, as the render reported it
        self.outputs: dict[str, Path] = {}
        self.frames_folder: Optional[Path] = None
        self.frame_seconds: list[float] = []
        self.objective: Optional[float] = None
        self.changes: list[dict] = []           # every live change, over all runs of this job
        self.resume_next = False
        self._lock = threading.Lock()
        self.plugins = "never"                  # what api calls get for plugins= (Jobs sets it)
        self._early: list[tuple] = []           # changes sent before the run had its steering

    # -- what the page and the API see --
    def status(self) -> dict:
        return {"id": self.id, "kind": self.kind, "state": self.state, "error": self.error,
                "frames": self.total, "done": self.done, "every": self.every, "eta": self.eta(),
                "objective": self.objective, "changes": self.changes, "created": self.created,
                "frame_urls": [self.frame_url(i) for i in sorted(self.frames)],
                "files": {kind: self.file_url(kind) for kind in self.files()}, "preset": self.client}

    def frame_url(self, i: int) -> str:
        return f"/api/jobs/{self.id}/frames/{i}"

    def file_url(self, kind: str) -> str:
        return f"/api/jobs/{self.id}/files/{kind}"

    def files(self) -> dict[str, Path]:
        """The files a client may fetch, by kind: the outputs, and the frames' manifest."""
        found = {kind: path for kind, path in self.outputs.items() if Path(path).is_file()}
        if self.frames_folder and (self.frames_folder / "manifest.json").is_file():
            found["manifest"] = self.frames_folder / "manifest.json"
        return found

    def eta(self) -> Optional[float]:
        if not self.frame_seconds or self.state not in ("running", "paused"):
            return None
        recent = self.frame_seconds[-8:]
        return round(sum(recent) / len(recent) * max(self.total - self.done, 0), 1)

    def recorded_preset(self) -> dict:
        """The job's preset with every live change as the keyframes recorded beside its frames."""
        client = json.loads(json.dumps(self.client))
        manifest = self.files().get("manifest")
        if not self.changes or manifest is None:
            return client
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("preset", {})
        for key in {change["key"] for change in self.changes}:
            path = key_path(key)
            try:
                _put(client, path, _get(recorded, path))
            except (KeyError, IndexError, TypeError):
                continue
        return client

    # -- live control --
    def steer(self, action: str, key: str, value: Any, frames: int = 4) -> dict:
        """Check a change now (a 4xx if bad); it lands before the next frame begins (a `change` event)."""
        if self.state not in ("queued", "running", "paused"):
            raise RequestError(f"live: {key}", f"job {self.id} is {self.state}, not running",
                               "start a preview, then change values while it runs", status=409)
        key = self.full_key(key)
        with self._lock:  # queued at once, so checking it costs no frame; (before the run: it waits for it)
            change = (action, key, value, frames)
            if self.steering is None:
                self._early.append(change)
            else:
                change = self.steering.request(*change)
            steering = self.steering
        try:
            check_change(self.data, action, key, value, self.plugins, frames)
            if steering is not None and steering.attached:  # a pulse's values over the frames to come, too
                steering.check(action, key, value, frames)
        except DreamanimError:
            with self._lock:
                if steering is None and change in self._early:
                    self._early.remove(change)
                elif steering is not None:
                    steering.retract(change)
            raise
        return {"key": key, "value": value if action == "set" else {"pulse": value, "frames": frames},
                "applies": "from the next frame"}

    def _changed(self, change: dict) -> None:
        self.changes.append(change)
        self.log.publish("change", change)
        self._record_preset()

    def _record_preset(self) -> None:
        """The job's preset file, now with its live changes as keyframes (what the frames so far were
        made with), so `dreamanim render jobs/<id>/<kind>.yaml --resume` continues it like *continue*."""
        recorded = self.steering.preset if self.steering is not None else None
        if recorded is not None:
            write_text(self.base.parent / f"{self.kind}.yaml", to_yaml(recorded))

    def _refused(self, key: str, exc: DreamanimError) -> None:
        self.log.publish("refused", {"key": key, "error": f"dreamanim: error: {exc.line()}"})

    def full_key(self, key: str) -> str:
        """`zoom.amount` => `transform[i].zoom.amount` for the chain's first zoom; other keys as given."""
        if not isinstance(key, str):
            raise RequestError("live", f"a key is text such as dream.step_size, got {key!r}", "e.g. dream.step_size")
        head = key.split(".")[0]
        if head in ("dream", "first_frame") or head.startswith("transform["):
            return key
        for i, step in enumerate(self.data.get("transform") or []):
            name = step if isinstance(step, str) else next(iter(step), None)
            if name == head:
                return f"transform[{i}].{key}"
        return key  # the steering's own error names what is wrong with it

    def pause(self) -> None:
        if self.steering and self.state == "running":
            self.steering.hold()  # (the frame being dreamed finishes; the next waits)
            self._state("paused")

    def resume(self) -> None:
        if self.steering and self.state == "paused":
            self.steering.release()
            self._state("running")

    def stop(self) -> None:
        if self.state == "queued":
            self._state("stopped")
        elif self.steering and self.state in ("running", "paused"):
            self.steering.stop()
            self._state("stopping")

    def _state(self, state: str, **extra) -> None:
        self.state = state
        self.log.publish("state", {"state": state, **extra, **self.status_short()})

    def status_short(self) -> dict:
        return {"done": self.done, "frames": self.total, "eta": self.eta()}

    # -- the run, in the worker thread --
    def run(self) -> None:
        resume, self.resume_next = self.resume_next, False
        data = self._resume_data() if resume else self.data
        with self._lock:
            self.steering = LiveSteering(self._on_frame, self._changed, self._refused)
            for early in self._early:
                self.steering.request(*early)
            self._early = []
        self._state("running")
        try:
            result = api.render(data, self.base, resume=resume, progress=_Progress(self),
                                preview=self.every if self.every > 1 else None, plugins=self.plugins,
                                on_note=lambda text: self.log.publish("note", {"text": text}),
                                steering=self.steering)
        except api.Stopped:
            self._state("stopped")
        except DreamanimError as exc:
            self.error = f"dreamanim: error: {exc.line()}"
            self._state("failed", error=self.error)
        except Exception as exc:  # a bug, not the user's: say so, keep serving the others
            traceback.print_exc(file=sys.stderr)
            self.error = f"dreamanim: unexpected error: {type(exc).__name__}: {exc}"
            self._state("failed", error=self.error)
        else:
            self.outputs, self.frames_folder = dict(result.outputs), result.frames_folder
            self._state("done", files={kind: self.file_url(kind) for kind in self.files()},
                        seconds=round(result.seconds, 2))

    def _resume_data(self) -> dict:
        """What a resumed run renders: the preset as given, or once steered, the one recorded with the
        frames (the live changes as keyframes: what the frames so far were made with)."""
        manifest = self._manifest_path()
        if self.changes and manifest and manifest.is_file():
            return json.loads(manifest.read_text(encoding="utf-8"))["preset"]
        return self.data

    def _manifest_path(self) -> Optional[Path]:
        if self.frames:
            return next(iter(self.frames.values())).parent / "manifest.json"
        return None

    def _on_frame(self, i: int, path) -> None:
        self.frames[i] = Path(path)
        self.frames_folder = Path(path).parent
        self.log.publish("frame", {"i": i, "t": i * self.every, "url": self.frame_url(i),
                                   "objective": self.objective})


class _Progress:
    """The render's progress protocol => the job's counters and events."""

    def __init__(self, job: Job):
        self.job = job
        self.began = self.last_step = 0.0
        self.step_no = self.steps = 0

    def frames(self, total: int, done: int) -> None:
        self.job.total, self.job.done = total, done
        self.job.log.publish("frames", {"frames": total, "done": done})

    def frame(self, t: int, steps: int) -> None:
        self.began, self.step_no, self.steps = time.perf_counter(), 0, steps
        self.job.log.publish("frame_start", {"i": t, "steps": steps})

    def step(self, objective: float) -> None:
        self.step_no += 1
        self.job.objective = float(objective) if objective is not None else None
        now = time.perf_counter()
        if now - self.last_step >= 1 / STEP_EVENTS_PER_SECOND or self.step_no == self.steps:
            self.last_step = now
            self.job.log.publish("step", {"step": self.step_no, "steps": self.steps,
                                          "objective": self.job.objective})

    def frame_done(self, t: int) -> None:
        self.job.frame_seconds.append(time.perf_counter() - self.began)
        self.job.done += 1
        self.job.log.publish("progress", {"i": t, **self.job.status_short()})

    def writing(self, name: str, total: int) -> None:
        self.job.log.publish("writing", {"name": name, "frames": total})

    def wrote_frame(self) -> None:
        pass

    def written(self) -> None:
        self.job.log.publish("written", {})


class Jobs:
    def __init__(self, folder: Path, plugins: str = "never", warm: bool = False):
        self.folder, self.plugins, self.warm = folder, plugins, warm
        self.ready = threading.Event()  # set once the model is loaded (at once without warm)
        self.all: dict[str, Job] = {}
        self._queue: list[Job] = []
        self._cond = threading.Condition()
        self._closing = False
        self._worker = threading.Thread(target=self._work, name="studio-jobs", daemon=True)
        self._worker.start()

    def submit(self, kind: str, client: dict, data: dict, every: int = 1) -> Job:
        jid = secrets.token_hex(6)
        base = self.folder / "jobs" / jid / kind  # its own folder: no other job writes here
        base.parent.mkdir(parents=True)
        job = Job(kind, client, data, base, every)
        job.plugins = self.plugins
        # the preset as rendered, absolute paths and all: after Ctrl-C, `dreamanim render` of this
        # file with --resume -o <base> continues the job's frames in a new session
        (base.parent / f"{kind}.yaml").write_text(to_yaml(data), encoding="utf-8")
        with self._cond:
            if self._closing:
                raise RequestError("studio", "is shutting down", "start it again", status=503)
            if kind == "preview":  # the artist has moved on: the older previews stop (frames kept)
                for other in list(self.all.values()):
                    if other.kind == "preview":
                        other.stop()
            self.all[jid] = job
            self._queue.append(job)
            self._cond.notify_all()
        job.log.publish("state", {"state": "queued", **job.status_short()})
        return job

    def restart(self, job: Job) -> Job:
        """Continue a stopped or failed job from its first missing frame (the CLI's --resume)."""
        with self._cond:
            if job.state not in ("stopped", "failed"):
                raise RequestError(f"job {job.id}", f"is {job.state}", "only a stopped or failed job resumes",
                                   status=409)
            job.resume_next, job.error = bool(job.frames) or job.frames_folder is not None, None
            job.steering = None  # (changes sent before it runs again wait for its new steering)
            job._state("queued")
            self._queue.append(job)
            self._cond.notify_all()
        return job

    def get(self, jid: str) -> Job:
        job = self.all.get(jid)
        if job is None:
            raise RequestError(f"job {jid}", "no such job in this studio", "list them with GET /api/jobs",
                               status=404)
        return job

    def live(self) -> Optional[Job]:
        """The job OSC steers: the running preview, else whatever runs."""
        running = [j for j in self.all.values() if j.state in ("running", "paused")]
        return next((j for j in running if j.kind == "preview"), running[0] if running else None)

    def shutdown(self, timeout: float = 60.0) -> None:
        """Stop every job before its next frame (frames kept for --resume) and wait for the worker."""
        with self._cond:
            self._closing = True
            for job in self.all.values():
                job.stop()
            self._cond.notify_all()
        self._worker.join(timeout)
        for job in self.all.values():
            job.log.close()

    def _work(self) -> None:
        if self.warm:
            _warm_up(self.folder / ".warm" / "warm")
        self.ready.set()
        while True:
            with self._cond:
                while not self._closing and not self._queue:
                    self._cond.wait()
                if self._closing:
                    return
                job = next((j for j in self._queue if j.kind == "preview"), self._queue[0])
                self._queue.remove(job)
                if job.state != "queued":  # stopped while it waited
                    continue
            job.run()


def _warm_up(base: Path) -> None:
    """Load the default model and trace its step with a one-frame render, so the first preview starts at once."""
    try:
        api.render({"input": "noise", "size": 64, "frames": 1, "dream": {"steps": 1, "octaves": 1},
                    "first_frame": {"steps": 1, "octaves": 1}, "outputs": {}}, base, force=True,
                   progress=False, plugins="never")
    except Exception as exc:  # the studio still works; the first preview loads the model instead
        print(f"dreamanim studio: could not load the model ahead: {exc}", file=sys.stderr)


def key_path(key: str) -> list:
    """`transform[0].zoom.amount` => ["transform", 0, "zoom", "amount"]."""
    parts = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", key):
        parts.append(int(index) if index else name)
    return parts


def _get(data, path: list):
    for part in path:
        data = data[part]
    return data


def _put(data, path: list, value) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {}) if isinstance(part, str) else data[part]
    data[path[-1]] = value
