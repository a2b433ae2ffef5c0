"""Schedules in preset data: found by the schema, checked at their frame-0 values, then at every frame."""
from dataclasses import replace
from typing import Any, Callable

from pydantic import BaseModel

from ..errors import PresetError
from ..schedule.keyframes import HOW as SCHEDULE_HOW
from ..schedule.keyframes import Scheduled, ScheduleError, find_in_fields, with_values
from .describe import validate
from .schema import DreamOverrides, DreamSettings, Preset


# Schedules (dreamanim/schedule.py). Which values may be scheduled comes from the schema: any
# int or float of `dream:` / `first_frame:` (DreamSettings' annotations, layer weights included)
# and of a transform's parameters (its signature). Each schedule's frame-0 value stands in for
# it while the schema checks the rest; then every frame's value is checked like a plain number.

def take_dream_schedules(data: dict, where: str, audio=None) -> tuple[dict, list[Scheduled]]:
    frames = data.get("frames")
    if isinstance(frames, bool) or not isinstance(frames, int) or frames < 1:
        frames = Preset.model_fields["frames"].default  # the schema reports a bad one; any T will do here
    dream = schedules_in(data.get("dream"), DreamSettings, ("dream",), where, audio=audio)
    # first_frame is frame 0 only: a schedule there is its value at t=0, nothing more to keep.
    first = schedules_in(data.get("first_frame"), DreamOverrides, ("first_frame",), where, audio=audio)
    # A scheduled dream key is left to its default until check_schedules checks each frame's
    # value and can name the frame; a value inside one (a layer's weight) takes its t=0 value.
    whole = {s.path[1] for s in dream if len(s.path) == 2}
    # `whole` filters dream's own schedules only: a first_frame schedule of the same key is frame 0's.
    data = at_frame(lambda: with_values(data, [s for s in dream if s.path[1] not in whole] + first,
                                         0, frames), where)
    if whole:
        data = {**data, "dream": {k: v for k, v in data["dream"].items() if k not in whole}}
    return data, dream


def schedules_in(data: Any, fields: dict | type[BaseModel], path: tuple, where: str,
                  fix: str = SCHEDULE_HOW, *, audio=None) -> list[Scheduled]:
    """The schedules in data, bound to the preset's audio features (AudioFeatures or None)."""
    if isinstance(fields, type):
        fields = {name: f.annotation for name, f in fields.model_fields.items()}
    try:
        found = find_in_fields(data, fields, path)
    except ScheduleError as exc:
        raise PresetError(where, str(exc), fix) from None
    for s in found:
        if s.features and audio is None:
            raise PresetError(f"{where}: {s.key}", f"expression {s.schedule.text!r} uses the audio feature "
                              f"{sorted(s.features)[0]}, but the preset has no audio",
                              "give the preset `audio: song.mp3` (a sound file, relative to the preset) "
                              "or render with --audio FILE")
    return [replace(s, audio=audio) for s in found] if audio is not None else found


SCHEDULE_FIX = "keep the schedule in range at every frame; `dreamanim plot PRESET` draws it"


def check_dream_schedules(preset: Preset, where: str) -> None:
    """Every scheduled dream value at every frame passes the checks a plain number would, so a
    bad value fails now, not at frame 300. Each distinct set of values is checked once."""
    frames = preset.frames
    dream = preset._dream_schedules
    data, seen = preset.dream.model_dump(exclude_unset=True), set()
    for t in range(frames if dream else 0):
        values = at_frame(lambda: tuple(s.at(t, frames) for s in dream), where)
        if values not in seen:
            seen.add(values)
            try:
                validate(DreamSettings, with_values(data, dream, t, frames, 1), where, ("dream",))
            except PresetError as exc:
                raise PresetError(exc.where, f"{exc.what} at frame t={t}", SCHEDULE_FIX) from None


def at_frame(resolve: Callable, where: str):
    """resolve(), an expression that fails at some frame (1/(t-5)) named as a preset error."""
    try:
        return resolve()
    except ScheduleError as exc:
        raise PresetError(where, str(exc), "change it so it has a finite value at every frame") from None
