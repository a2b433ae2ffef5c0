"""The gradient tricks side by side: the same frame dreamed with `normalize: std`, `laplacian` and
`smooth`, and what each does to the gradient's spectrum.

Dreams the sample photo with the offline default model once per setting (same seed, so the
same rolls) and prints one JSON object: per setting, the share of the step direction's energy
in each octave band of spatial frequency (cycles per pixel, from the frame's first step), the
objective before and after, and the seconds it took. With --sheet it writes the labelled
side-by-side picture (docs/media/gradient_tricks.jpg).

    python benchmarks/gradient_tricks.py --sheet docs/media/gradient_tricks.jpg
"""
import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

from dreamanim.preset import DreamSettings

REPO = Path(__file__).resolve().parents[1]
SETTINGS = {
    "std": {},
    "laplacian": {"normalize": "laplacian"},
    "smooth: 1.5": {"smooth": 1.5},
    "smooth: [0.5, 1, 2]": {"smooth": [0.5, 1.0, 2.0]},
}
BANDS = (1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2 ** 0.5 + 1e-9)


def band_energies(grad):
    g = grad - grad.mean(axis=(0, 1))
    power = (np.abs(np.fft.fft2(g, axes=(0, 1))) ** 2).sum(-1)
    radius = np.hypot(np.fft.fftfreq(g.shape[0])[:, None], np.fft.fftfreq(g.shape[1])[None, :])
    energy = np.array([power[(radius >= lo) & (radius < hi)].sum() for lo, hi in zip(BANDS[:-1], BANDS[1:])])
    return energy / energy.sum()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, default=288)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--octaves", type=int, default=4)
    p.add_argument("--sheet", help="write the side-by-side picture here (.jpg or .png)")
    args = p.parse_args()

    import tensorflow as tf
    from dreamanim.engine.dreamer import dreamer_for
    from dreamanim.engine.tensorflow.objectives import step_direction
    from dreamanim.source.pixels import load_image
    frame = load_image(REPO / "presets" / "chelsea.png", args.size)
    dreamer = dreamer_for("efficientnet_lite0")
    report, pairs = {}, [("input", frame)]
    for label, trick in SETTINGS.items():
        settings = DreamSettings(steps=args.steps, octaves=args.octaves, **trick)
        spec = dreamer.spec(settings)
        raw = tf.constant(dreamer.tiled_gradient(frame, settings))
        sigmas = tf.constant(spec.sigmas(settings), tf.float32, shape=(spec.smooth,))
        bands = band_energies(step_direction(raw, spec, sigmas).numpy())
        start = time.perf_counter()
        dreamed = dreamer.dream(frame, settings, np.random.default_rng(0))
        seconds = time.perf_counter() - start
        report[label] = {"band_energy": dict(zip([f"{lo:.3g}-{hi:.3g}" for lo, hi in zip(BANDS[:-1], BANDS[1:])],
                                                 [round(float(b), 3) for b in bands])),
                         "objective": [round(dreamer.objective(frame, settings), 1),
                                       round(dreamer.objective(dreamed, settings), 1)],
                         "seconds": round(seconds, 2)}
        pairs.append((label, dreamed))
    print(json.dumps(report, indent=1))
    if args.sheet:
        import imageio.v3 as iio
        from dreamanim.rendering.gallery import gallery_sheet
        iio.imwrite(args.sheet, np.asarray(gallery_sheet(pairs, columns=len(pairs)).convert("RGB")), quality=88)


if __name__ == "__main__":
    main()
