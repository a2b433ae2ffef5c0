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

OUTPUT_FORMATS = ("gif", "mp4")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DreamSettings(Strict):
    """How one frame is dreamed."""
    layers: Optional[dict[str, float]] = None   # layer => weight; None: the model's default
    reduce: Literal["meansq", "mean"] = "meansq"
    steps: int = Field(6, ge=1)
    step_size: Optional[float] = Field(None, gt=0)  # in units of the [-1, 1] pixel range; None: model's
    octaves: int = Field(3, ge=1)
    octave_scale: float = Field(1.4, gt=1)
    tile_size: int = Field(512, ge=32)
    normalize: Literal["std", "meanabs"] = "std"

    @field_validator("layers")
    @classmethod
    def _some_layers(cls, v):
        if v is not None and not v:
            raise ValueError("needs at least one layer")
        return v


class DreamOverrides(Strict):
    """`first_frame:` keys replace `dream:` keys for frame 0 only."""
    layers: Optional[dict[str, float]] = None
    reduce: Optional[Literal["meansq", "mean"]] = None
    steps: Optional[int] = Field(None, ge=1)
    step_size: Optional[float] = Field(None, gt=0)
    octaves: Optional[int] = Field(None, ge=1)
    octave_scale: Optional[float] = Field(None, gt=1)
    tile_size: Optional[int] = Field(None, ge=32)
    normalize: Optional[Literal["std", "meanabs"]] = None


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


class TransformStep(Strict):
    name: str
    params: dict[str, Any]


class Preset(Strict):
    """A whole animation. Paths are resolved; transforms are validated against their signatures."""
    input: str = "noise"                 # image path (relative to the preset) or "noise"
    size: int = Field(384, ge=16, le=8192)  # longer side of the frames, pixels
    frames: int = Field(60, ge=1)
    seed: int = 0
    model: str = "efficientnet_lite0"
    precision: Literal["auto", "float32", "bfloat16"] = "auto"  # auto: bfloat16 where it is faster
    dream: DreamSettings = DreamSettings()
    first_frame: DreamOverrides = DreamOverrides()
    transform: list[TransformStep] = []
    plugins: list[str] = []
    loop: Literal["forward", "reverse", "pingpong"] = "forward"
    outputs: Outputs = Outputs(gif=GifOutput(), mp4=Mp4Output())
    output: Optional[str] = None         # base path of the outputs; default: the preset's name

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
        """Dream settings for frame t: frame 0 takes the first_frame overrides."""
        if t > 0:
            return self.dream
        changes = {k: v for k, v in self.first_frame.model_dump().items() if v is not None}
        return self.dream.model_copy(update=changes)

    def frames_hash(self) -> str:
        """Hash of everything that decides the frames (not how the videos are encoded)."""
        keys = self.model_dump(exclude={"outputs", "loop", "output"})
        return hashlib.sha256(json.dumps(keys, sort_keys=True).encode()).hexdigest()[:16]


def load_preset(path: str | Path, overrides: typing.Sequence[str] = ()) -> tuple[Preset, Path]:
    """Read, override and validate a preset. Returns it with its folder (for relative paths)."""
    path = Path(path)
    data = _read_yaml(path)
    for text in overrides:
        key, value = _parse_override(text)
        _set_dotted(data, key, value, text)
    preset = _validate(Preset, data, str(path))
    folder = path.parent
    _check_model(preset, str(path))
    _check_transforms(preset, folder, str(path))
    _check_input(preset, folder, str(path))
    return preset, folder


def resolve_input(preset: Preset, folder: Path) -> Optional[Path]:
    return None if preset.input == "noise" else (folder / preset.input)


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
    from .models import model_layers
    try:
        names = [layer.name for layer in model_layers(preset.model)]
    except DreamanimError as exc:
        raise type(exc)(f"{where}: model", exc.what, exc.fix) from None
    for section, settings in (("dream", preset.dream), ("first_frame", preset.first_frame)):
        for layer in settings.layers or {}:
            if layer not in names:
                close = difflib.get_close_matches(layer, names, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise PresetError(f"{where}: {section}.layers.{layer}",
                                  f"{preset.model} has no layer {layer!r}",
                                  f"{hint}valid layers: {', '.join(names)}")


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
