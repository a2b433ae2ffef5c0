"""Checks the schema cannot make: layers and channels vs the model, plugin files, input, guide and weights files."""
import typing
from pathlib import Path

from ..motion import registry
from ..errors import DreamanimError, InputError, PluginError, PresetError
from .schema import Preset


def check_model(preset: Preset, where: str) -> None:
    from ..engine.models import check_layer, is_model_file, model_precision
    from ..engine.models.device import check_device
    from ..engine.models.model_file import declare
    try:
        if is_model_file(preset.model):  # how its pixels are scaled: the preset must say (the file cannot)
            declare(preset.model, preset.preprocess)
        elif preset.preprocess is not None:
            raise PresetError("preprocess", f"{preset.model} scales its pixels itself",
                              "give preprocess only with a model file, like model: my_model.keras")
        model_precision(preset.model, preset.precision)  # bfloat16 for a float32-only model
        check_device(preset.device)                      # gpu where TensorFlow sees none
        for section, settings in (("dream", preset.dream), ("first_frame", preset.first_frame)):
            for layer in settings.layers or {}:
                check_layer(preset.model, layer, f"{section}.layers.{layer}")
    except DreamanimError as exc:  # exc.where: model, precision, device or the layer's key
        raise exc.at(where) from None
    _check_classes(preset, where)
    _check_channels(preset, where)


def _check_classes(preset: Preset, where: str) -> None:
    """`classes:` names ImageNet classes, on a model whose classifier head dreamanim has."""
    from ..engine.models import model_entry
    from ..engine.models.classes import check_classes
    for section, settings in (("dream", preset.dream), ("first_frame", preset.first_frame)):
        if not settings.classes:
            continue
        if not model_entry(preset.model).classifier:
            heads = ", ".join(_models_with_heads())
            raise PresetError(f"{where}: {section}.classes", f"{preset.model} has no classifier head here, "
                              "so it cannot dream classes", f"use a model with one: {heads}; or dream layers")
        check_classes(settings.classes, f"{where}: {section}.classes")


def _check_channels(preset: Preset, where: str) -> None:
    """`channels:` names a layer the frame dreams (it picks among that layer's feature maps;
    it does not add a layer) and channel numbers that layer has, or asks it to choose at most
    as many as it has."""
    from ..engine.models import check_layer, default_layers, model_layers
    counts = {layer.name: layer.channels for layer in model_layers(preset.model)}
    for t in (1, 0):  # the dream's settings first: a frame-0-only problem then says so
        settings = preset.dream_for(t)
        section = "first_frame" if t == 0 and preset.first_frame.channels is not None else "dream"
        dreamed = settings.layers or default_layers(preset.model)
        for layer, picked in (settings.channels or {}).items():
            key = f"{where}: {section}.channels.{layer}"
            check_layer(preset.model, layer, key)
            if layer not in dreamed:
                frame = " on frame 0" if t == 0 else ""
                owner = "first_frame" if t == 0 and preset.first_frame.layers is not None else "dream"
                raise PresetError(key, f"{layer} is not among the layers dreamed{frame} ({', '.join(dreamed)})",
                                 f"add it to {owner}.layers, or pick channels of a dreamed layer")
            count = counts[layer]
            if not isinstance(picked, list):  # chosen by the dream: {strongest: 8}
                _check_auto(picked, (preset.first_frame if section == "first_frame" else preset.dream).channels[layer],
                            layer, count, key)
                continue
            bad = [i for i in picked if i >= count]
            if bad:
                raise PresetError(key, f"{layer} has {count} channels (0..{count - 1}), got {bad[0]}",
                                 f"pick channel numbers below {count}")


def _check_auto(rule, recorded, layer: str, count: int, key: str) -> None:
    """{strongest: N} asks for at most the layer's channels; its record (`chosen:`) names channels it has."""
    if rule.count > count:
        raise PresetError(f"{key}.{rule.mode}", f"{layer} has {count} channels, so {rule.count} cannot be chosen",
                          f"ask for at most {count}, or list them all: `dreamanim layers` counts each layer's")
    for t, picked in (recorded.chosen or {}).items():
        bad = [i for p in (picked if recorded.per_octave else [picked]) for i in p if i >= count]
        if bad:
            raise PresetError(f"{key}.chosen.{t}", f"{layer} has {count} channels (0..{count - 1}), got {bad[0]}",
                              f"pick channel numbers below {count}")


def _models_with_heads() -> list[str]:
    from ..engine.models import MODELS
    return [name for name, e in MODELS.items() if e.classifier]


def load_plugins(files: typing.Sequence[str | Path], where: str) -> None:
    """Import plugin files in order; a missing one is named by its preset key."""
    for i, path in enumerate(files):
        if Path(path).is_dir():
            raise PluginError(f"{where}: plugins[{i}]", f"{path} is a folder, not a plugin file",
                              "name the plugin's .py file inside it")
        if not Path(path).is_file():
            raise PluginError(f"{where}: plugins[{i}]", f"plugin file not found: {path}",
                              "plugin paths are relative to the preset's folder")
        if Path(path).suffix != ".py":
            raise PluginError(f"{where}: plugins[{i}]", f"not a Python source file: {path}",
                              "a plugin is a .py file defining @transform functions; see docs/plugins.md")
        registry.load_plugin_file(Path(path))


def load_plugins_for(preset: Preset, mode: str, where: str) -> None:
    """The preset's plugin files, as load_preset's `plugins` says: "load" them all; "needed": only
    when a transform step is neither built in nor installed; "never": such a step is an error."""
    if mode == "load" or not preset.plugins:
        return load_plugins(preset.plugins, where)
    needs = [(i, s.name) for i, s in enumerate(preset.transform) if not registry.builtin_or_installed(s.name)]
    if needs and mode == "never":
        (i, name), files = needs[0], ", ".join(str(p) for p in preset.plugins)
        raise PluginError(f"{where}: transform[{i}].{name}",
                          f"is not a built-in or installed transform, so it needs the preset's plugin files "
                          f"({files}), and --no-plugins runs none",
                          "a plugin is Python code that runs on your machine: read it, then run again "
                          "without --no-plugins")
    if needs:
        load_plugins(preset.plugins, where)


def check_files(preset: Preset, where: str) -> None:
    """Fail now, before anything is written, if the input, a guide or the weights file is
    missing or unreadable (a weights file that does not fit the model fails when it loads)."""
    from ..engine.models import check_weights_file
    from ..source.pixels import check_shape, read_rgb8
    from ..source.table import kind_of
    kind_of(preset.input).load().check(preset.input, preset.size, f"{where}: input")  # too thin for `size`: now
    for section, settings in (("dream", preset.dream), ("first_frame", preset.first_frame)):
        if settings.guide is None:
            continue
        if not Path(settings.guide).is_file():
            raise InputError(f"{where}: {section}.guide", f"guide image not found: {settings.guide}",
                             "give a path relative to the preset")
        guide = read_rgb8(Path(settings.guide), f"{where}: {section}.guide", "use a PNG or JPEG file")
        check_shape(*guide.shape[:2], preset.size, f"{where}: {section}.guide")  # the dream fits it to the frame
    check_weights_file(preset.model, preset.weights and Path(preset.weights), f"{where}: weights")
