"""Preset YAML (+ --set overrides) => a frozen, fully validated Preset. The only module that reads YAML.

Every error names the file and key path (`transform[0].stretch.amount`), says what is wrong
and how to fix it, and all of a file's schema errors are reported together, once.
"""
import difflib
import hashlib
import json
import re
import typing
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Optional

import numpy as np
import yaml
from pydantic import Strict as StrictType
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, create_model,
                      field_validator, model_validator)

from . import registry
from .context import FrameContext
from .errors import DreamanimError, PluginError, PresetError
from pydantic import PrivateAttr
from .schedule import HOW as SCHEDULE_HOW
from .schedule import Scheduled, ScheduleError, find_in_fields, settings_at, with_values

OUTPUT_FORMATS = ("gif", "mp4")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Reduce = Literal["meansq", "mean", "l2"]
Channels = dict[str, Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)]]
MAX_OCTAVE_UP = 4  # each octave above the frame multiplies the pixels to dream by octave_scale**2


def _check_octave_range(v):
    if v is not None and not (v[0] <= v[1] <= MAX_OCTAVE_UP):
        raise ValueError(f"must be [lo, hi] with lo <= hi <= {MAX_OCTAVE_UP}, e.g. [-3, 1]")
    return v


def _one_octave_plan(octaves_given: bool, octave_range) -> None:
    if octaves_given and octave_range is not None:
        raise ValueError("give `octaves` or `octave_range`, not both")


class DreamSettings(Strict):
    """How one frame is dreamed."""
    layers: Optional[dict[str, float]] = None   # layer => weight (< 0 suppresses); None: the model's default
    reduce: Reduce = "meansq"
    border: int = Field(0, ge=0)                 # activation pixels left out on each side
    channels: Optional[Channels] = None          # layer => the feature maps dreamed (others ignored)
    guide: Optional[str] = None                  # image (relative to the preset) whose features are grown
    steps: int = Field(6, ge=1)
    max_loss: Optional[float] = None             # an octave stops stepping once its objective passes this
    step_size: Optional[float] = Field(None, gt=0)  # in units of the [-1, 1] pixel range; None: model's
    octaves: int = Field(3, ge=1)
    octave_range: Optional[tuple[int, int]] = None  # octaves lo..hi (0 = frame size), instead of `octaves`
    octave_scale: float = Field(1.4, gt=1)
    tile_size: int = Field(512, ge=32)
    normalize: Literal["std", "meanabs"] = "std"

    @field_validator("layers")
    @classmethod
    def _some_layers(cls, v):
        if v is not None and not v:
            raise ValueError("needs at least one layer")
        return v

    _octave_range = field_validator("octave_range")(_check_octave_range)

    @model_validator(mode="after")
    def _one_plan(self):
        _one_octave_plan("octaves" in self.model_fields_set, self.octave_range)
        return self


class DreamOverrides(Strict):
    """`first_frame:` keys replace `dream:` keys for frame 0 only."""
    layers: Optional[dict[str, float]] = None
    reduce: Optional[Reduce] = None
    border: Optional[int] = Field(None, ge=0)
    channels: Optional[Channels] = None
    guide: Optional[str] = None
    steps: Optional[int] = Field(None, ge=1)
    max_loss: Optional[float] = None
    step_size: Optional[float] = Field(None, gt=0)
    octaves: Optional[int] = Field(None, ge=1)
    octave_range: Optional[tuple[int, int]] = None
    octave_scale: Optional[float] = Field(None, gt=1)
    tile_size: Optional[int] = Field(None, ge=32)
    normalize: Optional[Literal["std", "meanabs"]] = None

    _octave_range = field_validator("octave_range")(_check_octave_range)

    @model_validator(mode="after")
    def _one_plan(self):
        _one_octave_plan(self.octaves is not None, self.octave_range)
        return self


class GifOutput(Strict):
    fps: float = Field(12, gt=0, le=100)
    loops: int = Field(0, ge=0)        # times the GIF plays; 0 = forever


class Mp4Output(Strict):
    fps: float = Field(24, gt=0, le=240)
    crf: int = Field(18, ge=0, le=51)  # H.264 quality: lower is better and bigger


