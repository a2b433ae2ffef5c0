"""The class dreams side by side in docs/objectives.md (docs/media/objectives_classes.jpg).

Chelsea (presets/chelsea.png) scaled to 288x216 (Pillow's default bicubic resize, as the
picture was first made), dreamed by EfficientNet-Lite0's classifier head at 4 octaves x 10
steps with `normalize: laplacian`, once per setting below, each with the rolls of
np.random.default_rng(0) (as benchmarks/gradient_tricks.py dreams; `dreamanim.dream` seeds its
rolls differently, so it would not give the first picture's frames again); the five results in
a row, 4 px of white between them, saved as a JPEG at quality 88. With the code before the
colour-decorrelated class step this gives the first picture again (within its JPEG's noise).

    python examples/make_objectives_pictures.py             # => docs/media/objectives_classes.jpg
    python examples/make_objectives_pictures.py -o classes.jpg
"""
import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
from PIL import Image

from dreamanim.preset import DreamSettings

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "docs" / "media" / "objectives_classes.jpg"
SIZE, GAP, QUALITY = (288, 216), 4, 88
MODEL = "efficientnet_lite0"
COMMON = {"octaves": 4, "steps": 10, "normalize": "laplacian"}
# Left to right, as the caption in docs/objectives.md lists them.
PANELS = (
    {"classes": ["jellyfish"]},                                    # no smoothing: stripes
    {"classes": ["jellyfish"], "smooth": 1.0, "tv": 0.1},
    {"classes": ["pagoda"], "smooth": 1.0, "tv": 0.1},
    {"classes": ["pagoda"], "smooth": 1.0, "tv": 0.1, "octave_scale": 1.8},
    {"classes": ["goldfinch"], "smooth": [0.5, 1.0, 2.0], "tv": 0.05, "step_size": 0.06},
)


def panels(image: Path = REPO / "presets" / "chelsea.png") -> list[np.ndarray]:
    """The five dreamed frames (216 x 288 x 3 uint8), left to right."""
    from dreamanim.engine.dreamer import dreamer_for
    from dreamanim.common.pixels8 import to_uint8
    frame = np.asarray(Image.open(image).convert("RGB").resize(SIZE), dtype=np.float32)
    dreamer = dreamer_for(MODEL)
    return [to_uint8(dreamer.dream(frame, DreamSettings(**COMMON, **settings), np.random.default_rng(0)))
            for settings in PANELS]


def row(pictures: list[np.ndarray]) -> Image.Image:
    width = sum(p.shape[1] for p in pictures) + GAP * (len(pictures) - 1)
    sheet = Image.new("RGB", (width, max(p.shape[0] for p in pictures)), "white")
    x = 0
    for picture in pictures:
        sheet.paste(Image.fromarray(picture), (x, 0))
        x += picture.shape[1] + GAP
    return sheet


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", type=Path, default=OUTPUT,
                   help=f"the picture (default {OUTPUT.relative_to(REPO)})")
    args = p.parse_args()
    picture = row(panels())
    picture.save(args.output, quality=QUALITY)
    print(args.output, f"{picture.width}x{picture.height}")


if __name__ == "__main__":
    main()
