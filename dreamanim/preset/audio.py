"""A soundtrack (`audio: FILE`) settles the preset before its schedules: (raw data) => (data, AudioFeatures or None).

The file is analysed at the outputs' frame rate (a video input's own rate), `audio_span` taking a
part; `frames` defaults to the span's length × fps, and asking for more frames than it holds is
an error naming both counts.
"""
from pathlib import Path

from ..errors import PresetError
from ..outputs import DEFAULT_FORMATS
from .describe import validate
from .sections import AudioSpan, Outputs
from .video import raw_span

AUDIO_KEYS = ("audio_span", "audio_smooth")  # keys that only a soundtrack takes
FIX = "give `audio:` a sound file (relative to the preset), or leave `{key}` out"


def settle_audio(data: dict, folder: Path, where: str):
    audio = data.get("audio")
    if not isinstance(audio, str):
        for key in AUDIO_KEYS:
            if key in data:
                raise PresetError(f"{where}: {key}", "needs a soundtrack: `audio:` names no sound file",
                                  FIX.format(key=key))
        return data, None
    path = (folder / audio).resolve()
    if not path.is_file():
        raise PresetError(f"{where}: audio", f"file not found: {path}",
                          "give the path of a sound file (in a preset: relative to its folder; on the "
                          "command line: to the current folder)")
    span = validate(AudioSpan, data.get("audio_span") or {}, where, ("audio_span",))
    smooth = data.get("audio_smooth")
    if smooth is not None:  # checked by the schema: here it only needs to be usable
        from .schema import Preset
        smooth = validate(Preset, {"audio_smooth": smooth}, where).audio_smooth
    fps = _fps(data, folder, where)
    from ..source.audio_features import analyse
    try:
        features = analyse(str(path), fps, start=span.start, end=span.end, smooth=smooth,
                           where=f"{where}: audio")
    except ValueError as exc:
        raise PresetError(f"{where}: audio_span", str(exc), "keep start and end inside the track") from None
    frames = data.get("frames")
    if frames is None:
        return {**data, "frames": features.frames}, features
    if isinstance(frames, int) and not isinstance(frames, bool) and frames > features.frames:
        raise PresetError(f"{where}: frames", f"{frames} frames asked for, but the audio holds {features.frames} "
                          f"({features.duration:.2f} s at {fps:g} fps)",
                          "ask for fewer, use a longer sound, or leave `frames` out to follow the audio")
    return data, features


def _fps(data: dict, folder: Path, where: str) -> float:
    """The frame rate the features are taken at: a video input's, else the outputs' (one with sound first)."""
    span = raw_span(data, folder, where)
    if span is not None:
        return span.fps
    outputs = validate(Outputs, data.get("outputs", list(DEFAULT_FORMATS)), where, ("outputs",))
    given = list(outputs.given().values())
    if not given:
        raise PresetError(f"{where}: outputs", "no output format", "name at least one, e.g. outputs: [mp4]")
    return next((s for s in given if type(s).sound), given[0]).fps