class Outputs(Strict):
    gif: Optional[GifOutput] = None
    mp4: Optional[Mp4Output] = None

    @model_validator(mode="before")
    @classmethod
    def _bare_names(cls, data):
        # `outputs: [gif, mp4]` and `gif:` / `gif: true` mean "with default settings".
        if isinstance(data, list):
            data = {name: {} for name in data}
        if isinstance(data, dict):
            data = {k: ({} if v is None or v is True else v) for k, v in data.items() if v is not False}
        return data


    def only(self, fmt: str) -> "Outputs":
        settings = getattr(self, fmt) or {"gif": GifOutput, "mp4": Mp4Output}[fmt]()
        return Outputs(**{fmt: settings})


class ColorLock(Strict):
    """`color_lock:` match each dreamed frame's colours to frame 0's (dreamanim/color_lock.py).
    Off unless the preset has it; once given (`color_lock: {strength: 0.5}`), mode is lab."""
    mode: Literal["lab", "histogram", "off"] = "lab"
    strength: float = Field(1.0, ge=0, le=1)  # 0: no change, 1: fully matched

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data):
        # `color_lock: lab` is `color_lock: {mode: lab}`. YAML reads a bare `off` as false and
        # `on` as true: `color_lock: off` / `mode: off` is off, `color_lock: on` is lab.
        if not isinstance(data, dict):
            data = {"mode": data}
        mode = data.get("mode", "lab")
        if isinstance(mode, bool) or mode is None:
            data = {**data, "mode": "lab" if mode is True else "off"}
        return data


class Seamless(Strict):
    """`seamless:` how `loop: seamless` joins the last frame to the first (dreamanim/seamless.py)."""
    blend_frames: int = Field(16, ge=1)  # frames crossfaded from the end into the start


class NoiseSettings(Strict):
    """`noise:` the image `input: noise` starts from (dreamanim/sources.py noise())."""
    kind: Literal["uniform", "gaussian", "plasma"] = "uniform"
    level: float = Field(116, ge=0, le=255)    # mean grey
    amount: float = Field(16, ge=0, le=255)    # uniform: level ± amount; gaussian, plasma: std
    color: bool = True                         # False: one noise for all channels (grey)
    scale: Optional[float] = Field(None, ge=1)  # px per random value; plasma: biggest blobs


class TransformStep(Strict):
    name: str
    params: dict[str, Any]


class Preset(Strict):
    """A whole animation. Paths are resolved; transforms are validated against their signatures."""
    input: str = "noise"                 # image path (relative to the preset) or "noise"
    noise: NoiseSettings = NoiseSettings()  # what `input: noise` looks like (unused with an image)
    size: int = Field(384, ge=16, le=8192)  # longer side of the frames, pixels
    frames: int = Field(60, ge=1)
    seed: int = 0
    model: str = "efficientnet_lite0"
    precision: Literal["auto", "float32", "bfloat16"] = "auto"  # auto: bfloat16 where it is faster
    weights: Optional[str] = None        # a local weights file for the model (relative to the preset)
    device: Literal["auto", "cpu", "gpu"] = "auto"  # auto: TensorFlow's choice, a GPU if it sees one
    dream: DreamSettings = DreamSettings()
    first_frame: DreamOverrides = DreamOverrides()
    transform: list[TransformStep] = []
    plugins: list[str] = []
    loop: Literal["forward", "reverse", "pingpong", "seamless"] = "forward"
    seamless: Seamless = Seamless()
    color_lock: ColorLock = ColorLock(mode="off")
    outputs: Outputs = Outputs(gif=GifOutput(), mp4=Mp4Output())
    output: Optional[str] = None         # base path of the outputs; default: the preset's name
    # Keyframed values (dreamanim/schedule.py), set by load_preset; the fields above hold their
    # frame-0 values. Private: not a preset key, and dream_for/the loop resolve them per frame.
    _schedules: tuple[Scheduled, ...] = PrivateAttr(default=())

    @property
    def schedules(self) -> tuple[Scheduled, ...]:
        return self._schedules

    def schedules_data(self) -> dict:
        """{key path: schedule as the preset writes it}, for the frames hash and the manifest."""
        return {s.key: s.schedule.as_data() for s in self._schedules}

    @field_validator("transform", mode="before")
    @classmethod
    def _steps(cls, items):
        if not isinstance(items, list):
            raise ValueError("must be a list like [{zoom: {amount: 0.05}}]")
        steps = []
        for item in items:
            if isinstance(item, str):
                item = {item: {}}
            if isinstance(item, TransformStep):
                steps.append(item)
                continue
            if not isinstance(item, dict) or len(item) != 1:
                raise ValueError("each item must be one `name: {param: value}` mapping")
            (name, params), = item.items()
            steps.append({"name": name, "params": params or {}})
        return steps

    def dream_for(self, t: int) -> DreamSettings:
        """Dream settings for frame t: schedules at their frame-t values; frame 0 takes the
        first_frame overrides."""
        dream = settings_at(self.dream, [s for s in self._schedules if s.path[0] == "dream"], t, self.frames)
        if t > 0:
            return dream
        changes = {k: v for k, v in self.first_frame.model_dump().items() if v is not None}
        if "octaves" in changes:  # frame 0's own octave count replaces the dream's octave_range
            changes.setdefault("octave_range", None)
        return dream.model_copy(update=changes)

    def frames_hash(self) -> str:
        """Hash of everything that decides the frames (not how the videos are encoded)."""
        keys = self.model_dump(exclude={"outputs", "loop", "seamless", "output", "device"})
        if self._schedules:  # only then: a preset without schedules keeps its hash (and --resume)
            keys["schedules"] = self.schedules_data()
        return hashlib.sha256(json.dumps(keys, sort_keys=True).encode()).hexdigest()[:16]


