"""The fully resolved preset: what a render was made with, as a preset that renders it again.

    resolved(preset) => JSON data: every key explicit, paths absolute, --set/--frames/
                                --seed applied, schedules as written, the model's default
                                layers, step size and (for `auto`) precision filled in
    sidecar_text(preset) => the YAML written to <output>.preset.yaml
    provenance(manifest) => the one-line JSON stored in the frames' and sheet's PNG text
                            (key "dreamanim"), the GIF's comment and the MP4's comment

`dreamanim render x.preset.yaml -o elsewhere` dreams the same frames (with the same
dreamanim version; the YAML's first line names it).
"""
import json

import yaml
from pydantic import BaseModel, ValidationError

from ..preset import Preset
from ..schedule.keyframes import replace_at, restore_schedules

PNG_KEY = "dreamanim"


def resolved(preset: Preset) -> dict:
    # The loaded preset's paths are absolute already and its transform steps hold every parameter.
    data = {name: _dump(value) if isinstance(value, BaseModel) else _plain(value)
            for name, value in preset if value is not None and name not in ("output", "transform")}
    data["transform"] = [{step.name: _plain(step.params)} for step in preset.transform]
    from ..source.table import MOVING_KEYS, kind_of
    taken = kind_of(preset.input).keys
    for key in MOVING_KEYS:  # a kind of input may not name the keys it does not take
        if key not in taken and not (key == "audio" and preset.soundtrack):
            data.pop(key, None)
    if not preset.soundtrack:  # audio_span and audio_smooth need one
        from ..preset.audio import AUDIO_KEYS
        for key in AUDIO_KEYS:
            data.pop(key, None)
    _model_defaults(preset.model, data.setdefault("dream", {}))
    if data.get("precision") == "auto":  # what this machine chose: another one may choose otherwise
        from ..engine.models import model_precision
        data["precision"] = model_precision(preset.model, "auto")
    data = restore_schedules(data, preset.schedules)  # the fields hold only their frame-0 values
    return {name: data[name] for name in type(preset).model_fields if name in data}  # schema order


def sidecar_text(preset: Preset) -> str:
    from .. import __version__
    head = (f"# Rendered by dreamanim {__version__}: the fully resolved preset (every key, absolute paths).\n"
            f"# `dreamanim render THIS_FILE -o OTHER` dreams the same frames again.\n")
    data = resolved(preset)
    for scheduled in preset.schedules:  # keyframes by number, as people write them: {0: 0.01, 30: 0.06}
        data = replace_at(data, scheduled.path, _keyframes_by_number(scheduled.schedule.as_data()))
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def provenance(manifest: dict) -> str:
    """One line of ASCII JSON (fits PNG tEXt and GIF comments, which are not Unicode)."""
    return json.dumps(manifest, separators=(",", ":"))


def _dump(model: BaseModel) -> dict:
    full = model.model_dump(mode="json", exclude_none=True)
    try:
        type(model).model_validate(full)
        return full
    except ValidationError:  # a validator forbids two keys together (even at their defaults):
        return model.model_dump(mode="json", exclude_none=True, exclude_unset=True)  # as given


def _plain(value):
    """Tuples => lists and the like: what YAML and JSON can hold."""
    return json.loads(json.dumps(value, default=str))


def _model_defaults(model: str, dream: dict) -> None:
    """Name what the model would have chosen, so a later default change cannot alter the render."""
    from ..engine.models import model_entry
    entry = model_entry(model)
    dream.setdefault("layers", dict(entry.default_layers))
    dream.setdefault("step_size", entry.default_step)


def _keyframes_by_number(data):
    """JSON's {"0": 0.01, ...} as a preset writes it: {0: 0.01, 30: 0.06, interpolation: smooth}."""
    if not isinstance(data, dict):
        return data  # an expression of t and T
    return {int(k) if isinstance(k, str) and k.isdigit() else k: v for k, v in data.items()}
