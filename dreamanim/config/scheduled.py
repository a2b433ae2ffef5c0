"""Schedules in preset data: found by the schema, checked at their frame-0 values, then at every frame."""
from typing import Any, Callable

from pydantic import BaseModel

from .. import registry
from ..errors import DreamanimError, PresetError
from ..schedule import HOW as SCHEDULE_HOW
from ..schedule import Scheduled, ScheduleError, find_in_fields, settings_at, with_values
from .checks import dry_run, params_model
from .describe import validate
from .schema import DreamOverrides, DreamSettings, Preset


# Schedules (dreamanim/schedule.py). Which values may be scheduled comes from the schema: any
# int or float of `dream:` / `first_frame:` (DreamSettings' annotations, layer weights included)
# and of a transform's parameters (its signature). Each schedule's frame-0 value stands in for
# it while the schema checks the rest; then every frame's value is checked like a plain number.

def take_dream_schedules(data: dict, where: str) -> tuple[dict, list[Scheduled]]:
    frames = data.get("frames")
    if isinstance(frames, bool) or not isinstance(frames, int) or frames < 1:
        frames = Preset.model_fields["frames"].default  # the schema reports a bad one; any T will do here
    dream = _schedules_in(data.get("dream"), DreamSettings, ("dream",), where)
    # first_frame is frame 0 only: a schedule there is its value at t=0, nothing more to keep.
    first = _schedules_in(data.get("first_frame"), DreamOverrides, ("first_frame",), where)
    # A scheduled dream key is left to its default until check_schedules checks each frame's
    # value and can name the frame; a value inside one (a layer's weight) takes its t=0 value.
    whole = {s.path[1] for s in dream if len(s.path) == 2}
    # `whole` filters dream's own schedules only: a first_frame schedule of the same key is frame 0's.
    data = _at_frame(lambda: with_values(data, [s for s in dream if s.path[1] not in whole] + first,
                                         0, frames), where)
    if whole:
        data = {**data, "dream": {k: v for k, v in data["dream"].items() if k not in whole}}
    return data, dream


def _schedules_in(data: Any, fields: dict | type[BaseModel], path: tuple, where: str,
                  fix: str = SCHEDULE_HOW) -> list[Scheduled]:
    if isinstance(fields, type):
        fields = {name: f.annotation for name, f in fields.model_fields.items()}
    try:
        return find_in_fields(data, fields, path)
    except ScheduleError as exc:
        raise PresetError(where, str(exc), fix) from None


def take_transform_schedules(preset: Preset, dream_schedules: list[Scheduled], where: str) -> Preset:
    """The preset with its transforms' schedules found (their schema is known once the plugins
    are loaded) and at their frame-0 values, and every schedule kept on it."""
    found, steps = [], []
    for i, step in enumerate(preset.transform):
        try:
            info = registry.get(step.name)
        except PresetError:  # check_transforms names it with its key
            steps.append(step)
            continue
        here = _schedules_in(step.params, {p.name: p.annotation for p in info.params},
                             ("transform", i, step.name), where,
                             f"the {info.origin} {info.source} defines {info.usage}; schedules: docs/schedules.md")
        params = _at_frame(lambda: with_values(step.params, here, 0, preset.frames, 3), where)
        steps.append(step.model_copy(update={"params": params}))
        found += here
    schedules = tuple(dream_schedules) + tuple(found)
    if not schedules:
        return preset
    dream = _at_frame(lambda: settings_at(preset.dream, dream_schedules, 0, preset.frames), where)
    preset = preset.model_copy(update={"transform": steps, "dream": dream})
    preset._schedules = schedules
    return preset


def check_schedules(preset: Preset, where: str) -> None:
    """Every scheduled value at every frame passes the checks a plain number would, so a bad
    value fails now, not at frame 300. Each distinct set of values is checked once."""
    frames = preset.frames
    fix = "keep the schedule in range at every frame; `dreamanim plot PRESET` draws it"
    dream = [s for s in preset.schedules if s.path[0] == "dream"]
    data, seen = preset.dream.model_dump(exclude_unset=True), set()
    for t in range(frames if dream else 0):
        values = _at_frame(lambda: tuple(s.at(t, frames) for s in dream), where)
        if values not in seen:
            seen.add(values)
            try:
                validate(DreamSettings, with_values(data, dream, t, frames, 1), where, ("dream",))
            except PresetError as exc:
                raise PresetError(exc.where, f"{exc.what} at frame t={t}", fix) from None
    for i, step in enumerate(preset.transform):
        scheduled = [s for s in preset.schedules if s.path[:2] == ("transform", i)]
        if not scheduled:
            continue
        info, seen = registry.get(step.name), set()
        for t in range(1, frames):  # frame 0's values passed check_transforms
            values = _at_frame(lambda: tuple(s.at(t, frames) for s in scheduled), where)
            if values in seen:
                continue
            seen.add(values)
            try:
                params = validate(params_model(info), with_values(step.params, scheduled, t, frames, 3),
                                   where, ("transform", i, step.name))
                dry_run(info, params.model_dump(), f"{where}: transform[{i}].{step.name}")
            except DreamanimError as exc:
                raise type(exc)(exc.where, f"{exc.what} at frame t={t}", fix) from None


def _at_frame(resolve: Callable, where: str):
    """resolve(), an expression that fails at some frame (1/(t-5)) named as a preset error."""
    try:
        return resolve()
    except ScheduleError as exc:
        raise PresetError(where, str(exc), "change it so it has a finite value at every frame") from None
