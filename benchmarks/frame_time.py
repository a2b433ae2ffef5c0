"""Seconds per frame and peak memory of the dream+transform loop, for given settings.

Prints one JSON line: the settings, the median seconds per frame over --frames frames after
one warm-up frame (which pays for tracing), and the process's peak RSS.
Compare: python ../shared/bench/peer_tfdocs.py --size 256 --frames 4 (VGG16, block4_conv3,
3 octaves x 10 steps, step 0.01, zoom 0.05) with:
    python benchmarks/frame_time.py --model vgg16 --layers block4_conv3 --size 256 \
        --octaves 3 --steps 10 --step-size 0.01 --frames 4
"""
import argparse
import json
import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

from dreamanim.preset import DreamSettings
from dreamanim.motion.context import FrameContext, rng_for
from dreamanim.engine.dreamer import dreamer_for
from dreamanim.engine.models import model_entry, model_precision
from dreamanim.motion.registry import get as get_transform
from dreamanim.source.pixels import fit
from dreamanim.source.pixels import load_image


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="efficientnet_lite0")
    p.add_argument("--layers", default="", help="comma-separated layer names (default: the model's)")
    p.add_argument("--size", type=int, default=384)
    p.add_argument("--octaves", type=int, default=3)
    p.add_argument("--octave-scale", type=float, default=1.4)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--step-size", type=float, default=None)
    p.add_argument("--tile", type=int, default=512)
    p.add_argument("--frames", type=int, default=4)
    p.add_argument("--zoom", type=float, default=0.05)
    p.add_argument("--precision", default="auto", choices=["auto", "float32", "bfloat16"])
    a = p.parse_args()

    entry = model_entry(a.model)
    layers = {name: 1.0 for name in a.layers.split(",")} if a.layers else dict(entry.default_layers)
    settings = DreamSettings(layers=layers, steps=a.steps, step_size=a.step_size, octaves=a.octaves,
                             octave_scale=a.octave_scale, tile_size=a.tile)
    started = time.perf_counter()
    dreamer = dreamer_for(a.model, a.precision)
    load_seconds = time.perf_counter() - started
    frame = source_image(a.size)
    zoom = get_transform("zoom").fn

    times = []
    for t in range(a.frames + 1):  # frame 0 is the warm-up
        tick = time.perf_counter()
        frame = dreamer.dream(frame, settings, rng_for(0, t, "dream"))
        frame = zoom(frame, FrameContext(t, a.frames + 1, rng_for(0, t)), amount=a.zoom)
        times.append(time.perf_counter() - tick)
    print(json.dumps({
        "model": a.model, "layers": layers, "size": list(frame.shape[:2]), "octaves": a.octaves,
        "precision": model_precision(a.model, a.precision),
        "octave_scale": a.octave_scale, "steps": a.steps, "tile": a.tile,
        "step_size": a.step_size or entry.default_step, "frames_timed": a.frames,
        "sec_per_frame_median": round(float(np.median(times[1:])), 3),
        "first_frame_sec": round(times[0], 3), "model_load_sec": round(load_seconds, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "final_objective": round(dreamer.objective(frame, settings), 4), "traces": dreamer.traces,
        "cpu_threads": os.cpu_count()}))


def source_image(size: int) -> np.ndarray:
    """The peer benchmark's astronaut when scikit-image is there, else the bundled cat; square."""
    try:
        import skimage.data
        return fit(skimage.data.astronaut(), size)
    except ImportError:
        from pathlib import Path
        cat = load_image(Path(__file__).resolve().parents[1] / "presets" / "chelsea.png", size)
        return np.ascontiguousarray(cat[:, :cat.shape[0]])


if __name__ == "__main__":
    main()
