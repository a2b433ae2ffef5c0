"""Colour drift of a long feedback loop, with and without `color_lock`.

Renders the preset (default presets/color_lock.yaml) at a small size once per colour-lock
mode, frames only (no videos), and prints one JSON object: for each mode, the mean brightness
(mean of R, G, B, 0..255) and mean HSV saturation (0..1) of the chosen frames, the largest
brightness change from frame 0 over all frames (in %), and the seconds it took.

    python benchmarks/color_drift.py                       # 300 frames, 128 px, 2 steps x 2 octaves
    python benchmarks/color_drift.py --modes off,lab --frames 60 --size 64
"""
import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import imageio.v3 as iio

from dreamanim.rendering.color_lock import mean_brightness_saturation
from dreamanim.preset import load_preset
from dreamanim.rendering.loop import render

REPO = Path(__file__).resolve().parents[1]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default=str(REPO / "presets" / "color_lock.yaml"))
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--frames", type=int, default=300)
    p.add_argument("--steps", type=int, default=2)
    p.add_argument("--octaves", type=int, default=2)
    p.add_argument("--modes", default="off,lab,histogram", help="comma-separated color_lock modes")
    p.add_argument("--strength", type=float, default=None, help="color_lock.strength (default: the preset's)")
    p.add_argument("--at", default="", help="frames to report (default: 0, N/3, 2N/3, N-1)")
    a = p.parse_args()
    at = [int(t) for t in a.at.split(",")] if a.at else sorted({0, a.frames // 3, 2 * a.frames // 3, a.frames - 1})

    report = {"preset": a.preset, "size": a.size, "frames": a.frames, "steps": a.steps, "octaves": a.octaves,
              "modes": {}}
    for mode in a.modes.split(","):
        overrides = [f"size={a.size}", f"frames={a.frames}", f"dream.steps={a.steps}",
                     f"dream.octaves={a.octaves}", f"first_frame.steps={a.steps}",
                     f"first_frame.octaves={a.octaves}", f"color_lock.mode={mode}", "outputs={}"]
        if a.strength is not None:
            overrides.append(f"color_lock.strength={a.strength}")
        preset, folder = load_preset(a.preset, overrides)
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            result = render(preset, folder, Path(tmp) / "drift")
            seconds = time.perf_counter() - started
            stats = [mean_brightness_saturation(iio.imread(f))
                     for f in sorted(result.frames_folder.glob("frame_*.png"))]
        first = stats[0][0]
        report["modes"][mode] = {
            "strength": preset.color_lock.strength if mode != "off" else None,
            "seconds": round(seconds, 1),
            "frames": {t: {"brightness": round(stats[t][0], 1), "saturation": round(stats[t][1], 3)} for t in at},
            "max_brightness_drift_pct": round(100 * max(abs(b / first - 1) for b, _ in stats), 1),
        }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
