"""The fully resolved preset: what a render was made with, as a preset that renders it again.

    resolved(preset) => JSON data: every key explicit, paths absolute, --set/--frames/
                                --seed applied, schedules as written, the model's default
                                layers, step size and (for `auto`) precision filled in
    sidecar_text(preset) => the YAML written to <output>.preset.yaml
    provenance(manifest) => the one-line JSON stored in the frames' and sheet's PNG text
                            (key "dreamanim"), the GIF's comment and the MP4's comment

    note_channels(folder, k, chosen)   after frame k is dreamed: the channels the dream chose
                                       itself (`channels: {layer: {strongest: 8}}`), kept in the
                                       frames folder (channels.json), so they survive --resume
    with_chosen(text, folder, frames) => the sidecar with them: `chosen: {frame: channels}` under
                                       each such layer, which a render of it dreams again as recorded

`dreamanim render x.preset.yaml -o elsewhere` dreams the same frames (with the same
dreamanim version; the YAML's first line names it).
"""
import json
from pathlib import Path

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
    return head + _yaml(data)


def _yaml(data: dict) -> str:
    return yaml.dump(_compact_chosen(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


CHANNELS_LOG = "channels.json"  # in the frames folder: {frame: {layer: {"rule": [...], "channels": [...]}}}


def note_channels(folder: Path, k: int, chosen: dict) -> None:
    """Record the automatic channels frame k dreamed (Dreamer.chosen: layer => Chosen). Frames are
    dreamed in order, so entries from k on are an earlier run's (a render started over, a damaged
    frame dreamed again) and are dropped. k: the plan's frame number (a preview's are its own, and
    a preview writes no sidecar)."""
    if not chosen:
        return
    from ..common.writers import write_text
    log = {t: v for t, v in read_channels(folder).items() if t < k}
    log[k] = {layer: {"rule": list(c.rule), "channels": c.channels} for layer, c in chosen.items()}
    write_text(Path(folder) / CHANNELS_LOG, json.dumps({str(t): log[t] for t in sorted(log)}))


def read_channels(folder: Path) -> dict[int, dict]:
    """note_channels' record ({} when there is none or it is unreadable)."""
    try:
        data = json.loads((Path(folder) / CHANNELS_LOG).read_text())
        return {int(t): v for t, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def with_chosen(text: str, folder: Path, frames: int) -> str:
    """The sidecar `text` with the channels each of the first `frames` frames chose recorded under
    the section's layer they were chosen by (`dream:`, or `first_frame:` when its rule is another:
    a rule's record goes to each section with that rule; only the section a frame dreams reads it)."""
    log = {t: v for t, v in read_channels(folder).items() if t < frames}
    if not log:
        return text
    head = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    data = yaml.safe_load(text)
    for section in ("dream", "first_frame"):
        for layer, rule in ((data.get(section) or {}).get("channels") or {}).items():
            if not isinstance(rule, dict):
                continue
            mode = next(m for m in ("strongest", "weakest", "random") if m in rule)
            key = [mode, rule[mode], bool(rule.get("per_octave", False)), rule.get("seed", data.get("seed", 0))]
            found = {t: made[layer]["channels"] for t, made in log.items()
                     if layer in made and made[layer]["rule"] == key}
            if found:
                rule["chosen"] = {**{int(t): v for t, v in (rule.get("chosen") or {}).items()}, **found}
                rule["chosen"] = {t: rule["chosen"][t] for t in sorted(rule["chosen"])}
    return head + _yaml(data)


class _Flow(list):
    """A list YAML writes on one line: [3, 17, 40]."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda dumper, items: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", items, flow_style=True))


def _compact_chosen(data: dict) -> dict:
    """Recorded channels (`chosen: {frame: [3, 17]}`) one frame a line, frame numbers as numbers."""
    for section in ("dream", "first_frame"):
        for rule in ((data.get(section) or {}).get("channels") or {}).values():
            if isinstance(rule, dict) and rule.get("chosen"):
                rule["chosen"] = {int(t): _Flow(_Flow(p) if isinstance(p, list) else p for p in v)
                                  for t, v in rule["chosen"].items()}  # (per_octave: [[3, 17], [3, 40]])
    return data


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
