"""A soundtrack as numbers per frame: analyse(path, fps, start=, end=, smooth=) => AudioFeatures.

The file is decoded by the bundled ffmpeg (anything it reads, the sound of a video included) to
mono float samples, analysed with librosa, and reduced to one value per output frame (frame t
is the sound from start + t/fps to start + (t+1)/fps). Each feature is 0..1 over the part analysed:
    amp     loudness (RMS)                       onset   attacks (onset strength), decaying over ~0.1 s
    beat    1 on a beat frame (beat tracking)    tempo   beats per minute (a constant)
    bass    energy < 250 Hz    mid   250-4000 Hz    treble   > 4000 Hz
`smooth` (seconds, one for all or per feature) blurs a feature over time; `beat` only if named.
"""
import math
from dataclasses import dataclass, field
from typing import Mapping, Optional

import numpy as np

from ..errors import InputError

FEATURES = ("amp", "onset", "beat", "bass", "mid", "treble", "tempo")
SAMPLE_RATE = 22050
HOP = 256                        # analysis step: 11.6 ms at 22050 Hz
N_FFT = 1024                     # 46 ms windows: short, so a hit is not heard a frame early
BANDS = {"bass": (0, 250), "mid": (250, 4000), "treble": (4000, math.inf)}
ONSET_HALF_LIFE = 0.08           # seconds: a hit fades to half in this time
SILENCE = 1e-4                   # peak sample (of 1.0) below which a track is silent (-80 dBFS)
FIX = "give `audio:` a sound file ffmpeg can decode (wav, mp3, m4a, ogg, flac, a video with sound)"


@dataclass(frozen=True, eq=False)
class AudioFeatures:
    path: str
    fps: float
    start: float                 # seconds into the file where frame 0 starts
    duration: float              # seconds analysed (from start)
    values: Mapping[str, np.ndarray]   # feature => one value per frame (tempo: constant)
    envelope: np.ndarray = field(repr=False)  # (frames, 2): the waveform's min and max per frame

    @property
    def frames(self) -> int:
        return len(self.values["amp"])

    @property
    def tempo(self) -> float:
        return float(self.values["tempo"][0])

    @property
    def silent(self) -> bool:
        """No sound at all in the part analysed (every feature is 0): worth a word to the user."""
        return not len(self.envelope) or float(np.abs(self.envelope).max()) < SILENCE

    def beat_frames(self) -> list[int]:
        return [int(t) for t in np.flatnonzero(self.values["beat"])]

    def at(self, t: int) -> dict[str, float]:
        """Every feature's value at frame t (past the end: the last frame's)."""
        t = min(max(t, 0), self.frames - 1)
        return {name: float(v[t]) for name, v in self.values.items()}


def decode(path: str, where: str) -> np.ndarray:
    """The file's first audio stream as mono float32 samples at SAMPLE_RATE."""
    from .ffmpeg_tool import ffmpeg_output, last_line
    from .soundtrack import has_audio
    if not has_audio(path, where):
        raise InputError(where, f"{path} has no sound track", FIX)
    code, out, log = ffmpeg_output(["-loglevel", "error", "-i", path, "-map", "0:a:0", "-vn", "-ac", "1",
                                    "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"])
    samples = np.frombuffer(out, dtype="<f4")
    if code != 0 or not len(samples):
        raise InputError(where, f"cannot decode the sound of {path}: {last_line(log)}", FIX)
    return samples.astype(np.float32)


def analyse(path: str, fps: float, *, start: float = 0.0, end: Optional[float] = None,
            smooth: float | Mapping[str, float] | None = None, where: str = "audio") -> AudioFeatures:
    samples = decode(path, where)
    length = len(samples) / SAMPLE_RATE
    end = length if end is None else end
    if not 0 <= start < end <= length + 1e-6:
        raise ValueError(f"audio_span {start:g}..{end:g} s is outside the track, which lasts {length:.2f} s")
    part = samples[round(start * SAMPLE_RATE):round(end * SAMPLE_RATE)]
    values, envelope = features_of(part, fps)
    return AudioFeatures(path, fps, start, len(part) / SAMPLE_RATE, _smoothed(values, fps, smooth), envelope)


