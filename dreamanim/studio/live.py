"""Live changes made on the render's own thread, between two frames, so each lands exactly where it is recorded.

    steering = LiveSteering(on_frame=..., on_change=..., on_error=...)   # an api.Steering
    steering.request("set", "dream.step_size", 0.03)    # any thread; applied before the next frame begins
    steering.hold(); steering.release(); steering.stop()

api.Steering records a change at the first frame not yet begun; made from another thread while a
frame is being dreamed, it could be recorded at that frame yet only take effect at the next one.
Here every change waits in an inbox that the frame loop empties when it asks `before` the next
frame, and a hold (pause) is a wait inside `before`, where changes keep landing on the frame that
has not begun. Each change is queued first and checked meanwhile with the CLI's `--set` rules
(check_change), so the check never makes it miss a frame, and a bad value is still a 4xx at once
(it is taken back; one the frame loop reached first is refused by the steering's own check).
"""
import json
import threading
from typing import Any, Callable

from .. import api
from ..errors import DreamanimError, PresetError

LIVE_ROOTS = ("dream.", "transform[")
NOT_LIVE = ("only the dream's numbers and the transforms' parameters change while a render runs",
            "stop it and start a new render to change this")


class LiveSteering(api.Steering):
    def __init__(self, on_frame: Callable, on_change: Callable[[dict], None],
                 on_error: Callable[[str, DreamanimError], None]):
        super().__init__(on_frame=on_frame)
        self.on_change, self.on_error = on_change, on_error
        self._inbox: list[tuple] = []
        self._wake = threading.Condition()
        self._hold = self._halt = False

    # -- any thread --
    def request(self, action: str, key: str, value: Any, frames: int = 4) -> tuple:
        """Queue a change for the next frame; returns it, for retract()."""
        change = (action, key, value, frames)
        with self._wake:
            self._inbox.append(change)
            self._wake.notify_all()
        return change

    def retract(self, change: tuple) -> None:
        """Take back a change not applied yet (found bad by check_change meanwhile)."""
        with self._wake:
            if change in self._inbox:
                self._inbox.remove(change)

    def hold(self) -> None:
        with self._wake:
            self._hold = True

    def release(self) -> None:
        with self._wake:
            self._hold = False
            self._wake.notify_all()

    def stop(self) -> None:
        with self._wake:
            self._halt = True
            self._wake.notify_all()
        super().stop()

    @property
    def held(self) -> bool:
        return self._hold

    def check(self, action: str, key: str, value: Any, frames: int = 4) -> None:
        """PresetError if the change would be refused now (a pulse out of range at a frame to come)."""
        if action == "pulse":
            super().pulse(key, value, frames=frames, check_only=True)
        else:
            super().set(key, value, check_only=True)

    # -- the frame loop's thread --
    def before(self, i: int, done: int):
        with self._wake:
            while True:
                self._apply_inbox()
                if not self._hold or self._halt:
                    break
                self._wake.wait()
        return super().before(i, done)

    def _apply_inbox(self) -> None:
        inbox, self._inbox = self._inbox, []
        for action, key, value, frames in inbox:
            try:
                if action == "pulse":
                    super().pulse(key, value, frames=frames)
                else:
                    super().set(key, value)
            except DreamanimError as exc:
                self.on_error(key, exc)
            else:
                self.on_change(dict(self.changes[-1]))


def check_change(data: dict, action: str, key: str, value: Any, plugins: str, frames: Any = 4) -> None:
    """PresetError unless `key` may change live and `value` is one the preset takes (`--set`'s checks)."""
    where = f"live: {key}"
    if not isinstance(key, str) or not key.startswith(LIVE_ROOTS):
        raise PresetError(where, *NOT_LIVE)
    if not isinstance(value, (int, float)) or isinstance(value, bool):  # (so no text, and no path, is ever read)
        raise PresetError(where, f"a live change is a number, got {value!r}" if action == "set" else
                          f"a pulse's amount must be a number, got {value!r}",
                          "e.g. set dream.step_size 0.03 or pulse zoom.amount 0.05; change text in the preset")
    if action == "pulse":
        if not isinstance(frames, int) or isinstance(frames, bool) or not 1 <= frames <= 10_000:
            raise PresetError(where, f"a pulse lasts a whole number of frames >= 1, got {frames!r}", "e.g. frames=4")
        return
    try:
        api.read_preset(data, [f"{key}={json.dumps(value)}"], plugins=plugins, check_model=False)
    except DreamanimError as exc:
        raise PresetError(where, exc.what.split(": ", 1)[-1] if exc.where == "preset" else exc.what, exc.fix) from None
