"""Write presets/music.wav: an 8-second loop synthesised here (so its licence is ours), made to
show the audio features plainly: 120 BPM, a kick on every beat, a snare on 2 and 4, closed
hi-hats on the eighths and a sawtooth bass line (A, A, C, G, one note per beat pair).

    python examples/make_music.py [OUT.wav]      # 22050 Hz mono 16-bit, ~350 KB
"""
import sys
from pathlib import Path

import numpy as np

from make_sample_clip import write_wav  # this folder: scripts run from it

RATE, BPM, BARS = 22050, 120, 4
BEAT = 60 / BPM
BASS = [55.0, 55.0, 65.41, 49.0]  # A1, A1, C2, G1: one per half bar


def kick(n: int) -> np.ndarray:
    t = np.arange(n) / RATE
    return np.sin(2 * np.pi * (50 * t + 60 * (1 - np.exp(-t * 30)) / 30 * 2)) * np.exp(-t * 9)


def noise_hit(n: int, decay: float, rng, highpass: bool) -> np.ndarray:
    hit = rng.standard_normal(n) * np.exp(-np.arange(n) / RATE * decay)
    return np.diff(hit, prepend=0.0) if highpass else hit  # a first difference: mostly treble


def song(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.zeros(int(RATE * BEAT * 4 * BARS))
    add = lambda start, sound, gain: out.__setitem__(
        slice(int(start * RATE), int(start * RATE) + len(sound)),
        out[int(start * RATE):int(start * RATE) + len(sound)] + gain * sound[:len(out) - int(start * RATE)])
    for beat in range(4 * BARS):
        at = beat * BEAT
        add(at, kick(int(0.35 * RATE)), 0.9)
        if beat % 2 == 1:
            add(at, noise_hit(int(0.2 * RATE), 18, rng, False), 0.35)
        for half in (0, 0.5):
            add(at + half * BEAT, noise_hit(int(0.05 * RATE), 60, rng, True), 0.25)
    t = np.arange(len(out)) / RATE
    note = np.array(BASS)[(t // (2 * BEAT)).astype(int) % len(BASS)]
    phase = np.cumsum(note) / RATE
    gate = np.exp(-(t % (BEAT / 2)) * 6)  # each eighth plucked
    out += 0.3 * (2 * (phase % 1) - 1) * gate
    return out / np.abs(out).max() * 0.9


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "presets" / "music.wav"
    write_wav(out, song(), RATE)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")
