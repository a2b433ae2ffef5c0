"""Preset YAML (+ --set overrides) => a frozen, fully validated Preset. The only package that reads YAML.

Every error names the file and key path (`transform[0].stretch.amount`), says what is wrong
and how to fix it, and all of a file's schema errors are reported together, once.

    load_preset(path, ["dream.steps=5"]) => Preset (file paths absolute, a ready transform chain)

schema (the models), overrides (--set), describe (validation errors), scheduled (schedules),
transforms (the chain), checks (model, plugins, files) and files (digests) are its parts.
"""
import copy
import typing
from pathlib import Path

from ..errors import PresetError
from . import audio
from . import checks
from . import scheduled
from . import video
from .checks import load_plugins
from .describe import validate
from .files import content_digests
from .overrides import parse_override, set_dotted
from .strict_yaml import load_yaml
from ..schedule.keyframes import settings_at
from .schema import MAX_OCTAVE_UP, MAX_OCTAVES, MAX_STEPS, MAX_TILE_SIZE, DreamOverrides, DreamSettings, Preset
from .sections import (Clip, Coherence, ColorLock, GifOutput, Mp4Output, NoiseSettings, Outputs, Seamless,
                       TransformStep)
from .transforms import build_chain, check_chain_schedules, with_full_params


def load_preset(path: str | Path, overrides: typing.Sequence[str] = (), *,
                check_model: bool = True, plugins: str = "load") -> Preset:
    """Read, override and validate a preset; its file paths come back absolute.
    check_model=False skips the check of layer names, which imports the model (and TensorFlow).
    plugins: "load" imports the preset's plugin files (their code runs); "needed" only when a
    transform of the preset is not otherwise known; "never" makes such a transform an error."""
    path = Path(path)
    return load_preset_data(_read_yaml(path), overrides, folder=path.parent, where=str(path),
                            check_model=check_model, plugins=plugins)


def load_preset_data(data: dict, overrides: typing.Sequence[str] = (), *, folder: str | Path, where: str,
                     check_model: bool = True, plugins: str = "load") -> Preset:
    """load_preset for a preset already read (a dict, or YAML text: preset_data): its file paths
    are relative to `folder`, its errors start with `where`. `data` is not changed."""
    data, folder = copy.deepcopy(data), Path(folder)
    for text in overrides:
        key, value = parse_override(text)
        set_dotted(data, key, value, text)
    data = video.settle_frames(data, folder, where)  # a video's frame count, before schedules use T
    data, features = audio.settle_audio(data, folder, where)  # a soundtrack's features and frame count
    data, dream_schedules = scheduled.take_dream_schedules(data, where, features)
    preset = validate(Preset, data, where, context={"folder": folder})
    preset._audio = features
    if dream_schedules:  # the dream's scheduled keys at their frame-0 values
        dream = scheduled.at_frame(lambda: settings_at(preset.dream, dream_schedules, 0, preset.frames), where)
        preset = preset.model_copy(update={"dream": dream})
        preset._dream_schedules = tuple(dream_schedules)
    checks.load_plugins_for(preset, plugins, where)  # once, for everything below
    chain = build_chain(preset, where)
    preset = with_full_params(preset, chain)
    preset._dream_schedules, preset._chain, preset._audio = tuple(dream_schedules), chain, features
    scheduled.check_dream_schedules(preset, where)
    check_chain_schedules(preset, where)
    checks.check_files(preset, where)
    if check_model:  # last: the model's layers need TensorFlow, every check above is made without it
        checks.check_model(preset, where)
    preset._contents = content_digests(preset, where)
    return video.settle_outputs(preset, where)


PICTURE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".mp4", ".mov",
                    ".webm", ".mkv", ".avi", ".m4v"}


def _read_yaml(path: Path) -> dict:
    if path.is_dir():
        raise PresetError(str(path), "is a folder, not a preset file",
                          f"give a YAML preset, e.g. {path / 'vertical_stretch.yaml'}")
    if not path.is_file():
        raise PresetError(str(path), "preset file not found",
                          "check the path; shipped presets are in presets/")
    if path.suffix.lower() in PICTURE_SUFFIXES:  # `render cat.jpg`: the picture goes inside a preset
        raise PresetError(str(path), "is a picture or a video, not a preset",
                          f"write a preset with `input: {path.name}` (one line is enough), or copy "
                          "presets/vertical_stretch.yaml and change its input")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PresetError(str(path), f"not readable as YAML: {exc}", "save it as UTF-8 YAML") from None
    return preset_data(text, str(path))


def preset_data(text: str, where: str) -> dict:
    """YAML text => a preset's data (a mapping), or PresetError."""
    data = load_yaml(text, where)  # syntax errors, duplicate keys and .inf/.nan name their line
    if data is None:  # an empty file (or only comments) is a mistake far more often than a wish
        raise PresetError(where, "the preset is empty (it holds no keys, at most comments)",
                          "give at least one key: `input: noise` is enough to render from the defaults; "
                          "see docs/presets.md")
    if not isinstance(data, dict):
        raise PresetError(where, "a preset must be a mapping of keys like `frames: 60`",
                          "see docs/presets.md")
    return data


def plugin_files(path: str | Path) -> list[Path]:
    """The plugin files a preset names, without validating the rest (for `dreamanim transforms`)."""
    path = Path(path)
    plugins = _read_yaml(path).get("plugins") or []
    if not isinstance(plugins, list) or not all(isinstance(p, str) for p in plugins):
        raise PresetError(f"{path}: plugins", "must be a list of file names",
                          "e.g. plugins: [swirl.py], relative to the preset")
    return [path.parent / p for p in plugins]


__all__ = ["load_preset", "load_preset_data", "preset_data", "plugin_files", "load_plugins", "Preset", "DreamSettings",
           "DreamOverrides", "Outputs", "GifOutput", "Mp4Output", "ColorLock", "Seamless",
           "NoiseSettings", "TransformStep", "Clip", "Coherence", "MAX_OCTAVE_UP", "MAX_OCTAVES", "MAX_STEPS", "MAX_TILE_SIZE"]
