"""Keyframed values: where a preset takes a number, it may take a number that changes over the frames.

    amount: {0: 0.01, 30: 0.06, 60: 0.01, interpolation: smooth}   # keyframes t => value
    step_size: "0.04 + 0.02*sin(2*pi*t/60)"                        # an expression of t and T

Schedule.value_at(t, frames) => float. Keyframes interpolate `linear` (the default),
`smooth` (ease in and out: smoothstep between each pair, so the value glides through every
keyframe without a jolt) or `step` (hold each value until the next keyframe); before the
first keyframe and after the last, the end values hold. Expressions are checked when they
are parsed (dreamanim.schedule.expression); t is the 0-based frame index and T the frame count.

find_schedules(value, annotation, path) finds the schedules in preset data by its schema:
a schedule is recognised only where the type annotation says int or float (through
Optional, Annotated, dict values, tuple items, a number-or-tuple union and nested pydantic
models; not list items),
so any numeric key added to the schema later is schedulable without a change here. An int
key's values round half away from zero (2.5 => 3, -2.5 => -3), not to even as round() does.
"""
import bisect
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from pydantic import BaseModel

from ..errors import shown, suggest
from .expression import ALLOWED, Expression, ExpressionError

INTERPOLATIONS = ("linear", "smooth", "step")
HOW = ("write keyframes like {0: 0.02, 60: 0.06, interpolation: smooth} or an expression "
       "of t and T like '0.04 + 0.02*sin(2*pi*t/60)'; see docs/schedules.md")

Path = tuple  # preset key path, e.g. ("transform", 0, "zoom", "amount")


class ScheduleError(ValueError):
    """A malformed schedule, or one without a finite value at some frame."""


@dataclass(frozen=True)
class Schedule:
    """Keyframes (t, value) sorted by t with an interpolation, or an expression of t and T."""
    keyframes: tuple[tuple[int, float], ...] = ()
    interpolation: str = "linear"
    expression: Optional[Expression] = field(default=None, compare=False)
    text: str = ""  # the expression's text (compared and hashed instead of the parsed tree)

    def value_at(self, t: int, frames: int, variables: Optional[Mapping[str, float]] = None) -> float:
        """The value at frame t of `frames`; `variables`: the audio features at frame t."""
        if self.expression is not None:
            return self.expression(t, frames, variables)
        times = [k for k, _ in self.keyframes]
        if t <= times[0]:
            return self.keyframes[0][1]
        if t >= times[-1]:
            return self.keyframes[-1][1]
        i = bisect.bisect_right(times, t) - 1
        (t0, v0), (t1, v1) = self.keyframes[i], self.keyframes[i + 1]
        if self.interpolation == "step":
            return v0
        u = (t - t0) / (t1 - t0)
        if self.interpolation == "smooth":
            u = u * u * (3 - 2 * u)  # smoothstep: zero speed at both keyframes
        return v0 + (v1 - v0) * u

    def as_data(self) -> Any:
        """The schedule as JSON data, as a preset would write it (for hashes and manifests)."""
        if self.expression is not None:
            return self.text
        data: dict[str, Any] = {str(t): v for t, v in self.keyframes}
        if self.interpolation != "linear":  # the default goes unsaid, as people write it
            data["interpolation"] = self.interpolation
        return data

    def describe(self) -> str:
        """One line for people: `0 → 0.01, 30 → 0.06 (smooth)` or `= 0.04 + 0.02*sin(t)`."""
        if self.expression is not None:
            return f"= {self.text}"
        points = ", ".join(f"{t} → {v:g}" for t, v in self.keyframes)
        return f"{points} ({self.interpolation})"


def parse_schedule(value: Any) -> Optional[Schedule]:
    """The schedule a preset value writes, or None if it is not one (a plain number, or
    something of the wrong type that the schema will report). Raises ScheduleError."""
    if isinstance(value, str):
        try:
            return Schedule(expression=Expression(value), text=value.strip())
        except ExpressionError as exc:
            raise ScheduleError(f"expression {shown(value.strip())}: {exc}") from None
    if isinstance(value, dict):
        return _keyframes(value)
    return None


def _keyframes(mapping: dict) -> Schedule:
    items = dict(mapping)
    interpolation = items.pop("interpolation", "linear")
    if interpolation not in INTERPOLATIONS:
        raise ScheduleError(f"interpolation must be {', '.join(INTERPOLATIONS)}, got {shown(interpolation)}")
    keyframes = []
    for t, value in items.items():
        if isinstance(t, str) and t.isdigit():  # JSON (a manifest, --set '{"0": 1}') has only text keys
            t = int(t)
        if isinstance(t, str):
            hint = suggest(t, ["interpolation"], listing="")
            raise ScheduleError(f"unknown key {shown(t)} in a keyframe schedule{'; ' + hint if hint else ''}")
        if isinstance(t, bool) or not isinstance(t, int) or t < 0:
            raise ScheduleError(f"keyframe {shown(t)}: keyframes are frame indices t, whole numbers >= 0")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ScheduleError(f"keyframe {t}: the value must be a finite number, got {shown(value)}")
        keyframes.append((t, value))
    if not keyframes:
        raise ScheduleError("a keyframe schedule needs at least one keyframe, like {0: 0.02}")
    return Schedule(tuple(sorted(keyframes)), interpolation)


