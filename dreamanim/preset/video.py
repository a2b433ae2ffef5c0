"""A video input settles the preset's defaults: `frames` is the clip's kept frames (asking for more
is an error naming both counts) and every output plays at the clip's rate unless its fps is given."""
from pathlib import Path

from ..errors import PresetError
from ..source.video_span import VIDEO_KEYS, clip_span, is_video
from .describe import validate
from .schema import Preset
from .sections import Clip


def raw_span(data: dict, folder: Path, where: str):
    """The kept span of the raw preset data's video input (a clip.ClipSpan), or None for a still."""
    input = data.get("input")
    if not isinstance(input, str) or not is_video(str(folder / input)):
        return None
    return clip_span(str((folder / input).resolve()), validate(Clip, data.get("clip") or {}, where, ("clip",)), where)


def settle_frames(data: dict, folder: Path, where: str) -> dict:
    """The raw preset data with `frames` defaulting to a video input's kept frame count."""
    span = raw_span(data, folder, where)
    if span is None:
        return data
    frames = data.get("frames")
    if frames is None:
        return {**data, "frames": span.frames}
    if isinstance(frames, int) and not isinstance(frames, bool) and frames > span.frames:
        raise PresetError(f"{where}: frames", f"{frames} frames asked for, but the clip has {span.frames}"
                          f"{' (after clip: start, end, every)' if data.get('clip') else ''}",
                          "ask for fewer, or leave `frames` out to dream the whole clip")
    return data


def settle_outputs(preset: Preset, where: str) -> Preset:
    """A video render's outputs play at the clip's rate (fps / every) unless their fps is given;
    a still's preset may not ask for video-only keys."""
    if not is_video(preset.input):
        for key in VIDEO_KEYS:
            if key in preset.model_fields_set and not (key == "audio" and preset.soundtrack):
                raise PresetError(f"{where}: {key}", f"needs a video input, but {preset.input} is a still image"
                                  if preset.input != "noise" else "needs a video input, not noise",
                                  "give `input:` a video file (mp4, mov, webm, mkv, avi, an animated GIF), "
                                  f"or leave `{key}` out" + ("; `audio: FILE` gives any input a soundtrack"
                                                             if key == "audio" else ""))
        return preset
    fps = clip_span(preset.input, preset.clip, where).fps
    outputs = preset.outputs
    changes = {fmt: settings.model_copy(update={"fps": fps}) for fmt, settings in outputs.given().items()
               if "fps" not in settings.model_fields_set}
    return preset.model_copy(update={"outputs": outputs.model_copy(update=changes)}) if changes else preset