def features_of(samples: np.ndarray, fps: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(feature => per-frame values, waveform envelope) of mono samples at SAMPLE_RATE."""
    import librosa
    sr, frames = SAMPLE_RATE, max(1, math.floor(len(samples) / SAMPLE_RATE * fps))
    if len(samples) < N_FFT:
        samples = np.pad(samples, (0, N_FFT - len(samples)))
    power = np.abs(librosa.stft(samples, n_fft=N_FFT, hop_length=HOP)) ** 2
    freqs = librosa.fft_frequencies(sr=sr, n_fft=N_FFT)
    hop_frame = np.floor(librosa.frames_to_time(np.arange(power.shape[1]), sr=sr, hop_length=HOP) * fps)
    per_frame = lambda series, how: _per_frame(series, hop_frame.astype(int), frames, how)
    values = {"amp": per_frame(librosa.feature.rms(S=np.sqrt(power), frame_length=N_FFT)[0], "mean")}
    for name, (lo, hi) in BANDS.items():
        values[name] = per_frame(power[(freqs >= lo) & (freqs < hi)].sum(axis=0), "mean")
    strength = librosa.onset.onset_strength(y=samples, sr=sr, hop_length=HOP)
    values["onset"] = _decay(per_frame(strength[:len(hop_frame)], "max"), 0.5 ** (1 / (ONSET_HALF_LIFE * fps)))
    values = {k: _unit(v) for k, v in values.items()}
    tempo, beats = librosa.beat.beat_track(onset_envelope=strength, sr=sr, hop_length=HOP, units="time",
                                             trim=False)
    beat = np.zeros(frames)
    hits = np.floor(_heard(np.asarray(beats), strength) * fps + 1e-6).astype(int)
    beat[hits[hits < frames]] = 1.0
    if len(beats) > 2:  # the beats' own spacing: finer than the tempogram's bins
        tempo = 60 * (len(beats) - 1) / (beats[-1] - beats[0])
    values["beat"], values["tempo"] = beat, np.full(frames, float(np.atleast_1d(tempo)[0]))
    edges = np.minimum((np.arange(frames + 1) * SAMPLE_RATE / fps).astype(int), len(samples) - 1)
    envelope = np.array([(samples[a:b + 1].min(), samples[a:b + 1].max()) for a, b in zip(edges[:-1], edges[1:])])
    return values, envelope


def _heard(beats: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """The beats without the ones the tracker carries on past the sound: at either end of the track,
    a beat with no onset near it (under a tenth of the beats' typical strength) is dropped (the
    tempo is still taken from all of them)."""
    import librosa
    if not len(beats):
        return beats
    steps = librosa.time_to_frames(beats, sr=SAMPLE_RATE, hop_length=HOP)
    near = np.array([strength[max(0, s - 2):s + 3].max() if s < len(strength) else 0.0 for s in steps])
    heard, keep = near >= 0.1 * np.median(near), np.ones(len(beats), bool)
    for order in (range(len(beats)), range(len(beats) - 1, -1, -1)):
        for i in order:
            if heard[i]:
                break
            keep[i] = False
    return beats[keep]


def _per_frame(series: np.ndarray, frame_of: np.ndarray, frames: int, how: str) -> np.ndarray:
    """Analysis steps gathered into output frames (mean or max); a frame no step fell in interpolates."""
    n = min(len(series), len(frame_of))
    series, frame_of = series[:n], frame_of[:n]
    keep = frame_of < frames
    series, frame_of = series[keep], frame_of[keep]
    counts = np.bincount(frame_of, minlength=frames)
    if how == "max":
        out = np.full(frames, -np.inf)
        np.maximum.at(out, frame_of, series)
    else:
        out = np.bincount(frame_of, weights=series, minlength=frames) / np.maximum(counts, 1)
    have = counts > 0
    return np.interp(np.arange(frames), np.flatnonzero(have), out[have]) if have.any() else np.zeros(frames)


def _decay(values: np.ndarray, factor: float) -> np.ndarray:
    out = values.copy()
    for t in range(1, len(out)):
        out[t] = max(out[t], out[t - 1] * factor)
    return out


def _unit(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return np.clip(values / top, 0, 1) if top > 0 else np.zeros_like(values)


def _smoothed(values: dict, fps: float, smooth) -> dict:
    if not smooth:
        return values
    from scipy.ndimage import gaussian_filter1d
    each = dict(smooth) if isinstance(smooth, Mapping) else {k: smooth for k in FEATURES if k not in ("beat", "tempo")}
    return {k: gaussian_filter1d(v, each[k] * fps, mode="nearest") if each.get(k) and k != "tempo" else v
            for k, v in values.items()}