def round_half_away(x: float) -> int:
    """2.5 => 3, -2.5 => -3: what people expect of a value gliding through the halves."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


@dataclass(frozen=True)
class Scheduled:
    """A schedule at one preset key. `integer`: the key takes whole numbers, so values round.
    `audio`: the preset's AudioFeatures, whose values at frame t an expression may use."""
    path: Path
    schedule: Schedule
    integer: bool
    audio: Any = field(default=None, compare=False)

    @property
    def features(self) -> frozenset:
        """The audio features its expression names."""
        return self.schedule.expression.features if self.schedule.expression is not None else frozenset()

    @property
    def key(self) -> str:
        """`transform[0].zoom.amount`, as errors and the plot name it."""
        return dotted(self.path)

    def at(self, t: int, frames: int) -> float | int:
        try:
            variables = self.audio.at(t) if self.audio is not None and self.features else None
            value = self.schedule.value_at(t, frames, variables)
        except ExpressionError as exc:
            raise ScheduleError(f"{self.key}: expression {self.schedule.text!r} at frame t={t} {exc}") from None
        return round_half_away(value) if self.integer else float(value)


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def find_schedules(value: Any, annotation: Any, path: Path) -> list[Scheduled]:
    """Every schedule inside `value`, where the schema `annotation` says it holds numbers.
    Raises ScheduleError(message starting with the key) for a malformed one."""
    kind = numeric_kind(annotation)
    if kind is not None:
        try:
            schedule = parse_schedule(value)
        except ScheduleError as exc:
            # Text where a number goes may be a typo for a number rather than a formula: say both.
            expected = f"must be a valid {'integer' if kind is int else 'number'} or a schedule; " \
                if isinstance(value, str) else ""
            raise ScheduleError(f"{dotted(path)}: {expected}{exc}") from None
        return [Scheduled(path, schedule, kind is int)] if schedule else []
    annotation = _unwrap(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):  # a number or a tuple of them (smooth: 1 | [0.5, 1, 2])
        numbers = [a for a in args if numeric_kind(a)]
        listed = [a for a in args if typing.get_origin(_unwrap(a)) is tuple]
        if numbers and listed and len(numbers) + len(listed) == len([a for a in args if a is not type(None)]):
            return find_schedules(value, listed[0] if isinstance(value, (list, tuple)) else numbers[0], path)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
        fields = {name: f.annotation for name, f in annotation.model_fields.items()}
        return find_in_fields(value, fields, path)
    if origin is dict and len(args) == 2 and isinstance(value, dict):
        return [s for k, v in value.items() for s in find_schedules(v, args[1], path + (k,))]
    # Tuples are points and matrices (center, octave_range), each number a quantity. A list[int]
    # is a collection of names by number (channels), where a value gliding between makes no sense.
    if origin is tuple and args and isinstance(value, (list, tuple)):
        if len(args) == 2 and args[1] is Ellipsis:
            items = [(args[0], v) for v in value]
        else:
            items = list(zip(args, value))  # tuple[float, float]: one annotation per item
        return [s for i, (a, v) in enumerate(items) for s in find_schedules(v, a, path + (i,))]
    return []


def find_in_fields(data: Any, fields: dict[str, Any], path: Path) -> list[Scheduled]:
    """Schedules in a mapping of named values (a settings section, a transform's parameters)."""
    if not isinstance(data, dict):
        return []
    return [s for name, v in data.items() if name in fields
            for s in find_schedules(v, fields[name], path + (name,))]


def numeric_kind(annotation: Any) -> Optional[type]:
    """int or float if the annotation takes a number (Optional and Annotated see through), else None."""
    annotation = _unwrap(annotation)
    if annotation is int or annotation is float:
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        kinds = {numeric_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        if kinds == {int}:
            return int
        if kinds <= {int, float} and kinds:
            return float
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and a single Optional[...] to the type inside."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            inner = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(inner) == 1:
                annotation = inner[0]
                continue
        return annotation


def with_values(data: Any, scheduled: typing.Iterable[Scheduled], t: int, frames: int,
                skip: int = 0) -> Any:
    """A copy of data with each schedule replaced by its value at frame t. `skip` drops that
    many leading parts of each path (data is the section the paths start in)."""
    for s in scheduled:
        data = replace_at(data, s.path[skip:], s.at(t, frames))
    return data


def settings_at(settings: BaseModel, scheduled: typing.Iterable[Scheduled], t: int, frames: int,
                skip: int = 1) -> BaseModel:
    """A copy of the (validated, frozen) settings with the schedules' values at frame t; path
    part `skip` names the field. Not validated again: load time checked every frame."""
    changes: dict[str, Any] = {}
    for s in scheduled:
        name = s.path[skip]
        current = changes.get(name, getattr(settings, name))
        changes[name] = replace_at(current, s.path[skip + 1:], s.at(t, frames))
    return settings.model_copy(update=changes) if changes else settings


def restore_schedules(data: Any, scheduled: typing.Iterable[Scheduled]) -> Any:
    """Preset-shaped data (`transform: [{zoom: {amount: ...}}]`) with each schedule written back
    at its key, as a preset writes it: for a resolved preset that must render the same frames."""
    for s in scheduled:
        data = replace_at(data, s.path, s.schedule.as_data())
    return data


def replace_at(obj: Any, path: Path, value: Any) -> Any:
    """obj with the item at path replaced; dicts, lists and tuples along the path are copied."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(obj, dict):
        return {**obj, head: replace_at(obj[head], rest, value) if rest else value}
    items = list(obj)
    items[head] = replace_at(items[head], rest, value)
    return tuple(items) if isinstance(obj, tuple) else items


__all__ = ["ALLOWED", "HOW", "INTERPOLATIONS", "Schedule", "ScheduleError", "Scheduled", "dotted",
           "find_in_fields", "find_schedules", "numeric_kind", "parse_schedule", "replace_at",
           "restore_schedules", "round_half_away", "settings_at", "with_values"]
