"""A clip's sound on a finished video: (video, audio source, start, duration) => the video, now with that span of sound.

The picture is copied untouched; the sound is cut from `start` for exactly `duration` seconds
(padded with silence if the source runs out), so it stays in sync with frames that began at
`start` in the source. The result is written whole or not at all (common.writers.atomic): an
OSError while writing it is the same one-line error as any other file's.
"""
import re
from pathlib import Path
from typing import Union

from ..common.writers import atomic
from ..errors import InputError
from .ffmpeg_tool import last_line, run_ffmpeg

# Container => (muxer, audio encoder settings). AAC plays everywhere MP4 does; WebM needs Opus.
AUDIO = {
    ".mp4": ("mp4", ["-c:a", "aac", "-b:a", "160k"]),
    ".m4v": ("mp4", ["-c:a", "aac", "-b:a", "160k"]),
    ".mov": ("mov", ["-c:a", "aac", "-b:a", "160k"]),
    ".webm": ("webm", ["-c:a", "libopus", "-b:a", "128k"]),
    ".mkv": ("matroska", ["-c:a", "libopus", "-b:a", "128k"]),
}

SOUND_FIX = "use a file with a sound track ffmpeg can decode, or leave the sound out"


def has_audio(path: Union[str, Path], where: str = "") -> bool:
    """True when ffmpeg finds at least one audio stream in the file."""
    path = Path(path)
    log = run_ffmpeg(["-i", str(path)])[1]  # no output file: ffmpeg only describes the input
    if "Input #0" not in log:
        raise InputError(where or str(path), f"cannot read {path}: {last_line(log)}", SOUND_FIX)
    return re.search(r"Stream #0:\d+\S*: Audio:", log) is not None


def add_audio(video_path: Union[str, Path], audio_source: Union[str, Path], start_seconds: float,
              duration_seconds: float, *, where: str = "") -> None:
    """Mux `audio_source`'s first audio stream, from start_seconds for duration_seconds, into
    the video at video_path (MP4/MOV: AAC; WebM/MKV: Opus), replacing it only on success."""
    video, source = Path(video_path), Path(audio_source)
    where = where or str(source)
    if video.suffix.lower() not in AUDIO:
        raise ValueError(f"cannot add sound to {video.name}: only {', '.join(AUDIO)} carry sound here")
    if start_seconds < 0 or duration_seconds <= 0:
        raise ValueError(f"need start >= 0 and duration > 0 seconds, got {start_seconds}, {duration_seconds}")
    if not has_audio(source, where):  # ffmpeg's own complaint about a missing stream is cryptic
        raise InputError(where, f"{source} has no sound track", SOUND_FIX)
    muxer, codec = AUDIO[video.suffix.lower()]
    start, length = f"{start_seconds:.6f}", f"{duration_seconds:.6f}"
    args = ["-loglevel", "error", "-y", "-i", str(video),
            # input-side -ss/-t: ffmpeg decodes up to `start` exactly, then reads `length` seconds
            "-ss", start, "-t", length, "-i", str(source),
            "-map", "0:v:0", "-map", "1:a:0", "-map_metadata", "0", "-c:v", "copy", *codec,
            "-af", f"apad=whole_dur={length}",  # a source that ends early is padded with silence
            *(["-movflags", "+faststart"] if muxer in ("mp4", "mov") else []),
            "-f", muxer]
    with atomic(video) as tmp:
        code, log = run_ffmpeg([*args, str(tmp)])
        if code != 0:
            raise InputError(where, f"cannot add its sound to {video}: {last_line(log)}", SOUND_FIX)
