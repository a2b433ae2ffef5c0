"""How different the shipped presets look, measured: distances between their thumbnails'
EfficientNet-Lite0 penultimate features.

Each thumbnail in presets/thumbnails/ (the frame two thirds of the way, as the README's table
shows it) goes through the offline default model as it is stored (240 px wide, no resizing);
its `head` layer (1280 channels, the last layer before the classifier) is average-pooled over
the picture, which is exactly what the classifier reads. The distance of two presets is the
cosine distance of those pooled vectors (1 - cos; 0 = the same features, and since the head
is a ReLU6 every feature is >= 0, so it stays within 0..1). Prints JSON lines: the settings;
the mean pairwise distance over the presets that came before issue 21 ("old") and over all of
them ("old+new"); then, for each of issue 21's presets, its nearest neighbour among all the
others and the distance to it.

    python benchmarks/distinctness.py
    python benchmarks/distinctness.py --each     # also every preset's nearest neighbour
"""
import argparse
import itertools
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
THUMBNAILS = REPO / "presets" / "thumbnails"
MODEL, LAYER = "efficientnet_lite0", "head"
# The presets issue 21 ("Range") added; every other thumbnail is the "old" set.
NEW = ("pagoda_zoom", "birds_to_dogs", "jellyfish", "channel_pick", "lite2_deep_zoom", "painterly")


def pooled_features(paths) -> dict[str, np.ndarray]:
    """name => the thumbnail's head layer, average-pooled (1280 numbers)."""
    import imageio.v3 as iio
    from dreamanim.engine.dreamer import dreamer_for
    dreamer = dreamer_for(MODEL)
    out = {}
    for path in paths:
        rgb = iio.imread(path)[..., :3].astype(np.float32)
        positions = dreamer.backend.guide_features(dreamer.net, rgb, [LAYER])[LAYER]  # (N, 1280), N <= 1024
        out[path.stem] = dreamer.backend.to_numpy(positions).mean(axis=0)
    return out


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(1.0 - a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def mean_pairwise(features: dict[str, np.ndarray], names) -> float:
    pairs = list(itertools.combinations(sorted(names), 2))
    return sum(cosine_distance(features[a], features[b]) for a, b in pairs) / len(pairs)


def nearest(features: dict[str, np.ndarray], name: str) -> tuple[str, float]:
    return min(((other, cosine_distance(features[name], features[other]))
                for other in features if other != name), key=lambda pair: pair[1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--thumbnails", type=Path, default=THUMBNAILS, help="a folder of NAME.jpg thumbnails")
    p.add_argument("--each", action="store_true", help="also print every old preset's nearest neighbour")
    args = p.parse_args()
    paths = sorted(args.thumbnails.glob("*.jpg"))
    features = pooled_features(paths)
    new = [name for name in NEW if name in features]
    old = [name for name in features if name not in NEW]
    from PIL import Image
    sizes = sorted({"x".join(map(str, Image.open(path).size)) for path in paths})
    print(json.dumps({"settings": {"model": MODEL, "features": f"{LAYER}, average-pooled (1280)",
                                   "distance": "cosine distance, 1 - cos", "thumbnails": str(args.thumbnails),
                                   "sizes": sizes, "old": len(old), "new": len(new)}}))
    print(json.dumps({"set": "old", "presets": len(old), "mean_pairwise_distance": round(mean_pairwise(features, old), 4)}))
    if new:
        print(json.dumps({"set": "old+new", "presets": len(features),
                          "mean_pairwise_distance": round(mean_pairwise(features, features), 4)}))
        print(json.dumps({"set": "new", "presets": len(new),
                          "mean_pairwise_distance": round(mean_pairwise(features, new), 4)}))
    for name in new + (old if args.each else []):
        other, distance = nearest(features, name)
        print(json.dumps({"preset": name, "new": name in new, "nearest": other, "distance": round(distance, 4)}))


if __name__ == "__main__":
    main()