def load_preset(path: str | Path, overrides: typing.Sequence[str] = (), *,
                check_model: bool = True) -> tuple[Preset, Path]:
    """Read, override and validate a preset. Returns it with its folder (for relative paths).
    check_model=False skips the check of layer names, which imports the model (and TensorFlow)."""
    path = Path(path)
    data = _read_yaml(path)
    for text in overrides:
        key, value = _parse_override(text)
        _set_dotted(data, key, value, text)
    data, dream_schedules = _take_dream_schedules(data, str(path))
    preset = _validate(Preset, data, str(path))
    folder = path.parent
    if check_model:
        _check_model(preset, str(path))
    preset = _take_transform_schedules(preset, dream_schedules, folder, str(path))
    _check_transforms(preset, folder, str(path))
    _check_schedules(preset, str(path))
    _check_input(preset, folder, str(path))
    _check_guides(preset, folder, str(path))
    _check_weights(preset, folder, str(path))
    return preset, folder


def resolve_input(preset: Preset, folder: Path) -> Optional[Path]:
    return None if preset.input == "noise" else (folder / preset.input)


def resolve_weights(preset: Preset, folder: Path) -> Optional[Path]:
    return None if preset.weights is None else (folder / preset.weights)


def _check_weights(preset: Preset, folder: Path, where: str) -> None:
    """A missing weights file fails now; one that does not fit the model fails when it loads."""
    path = resolve_weights(preset, folder)
    if path is not None and not path.is_file():
        raise PresetError(f"{where}: weights", f"weights file not found: {path}",
                          "give a path relative to the preset; docs/models.md says which file each model takes")


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise PresetError(str(path), "preset file not found",
                          "check the path; shipped presets are in presets/")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise PresetError(where, f"YAML syntax error: {exc.problem}",
                          "fix the indentation or quoting there") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PresetError(str(path), f"not readable as YAML: {exc}", "save it as UTF-8 YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PresetError(str(path), "a preset must be a mapping of keys like `frames: 60`",
                          "see docs/presets.md")
    return data


_OVERRIDE = re.compile(r"^\s*([A-Za-z_][\w.\[\]]*)\s*=(.*)$", re.S)


