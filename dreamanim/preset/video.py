"""A moving input (a video or an image sequence: source/table.py) settles the preset's defaults: `frames`
is its kept frames (asking for more is an error naming both counts) and every output plays at its rate
unless its fps is given. A kind of input refuses the moving-picture keys it does not take."""
from pathlib import Path

from ..errors import PresetError
from ..source.table import MOVING_KEYS, SOURCES, kind_of
from .describe import validate
from .schema import Preset
from .sections import Clip


def raw_span(data: dict, folder: Path, where: str):
    """The kept span of the raw preset data's moving input (a clip.ClipSpan), or None for a still."""
    input = data.get("input")
    if not isinstance(input, str):
        return None
    path = input if input == "noise" else str((folder / input).resolve())
    kind = kind_of(path)
    if "clip" not in kind.keys:  # a still: the preset's `frames` says how many
        return None
    fps = data.get("fps") if "fps" in kind.keys else None
    fps = fps if isinstance(fps, (int, float)) and not isinstance(fps, bool) and fps > 0 else None  # (the schema names a bad one)
    return kind.load().span(path, validate(Clip, data.get("clip") or {}, where, ("clip",)), fps, where)


def settle_frames(data: dict, folder: Path, where: str) -> dict:
    """The raw preset data with `frames` defaulting to a video input's kept frame count."""
    span = raw_span(data, folder, where)
    if span is None:
        return data
    frames = data.get("frames")
    if frames is None:
        return {**data, "frames": span.frames}
    if isinstance(frames, int) and not isinstance(frames, bool) and frames > span.frames:
        what = "the sequence" if span.info.width == 0 else "the clip"
        raise PresetError(f"{where}: frames", f"{frames} frames asked for, but {what} has {span.frames}"
                          f"{' (after clip: start, end, every)' if data.get('clip') else ''}",
                          "ask for fewer, or leave `frames` out to dream the whole clip")
    return data


def settle_outputs(preset: Preset, where: str) -> Preset:
    """A moving input's outputs play at its rate (fps / every) unless their fps is given; an input
    may not ask for the moving-picture keys its kind does not take."""
    kind = kind_of(preset.input)
    for key in MOVING_KEYS:
        if key in preset.model_fields_set and key not in kind.keys and not (key == "audio" and preset.soundtrack):
            takers = [k for k in SOURCES.values() if key in k.keys]
            raise PresetError(f"{where}: {key}", f"needs {' or '.join(f'a {k.name} input' for k in takers)}, but "
                              f"{preset.input} is {'noise' if kind.name == 'noise' else ('an ' if kind.name[0] in 'aeiou' else 'a ') + kind.name}",
                              f"give `input:` {' or '.join(k.about for k in takers)}; or leave `{key}` out"
                              + ("; `audio: FILE` gives any input a soundtrack" if key == "audio" else ""))
    span = kind.load().span(preset.input, preset.clip, preset.fps, where)
    if span is None:
        return preset
    fps = span.fps
    outputs = preset.outputs
    changes = {fmt: settings.model_copy(update={"fps": fps}) for fmt, settings in outputs.given().items()
               if "fps" not in settings.model_fields_set}
    return preset.model_copy(update={"outputs": outputs.model_copy(update=changes)}) if changes else preset
