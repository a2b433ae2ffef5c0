"""Live steering: changes to a running render from the next frame on, recorded as keyframes.

    steering = Steering(on_frame=lambda t, path: ...); api.render(..., steering=steering)
    steering.set("dream.step_size", 0.03)                       # from the next frame on
    steering.pulse("transform[0].zoom.amount", 0.05, frames=4)  # bumped for 4 frames, then back
    steering.pause(); steering.resume(); steering.stop()        # stop: render() raises Stopped

A change is checked when it is made (a PresetError, as `--set` would give) and takes effect
at the first frame not yet begun. The render stays reproducible: the changed key becomes
`step` keyframes holding the old values for the frames already made and the new ones from
the change on, so the preset recorded with the frames renders the very same frames again.
Only numbers a schedule may drive change live (`dream.*`, layer weights, transform
parameters); what shapes the whole render (size, model, frames) needs a new render.
"""
import threading
from typing import Any, Callable, Optional

from ..errors import DreamanimError, PresetError
from ..schedule.keyframes import dotted, replace_at

LIVE = "live"       # where a live change's errors say they come from
LIVE_SECTIONS = ("dream", "transform")


class Stopped(DreamanimError):
    """A render stopped by Steering.stop(): its frames so far are kept (resume continues)."""

    def __init__(self, frames_done: int):
        super().__init__("render", f"stopped after {frames_done} frame(s)", "resume it to continue")
        self.frames_done = frames_done


class Steering:
    def __init__(self, on_frame: Optional[Callable[[int, Any], None]] = None):
        """on_frame(i, path): called from the render's thread after frame i is saved at path."""
        self.on_frame = on_frame
        self._cond = threading.Condition()
        self._paused = self._stopped = False
        self._plan = None        # the plan in force (set by the render when it starts)
        self._every = 1
        self._next = 0           # the first (plan) frame not yet begun: where a change starts
        self._pending = None     # a steered plan waiting for the next frame
        self.changes: list[dict] = []  # every change made: {"t": real frame, "key", "value"}

    # -- called by the user (any thread) --
    def set(self, key: str, value: Any, *, check_only: bool = False) -> None:
        """check_only: only say (PresetError) whether the change would be taken now."""
        self._change(key, lambda old, t, start: value if t >= start else old(t), value, check_only)

    def pulse(self, key: str, amount: float, frames: int = 4, *, check_only: bool = False) -> None:
        """The value plus `amount` for `frames` frames from the next one on, then as before."""
        if not isinstance(amount, (int, float)) or isinstance(amount, bool):
            raise PresetError(f"{LIVE}: {key}", f"a pulse's amount must be a number, got {amount!r}",
                              "e.g. pulse zoom.amount 0.05")
        if not isinstance(frames, int) or frames < 1:
            raise PresetError(f"{LIVE}: {key}", f"a pulse lasts a whole number of frames >= 1, got {frames!r}",
                              "e.g. frames=4")
        span = frames * self._every
        self._change(key, lambda old, t, start: old(t) + amount if start <= t < start + span else old(t),
                     {"pulse": amount, "frames": frames}, check_only)

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def attached(self) -> bool:
        """The render has begun: a change can be checked against the plan in force (check_only)."""
        return self._plan is not None

    @property
    def preset(self) -> "dict | None":
        """The resolved preset in force, with every change made so far (None before the render starts)."""
        with self._cond:
            plan = self._pending or self._plan
            return None if plan is None else plan.resolved

    # -- called by the frame loop --
    def attach(self, plan) -> None:
        with self._cond:
            self._plan, self._every = plan, plan.every

    def before(self, i: int, done: int):
        """Before plan frame i: wait while paused; Stopped if stopped; a steered Plan or None.
        From here on frame i is under way: a change made now starts at frame i + 1."""
        with self._cond:
            self._next = i
            while self._paused and not self._stopped:
                self._cond.wait()
            if self._stopped:
                raise Stopped(done)
            steered, self._pending = self._pending, None
            if steered is not None:
                self._plan = steered
            self._next = i + 1
            return steered

    def saved(self, i: int, path) -> None:
        with self._cond:
            self._next = i + 1
        if self.on_frame:
            self.on_frame(i, path)

    # -- the change itself --
    def _change(self, key: str, values: Callable, recorded: Any, check_only: bool = False) -> None:
        from ..preset import load_preset_data
        from ..preset.overrides import parse_override
        path = tuple(parse_override(f"{key}=0")[0])
        with self._cond:
            current = self._pending or self._plan
            if current is None:
                raise PresetError(f"{LIVE}: {key}", "nothing is rendering yet", "start the render first")
            start = self._next * self._every  # the real frame the change takes effect at
            data = current.resolved  # (replace_at copies what it changes: the plan's own stays as it is)
            old = _value_at(current, data, path, key)
            frames = current.real_frames
            data = replace_at(data, path, _step_keyframes([values(old, t, start) for t in range(frames)]))
            try:
                steered = load_preset_data(data, folder=".", where=LIVE, check_model=False, plugins="needed")
            except PresetError as exc:
                raise PresetError(f"{LIVE}: {key}", exc.what.split(": ", 1)[-1] if exc.where.startswith(LIVE)
                                  else exc.what, exc.fix) from None
            if check_only:
                return
            self._pending = current.steered(steered)
            self.changes.append({"t": start, "key": dotted(path), "value": recorded})


def _value_at(plan, data: dict, path: tuple, key: str) -> Callable[[int], float]:
    """The key's value at frame t, as the plan in force gives it."""
    if not path or path[0] not in LIVE_SECTIONS:
        raise PresetError(f"{LIVE}: {key}", "only the dream's numbers and the transforms' parameters change "
                          "while a render runs", "stop it and start a new render to change this")
    node = data
    try:
        for part in path:
            node = node[part]
    except (KeyError, IndexError, TypeError):
        raise PresetError(f"{LIVE}: {key}", "no such key in the running preset",
                          "name a key as --set does, e.g. dream.step_size or transform[0].zoom.amount") from None
    if isinstance(node, bool) or not isinstance(node, (int, float, dict, str)):
        raise PresetError(f"{LIVE}: {key}", f"is {node!r}, not a number that can change while it runs",
                          "change it in the preset and start a new render")
    value = plan.value_at(path)
    if isinstance(node, (dict, str)) and not isinstance(value(0), (int, float)):  # a mapping of its own (layers)
        raise PresetError(f"{LIVE}: {key}", f"is {node!r}, not a number that can change while it runs",
                          "name one number inside it, e.g. dream.layers.block9_add")
    return value


def _step_keyframes(values: list) -> Any:
    """Per-frame values => `step` keyframes at the frames where the value changes (a constant stays one)."""
    values = [round(v, 10) if isinstance(v, float) else v for v in values]
    if all(v == values[0] for v in values):
        return values[0]
    frames = {0: values[0]}
    for t in range(1, len(values)):
        if values[t] != values[t - 1]:
            frames[t] = values[t]
    return {**frames, "interpolation": "step"}