def _parse_override(text: str) -> tuple[list, Any]:
    m = _OVERRIDE.match(text)
    if not m:
        raise PresetError(f"--set {text}", "expected KEY=VALUE", "e.g. --set dream.steps=5")
    try:
        value = yaml.safe_load(m.group(2)) if m.group(2).strip() else None
    except yaml.YAMLError:
        value = m.group(2)
    key = [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", m.group(1)) if p]
    return key, value


def _set_dotted(data: dict, key: list, value: Any, text: str) -> None:
    node = data
    for i, part in enumerate(key[:-1]):
        nxt = key[i + 1]
        if isinstance(node, list):
            if not isinstance(part, int) or part >= len(node):
                raise PresetError(f"--set {text}", f"no item [{part}] in {_dotted(key[:i])}",
                                  f"it has {len(node)} item(s), counted from 0")
            node = node[part]
            continue
        if part not in node or node[part] is None:
            node[part] = [] if isinstance(nxt, int) else {}
        node = node[part]
    last = key[-1]
    if isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise PresetError(f"--set {text}", f"cannot set {_dotted(key)}", "check the key path")


def _validate(model: type[BaseModel], data: Any, where: str, prefix: tuple = ()) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(model, prefix, tuple(e["loc"]), e) for e in exc.errors()]
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        raise PresetError(where, "; ".join(problems[:3]) + more,
                          "fix the preset or --set; keys are documented in docs/presets.md") from None


def _describe(model: type[BaseModel], prefix: tuple, loc: tuple, err: dict) -> str:
    full = prefix + loc
    key = _dotted([p for p in full if p not in ("name", "params") or not _in_transform(full)])
    if err["type"] == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else (f"; known: {', '.join(known)}" if known else "")
        return f"{key}: unknown key{hint}"
    msg = err["msg"].replace("Input should be", "must be").replace("Value error, ", "")
    got = err.get("input")
    got_text = f", got {got!r}" if got is not None and not isinstance(got, (dict, list)) else ""
    return f"{key}: {msg}{got_text}"


def _in_transform(loc: tuple) -> bool:
    return bool(loc) and loc[0] == "transform"


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the sub-model at loc (for did-you-mean on unknown keys)."""
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field else None
    return list(model.model_fields) if model else []


def _model_in(annotation) -> Optional[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found:
            return found
    return None


def _dotted(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _check_model(preset: Preset, where: str) -> None:
    from .models import model_layers, model_precision
    from .models.device import check_device
    try:
        names = [layer.name for layer in model_layers(preset.model)]
        model_precision(preset.model, preset.precision)  # bfloat16 for a float32-only model
        check_device(preset.device)                      # gpu where TensorFlow sees none
    except DreamanimError as exc:  # exc.where: model, precision or device
        raise type(exc)(f"{where}: {exc.where}", exc.what, exc.fix) from None
    for section, settings in (("dream", preset.dream), ("first_frame", preset.first_frame)):
        for layer in settings.layers or {}:
            if layer not in names:
                close = difflib.get_close_matches(layer, names, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise PresetError(f"{where}: {section}.layers.{layer}",
                                  f"{preset.model} has no layer {layer!r}",
                                  f"{hint}valid layers: {', '.join(names)}")
    _check_channels(preset, where)


def _check_channels(preset: Preset, where: str) -> None:
    """`channels:` names a layer the frame dreams (it picks among that layer's feature maps;
    it does not add a layer) and channel numbers that layer has."""
    from .models import default_layers, model_layers
    counts = {layer.name: layer.channels for layer in model_layers(preset.model)}
    for t in (1, 0):  # the dream's settings first: a frame-0-only problem then says so
        settings = preset.dream_for(t)
        section = "first_frame" if t == 0 and preset.first_frame.channels is not None else "dream"
        dreamed = settings.layers or default_layers(preset.model)
        for layer, picked in (settings.channels or {}).items():
            key = f"{where}: {section}.channels.{layer}"
            if layer not in counts:
                close = difflib.get_close_matches(layer, list(counts), n=1)
                raise PresetError(key, f"{preset.model} has no layer {layer!r}",
                                  f"did you mean {close[0]!r}?" if close else "`dreamanim layers` lists them")
            if layer not in dreamed:
                frame = " on frame 0" if t == 0 else ""
                owner = "first_frame" if t == 0 and preset.first_frame.layers is not None else "dream"
                raise PresetError(key, f"{layer} is not among the layers dreamed{frame} ({', '.join(dreamed)})",
                                  f"add it to {owner}.layers, or pick channels of a dreamed layer")
            count = counts[layer]
            bad = [i for i in picked if i >= count]
            if bad:
                raise PresetError(key, f"{layer} has {count} channels (0..{count - 1}), got {bad[0]}",
                                  f"pick channel numbers below {count}")


def plugin_files(path: str | Path) -> list[Path]:
    """The plugin files a preset names, without validating the rest (for `dreamanim transforms`)."""
    path = Path(path)
    plugins = _read_yaml(path).get("plugins") or []
    if not isinstance(plugins, list) or not all(isinstance(p, str) for p in plugins):
        raise PresetError(f"{path}: plugins", "must be a list of file names",
                          "e.g. plugins: [swirl.py], relative to the preset")
    return [path.parent / p for p in plugins]


def load_plugins(files: typing.Sequence[Path], where: str) -> None:
    """Import plugin files in order; a missing one is named by its preset key."""
    for i, path in enumerate(files):
        if not path.is_file():
            raise PluginError(f"{where}: plugins[{i}]", f"plugin file not found: {path.resolve()}",
                              "plugin paths are relative to the preset's folder")
        registry.load_plugin_file(path)


def _check_transforms(preset: Preset, folder: Path, where: str) -> None:
    load_plugins([folder / p for p in preset.plugins], where)
    for i, step in enumerate(preset.transform):
        key = f"transform[{i}].{step.name}"
        try:
            info = registry.get(step.name)
        except PresetError as exc:
            raise PresetError(f"{where}: {key}", exc.what, exc.fix) from None
        try:
            values = _validate(_params_model(info), step.params, where, ("transform", i, step.name))
            _dry_run(info, values.model_dump(), f"{where}: {key}")
        except PresetError as exc:  # say which file the transform is in and all it takes
            raise PresetError(exc.where, exc.what, f"fix the preset or --set; the {info.origin} "
                              f"{info.source} defines {info.usage}") from None


_param_models: dict[Callable, type[BaseModel]] = {}


def _params_model(info: registry.TransformInfo) -> type[BaseModel]:
    """The transform's keyword parameters as a pydantic model (cached per function)."""
    if info.fn not in _param_models:
        fields = {p.name: (_strict_scalar(p.annotation), p.default) for p in info.params}
        try:
            _param_models[info.fn] = create_model(
                f"{info.name}_params", __config__=ConfigDict(extra="forbid", strict=False), **fields)
        except Exception as exc:  # an annotation pydantic cannot check (a class of the plugin's own)
            raise PluginError(info.label, f"a parameter's type cannot be checked: {str(exc).splitlines()[0]}",
                              "annotate parameters with int, float, bool, str, Literal[...], "
                              "tuple[...] or Optional[...]") from None
    return _param_models[info.fn]


