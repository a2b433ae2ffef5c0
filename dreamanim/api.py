"""The Python API: what the command line does, as functions that return values and raise DreamanimErrors.

    render(preset, output=None, *, frames=, seed=, overrides=, resume=, force=, progress=) => RenderResult
    dream(image, *, model=, layers=, steps=, octaves=, step_size=, seed=, size=, ...) => H x W x 3 uint8
    load_preset(path, overrides) => Preset

A preset is a path, YAML text or a dict (its relative paths are relative to the current folder).
Bad input raises the DreamanimError the CLI would print (`exc.line()` is its message); nothing
here calls sys.exit or prints. The model of `dream` is loaded and traced once per process.
"""
import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np

from .common.pixels8 import to_uint8
from .preset import load_preset
from .errors import InputError, PresetError
from .rendering.loop import RenderResult

PRESET_NAME = "preset"  # a preset given as data renders to ./preset.* unless `output` says otherwise


def render(preset: "str | Path | Mapping", output: Optional["str | Path"] = None, *, frames: Optional[int] = None,
           seed: Optional[int] = None, audio: Optional["str | Path"] = None, overrides: Sequence[str] = (),
           resume: bool = False, force: bool = False,
           progress: Any = True, preview: Optional[int] = None, plugins: str = "load",
           on_note: Optional[Callable[[str], None]] = None, steering: Optional["Steering"] = None) -> RenderResult:
    """Render a preset; the result's `outputs` names every file written, `frames_folder` the frames.

    output: as `render -o` (a base path, a folder/ or NAME.EXT for one format). overrides: `--set`
    texts such as "dream.steps=5". progress: True for tqdm bars (notebook bars in a notebook), False
    for none, or a loop.Progress. preview: dream every K-th frame (`--preview K`). audio: a soundtrack
    file (`--audio FILE`, relative to the current folder). steering: a Steering, to change values
    while it runs, pause or stop it (stop raises Stopped; the frames so far are kept)."""
    from .rendering.loop import render as run
    from .rendering.plan import Plan
    if resume and force:  # one keeps the saved frames, the other deletes them
        raise InputError("--resume --force", "asks both to continue the saved frames and to delete them",
                         "give --resume to continue an interrupted render, or --force to start over")
    overrides = overrides_for(overrides, frames=frames, seed=seed, audio=audio)
    name = preset_name(preset)
    base, only = output_base(output, name)  # a bad output is named before the preset is read
    loaded = read_preset(preset, overrides, plugins=plugins)
    if output is None and loaded.output:  # `output:` in the preset: a base path or a folder/, like -o
        base = output_base(loaded.output, name, where=f"{name}: output", formats=False)[0]
    elif loaded.output:  # output FOLDER/: the files in it are named as the preset's `output:` names them
        base = output_base(output, Path(loaded.output).name or name)[0]
    for text in audio_notes(loaded):
        on_note and on_note(text)
    if only:  # NAME.gif: that format only, with the preset's settings for it if it has any
        loaded = loaded.model_copy(update={"outputs": loaded.outputs.only(only)})
    plan = Plan(loaded, every=preview or 1)
    if plan.preview:  # its own files beside the full render's: <base>.preview.*
        base = base.with_name(base.name + ".preview")
    bars = progress
    if progress is True:
        from .rendering.progress import Bars
        bars = Bars()
    try:
        result = run(plan, base, resume=resume, force=force, progress=bars or None, on_note=on_note,
                     steering=steering)
    finally:
        if progress is True:
            bars.close()
    result.preset = loaded
    return result


