"""Checks the schema cannot make: layers vs the model, transforms vs their signatures (one dry run), files."""
import difflib
import typing
from pathlib import Path
from typing import Annotated, Any, Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Strict as StrictType

from .. import registry
from ..context import FrameContext
from ..errors import DreamanimError, PluginError, PresetError
from .describe import validate
from .files import resolve_input, resolve_weights
from .schema import Preset, TransformStep


def check_model(preset: Preset, where: str) -> None:
    from ..models import model_layers, model_precision
    from ..models.device import check_device
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
    from ..models import default_layers, model_layers
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


def load_plugins(files: typing.Sequence[Path], where: str) -> None:
    """Import plugin files in order; a missing one is named by its preset key."""
    for i, path in enumerate(files):
        if not path.is_file():
            raise PluginError(f"{where}: plugins[{i}]", f"plugin file not found: {path.resolve()}",
                              "plugin paths are relative to the preset's folder")
        registry.load_plugin_file(path)


def check_transforms(preset: Preset, where: str) -> None:
    """Each step names a known transform (plugins loaded) and values its signature takes."""
    for i, step in enumerate(preset.transform):
        key = f"transform[{i}].{step.name}"
        try:
            info = registry.get(step.name)
        except PresetError as exc:
            raise PresetError(f"{where}: {key}", exc.what, exc.fix) from None
        try:
            values = validate(params_model(info), step.params, where, ("transform", i, step.name))
            dry_run(info, values.model_dump(), f"{where}: {key}")
        except PresetError as exc:  # say which file the transform is in and all it takes
            raise PresetError(exc.where, exc.what, f"fix the preset or --set; the {info.origin} "
                              f"{info.source} defines {info.usage}") from None


_param_models: dict[Callable, type[BaseModel]] = {}


def params_model(info: registry.TransformInfo) -> type[BaseModel]:
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


def dry_run(info: registry.TransformInfo, values: dict, where: str) -> None:
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
    return params_model(registry.get(step.name)).model_validate(step.params).model_dump()


def check_input(preset: Preset, folder: Path, where: str) -> None:
    """Fail now, before anything is written, if the input image is missing or unreadable."""
    from ..errors import InputError
    from ..sources import read_rgb8
    image = resolve_input(preset, folder)
    if image is not None and not image.is_file():
        raise InputError(f"{where}: input", f"image not found: {image}",
                         "give a path relative to the preset, or `input: noise`")
    if image is not None:
        read_rgb8(image, f"{where}: input")


def check_guides(preset: Preset, folder: Path, where: str) -> None:
    """Fail now if a `guide:` image is missing or unreadable."""
    from ..errors import InputError
    from ..sources import read_rgb8
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


def check_weights(preset: Preset, folder: Path, where: str) -> None:
    """A missing weights file fails now; one that does not fit the model fails when it loads."""
    path = resolve_weights(preset, folder)
    if path is not None and not path.is_file():
        raise PresetError(f"{where}: weights", f"weights file not found: {path}",
                          "give a path relative to the preset; docs/models.md says which file each model takes")