def _strict_scalar(annotation: Any) -> Any:
    # Lax pydantic would read `amount: true` as 1.0 and `count: "3"` as 3; a wrong type is an
    # error instead (an int is still a fine float). Lists keep becoming tuples.
    return Annotated[annotation, StrictType()] if annotation in (int, float, bool) else annotation


def _test_frame() -> np.ndarray:
    # Not flat grey: a transform that divides by the frame's spread must not fail the dry run.
    y, x = np.mgrid[0:24, 0:32].astype(np.float32)
    return np.stack([y * 10, x * 7, (x + y) * 4.5], axis=-1)


def _dry_run(info: registry.TransformInfo, values: dict, where: str) -> None:
    """Call the transform once on a small frame, so a bad value fails now, not at frame 300."""
    frame = _test_frame()
    ctx = FrameContext(t=0, frames=2, rng=np.random.default_rng(0))
    try:
        out = info.fn(frame.copy(), ctx, **values)
    except ValueError as exc:  # the transform's own parameter checks
        raise PresetError(where, registry.value_error_text(info, exc), "fix that parameter") from None
    except DreamanimError:
        raise
    except Exception as exc:
        raise PluginError(registry.failure_where(info, exc),
                          f"failed on a 24x32 test frame: {registry.exception_text(exc)}",
                          "fix the plugin") from None
    problem = registry.output_problem(frame, out)
    if problem:
        raise PluginError(info.label, f"on a 24x32 test frame it {problem[0]}", problem[1])


def transform_values(step: TransformStep) -> dict:
    """The step's parameters with defaults filled in and types coerced."""
    return _params_model(registry.get(step.name)).model_validate(step.params).model_dump()