def overrides_for(overrides: Sequence[str] = (), *, frames: Optional[int] = None, seed: Optional[int] = None,
                  audio: Optional["str | Path"] = None) -> list[str]:
    """`--set` texts, then the typed arguments given (not None) as more of them: `frames=`, `seed=`,
    `audio=`. Every file path among them (`input=`, `audio=`, `weights=`, a guide, `plugins=`) is
    relative to the current folder, as on any command line, and made absolute here."""
    from .preset.overrides import from_folder
    out = [from_folder(text, Path.cwd()) for text in overrides or ()]
    out += [f"frames={frames}"] if frames is not None else []
    out += [f"seed={seed}"] if seed is not None else []
    out += [f"audio={json.dumps(str(Path(audio).resolve()))}"] if audio is not None else []
    keys = [text.partition("=")[0].strip() for text in out]
    if "audio" in keys and "frames" not in keys:  # a soundtrack given here sets the length, not the
        out.insert(0, "frames=")                   # preset's `frames:` (unless frames are given too)
    return out


def audio_notes(preset) -> list[str]:
    """What the user should know about a preset's soundtrack but need not act on: a silent one."""
    features = preset.audio_features
    if features is None or not features.silent:
        return []
    return [f"audio: {features.path} is silent: every audio feature (amp, onset, beat, bass, mid, treble) "
            "is 0 over the frames, so nothing scheduled on them moves"]


def read_preset(preset: "str | Path | Mapping", overrides: Sequence[str] = (), **options):
    """A preset path, YAML text or dict => the validated Preset (load_preset's options)."""
    from .preset import load_preset_data, preset_data
    if isinstance(preset, Mapping):
        return load_preset_data(dict(preset), overrides, folder=Path.cwd(), where=PRESET_NAME, **options)
    if isinstance(preset, str) and _is_yaml_text(preset):
        return load_preset_data(preset_data(preset, PRESET_NAME), overrides, folder=Path.cwd(),
                                where=PRESET_NAME, **options)
    if not isinstance(preset, (str, os.PathLike)):
        raise PresetError(PRESET_NAME, f"a preset is a path, YAML text or a dict, not {type(preset).__name__}",
                          "give e.g. 'presets/vertical_stretch.yaml' or {'input': 'noise'}")
    return load_preset(preset, overrides, **options)


def preset_name(preset) -> str:
    """The name a preset's outputs take: its file's name, or `preset` for data."""
    if isinstance(preset, os.PathLike) or (isinstance(preset, str) and not _is_yaml_text(preset)):
        return str(preset)
    return PRESET_NAME


def _is_yaml_text(text: str) -> bool:
    return "\n" in text or (":" in text and not Path(text).is_file())


def output_base(output, preset_path, *, where: str = "-o", formats: bool = True) -> tuple[Path, Optional[str]]:
    """(base path, the single format OUTPUT's extension asks for, or None: the preset's formats).

    None: the preset's name in the current folder. A FOLDER/ (a trailing slash) or an existing
    folder (`.`, `..`, renders): the preset's name in that folder. NAME.EXT: that format only."""
    from .outputs import format_of
    name = Path(preset_path).stem
    if output is None:
        return Path(name), None
    if not str(output).strip():
        raise InputError(f"{where} {output!r}", "is an empty output name",
                         "give a base name such as renders/cat, or a folder such as renders/")
    path = Path(output)
    if str(output).endswith(("/", os.sep)) or path.is_dir():
        if path.name.endswith(".frames") and path.is_dir():
            raise InputError(f"{where} {output}", "is the frames folder of a render",
                             f"give the render's base name, e.g. {where} {path.with_suffix('')}, "
                             "or a folder of your own ending in /")
        return path / name, None
    only = format_of(path, where) if formats else None
    return (path.with_suffix("") if only else path), only


def dream(image: "np.ndarray | str | Path", *, model: str = "efficientnet_lite0",
          layers: "Optional[Mapping[str, float] | Sequence[str]]" = None, steps: Optional[int] = None,
          octaves: Optional[int] = None, step_size: Optional[float] = None, seed: int = 0,
          size: Optional[int] = None, precision: str = "auto", device: str = "auto",
          **dream_settings) -> np.ndarray:
    """Dream one still: an H x W x 3 array (0..255) or an image file => the dreamed H x W x 3 uint8.

    The keyword settings are a preset's `dream:` keys (docs/presets.md), checked the same way;
    layers: {name: weight} or a list of names. size: the longer side (default: the image's own)."""
    from .preset import DreamSettings
    from .preset.describe import validate
    from .motion.context import rng_for
    from .engine.models import check_layer
    from .engine.models.device import check_device
    if isinstance(layers, (list, tuple)):
        layers = {name: 1.0 for name in layers}
    given = dict(layers=layers, steps=steps, octaves=octaves, step_size=step_size, **dream_settings)
    settings = validate(DreamSettings, {k: v for k, v in given.items() if v is not None}, "dream")
    for layer in settings.layers or {}:
        check_layer(model, layer, f"dream: layers.{layer}")  # (an unknown model is named here too)
    check_device(device, "dream: device")
    frame = _still(image, size)
    from .engine.dreamer import dreamer_for
    dreamer = dreamer_for(model, precision, None, device)  # (one per process: loaded and traced once)
    out = dreamer.dream(frame, settings, rng_for(seed, 0, "dream"))
    return to_uint8(out)


def _still(image, size: Optional[int]) -> np.ndarray:
    from .source.pixels import check_shape, fit, read_rgb8
    where = str(image) if isinstance(image, (str, os.PathLike)) else "image"
    if isinstance(image, (str, os.PathLike)):
        rgb8 = read_rgb8(Path(image), where, "give a PNG or JPEG file, or an H x W x 3 array")
    else:
        array = np.asarray(image)
        if array.ndim != 3 or array.shape[2] != 3 or not np.issubdtype(array.dtype, np.number):
            raise InputError(where, f"must be an H x W x 3 array of numbers 0..255, got shape {array.shape} "
                             f"({array.dtype})", "give an RGB image array, e.g. np.asarray(PIL.Image.open(f).convert('RGB'))")
        rgb8 = to_uint8(array)
    if size is None:
        return rgb8.astype(np.float32)
    check_shape(*rgb8.shape[:2], size, where)
    return fit(rgb8, size).astype(np.float32)


def models() -> list[dict]:
    """Every model: {name, summary, offline ("yes", "cached" or "no"), default (bool), default_layers,
    default_step}. Reads no weights and imports no TensorFlow."""
    from .engine.models import DEFAULT_MODEL, MODELS, availability
    return [{"name": name, "summary": entry.summary, "offline": availability(name), "default": name == DEFAULT_MODEL,
             "default_layers": dict(entry.default_layers), "default_step": entry.default_step}
            for name, entry in MODELS.items()]


def layers(model: str) -> list[dict]:
    """A model's layers a preset may use: {name, channels, stride, default (bool)}, shallow to deep."""
    from .engine.models import default_layers, model_layers
    defaults = default_layers(model)
    return [{"name": layer.name, "channels": layer.channels, "stride": layer.stride, "default": layer.name in defaults}
            for layer in model_layers(model)]


def transforms() -> list[dict]:
    """Every transform known without running preset plugin code (built-ins, installed packages' and
    plugin files loaded so far): {name, doc, origin, params: [{name, type, default}]}."""
    from .motion import registry
    return [{"name": info.name, "doc": info.doc, "origin": info.origin,
             "params": [{"name": p.name, "type": p.type_name, "default": _plain(p.default)} for p in info.params]}
            for info in registry.all_transforms()]


def presets() -> list[dict]:
    """The shipped presets: {name, path (absolute), text (the YAML), about (its first comment line)}."""
    from .rendering.gallery import sample_image
    folder = sample_image().parent
    out = []
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        about = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), "")
        out.append({"name": path.stem, "path": path, "text": text, "about": about})
    return out


def _plain(value):
    return json.loads(json.dumps(value, default=str))


def __getattr__(name: str):  # the steering names load with their module, on first use
    if name in ("Steering", "Stopped"):
        from .rendering import steering
        return getattr(steering, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["render", "dream", "load_preset", "RenderResult", "output_base", "overrides_for", "read_preset", "models",
           "layers", "transforms", "presets", "Steering", "Stopped"]