# Schedules (dreamanim/schedule.py). Which values may be scheduled comes from the schema: any
# int or float of `dream:` / `first_frame:` (DreamSettings' annotations, layer weights included)
# and of a transform's parameters (its signature). Each schedule's frame-0 value stands in for
# it while the schema checks the rest; then every frame's value is checked like a plain number.

def _take_dream_schedules(data: dict, where: str) -> tuple[dict, list[Scheduled]]:
    frames = data.get("frames")
    if isinstance(frames, bool) or not isinstance(frames, int) or frames < 1:
        frames = Preset.model_fields["frames"].default  # the schema reports a bad one; any T will do here
    dream = _schedules_in(data.get("dream"), DreamSettings, ("dream",), where)
    # first_frame is frame 0 only: a schedule there is its value at t=0, nothing more to keep.
    first = _schedules_in(data.get("first_frame"), DreamOverrides, ("first_frame",), where)
    # A scheduled dream key is left to its default until _check_schedules checks each frame's
    # value and can name the frame; a value inside one (a layer's weight) takes its t=0 value.
    whole = {s.path[1] for s in dream if len(s.path) == 2}
    data = _at_frame(lambda: with_values(data, [s for s in dream + first if s.path[1] not in whole],
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


def _take_transform_schedules(preset: Preset, dream_schedules: list[Scheduled], folder: Path,
                              where: str) -> Preset:
    """The preset with its transforms' schedules found (their schema is known once the plugins
    are loaded) and at their frame-0 values, and every schedule kept on it."""
    load_plugins([folder / p for p in preset.plugins], where)
    found, steps = [], []
    for i, step in enumerate(preset.transform):
        try:
            info = registry.get(step.name)
        except PresetError:  # _check_transforms names it with its key
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


def _check_schedules(preset: Preset, where: str) -> None:
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
                _validate(DreamSettings, with_values(data, dream, t, frames, 1), where, ("dream",))
            except PresetError as exc:
                raise PresetError(exc.where, f"{exc.what} at frame t={t}", fix) from None
    for i, step in enumerate(preset.transform):
        scheduled = [s for s in preset.schedules if s.path[:2] == ("transform", i)]
        if not scheduled:
            continue
        info, seen = registry.get(step.name), set()
        for t in range(1, frames):  # frame 0's values passed _check_transforms
            values = _at_frame(lambda: tuple(s.at(t, frames) for s in scheduled), where)
            if values in seen:
                continue
            seen.add(values)
            try:
                params = _validate(_params_model(info), with_values(step.params, scheduled, t, frames, 3),
                                   where, ("transform", i, step.name))
                _dry_run(info, params.model_dump(), f"{where}: transform[{i}].{step.name}")
            except DreamanimError as exc:
                raise type(exc)(exc.where, f"{exc.what} at frame t={t}", fix) from None


def _at_frame(resolve: Callable, where: str):
    """resolve(), an expression that fails at some frame (1/(t-5)) named as a preset error."""
    try:
        return resolve()
    except ScheduleError as exc:
        raise PresetError(where, str(exc), "change it so it has a finite value at every frame") from None


def _check_input(preset: Preset, folder: Path, where: str) -> None:
    """Fail now, before anything is written, if the input image is missing or unreadable."""
    from .errors import InputError
    from .sources import read_rgb8
    image = resolve_input(preset, folder)
    if image is not None and not image.is_file():
        raise InputError(f"{where}: input", f"image not found: {image}",
                         "give a path relative to the preset, or `input: noise`")
    if image is not None:
        read_rgb8(image, f"{where}: input")


def _check_guides(preset: Preset, folder: Path, where: str) -> None:
    """Fail now if a `guide:` image is missing or unreadable."""
    from .errors import InputError
    from .sources import read_rgb8
    for section, settings in (("dream", preset.dream), ("first_frame", preset.first_frame)):
        if settings.guide is None:
            continue
        image = folder / settings.guide
        if not image.is_file():
            raise InputError(f"{where}: {section}.guide", f"guide image not found: {image}",
                             "give a path relative to the preset")
        try:
            read_rgb8(image, f"{where}: {section}.guide")
        except InputError as exc:
            raise InputError(exc.where, exc.what, "use a PNG or JPEG file") from None
