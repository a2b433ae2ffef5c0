"""Make a hard test clip for video coherence: three shots (two scene cuts), objects crossing at
different speeds, one passing behind another (an occlusion), still backgrounds, with sound.

    shot 1 (frames 0-28)   Chelsea the cat, still; the coffee cup slides right fast (9 px/frame),
                           a disc cut from the cat's face drifts left slowly (2 px/frame) and a
                           textured tile crosses diagonally (4 px/frame), passing BEHIND the cup
    shot 2 (frames 29-53)  the coffee photo, the camera panning slowly (1 px/frame); the cat disc
                           crosses it fast (7 px/frame), the tile slowly the other way (3 px/frame)
    shot 3 (frames 54-83)  the cat again, mirrored and closer, still; the cup falls (5 px/frame)
                           while the tile rushes across (11 px/frame) in front of it

3.5 s at 24 fps, 320x180, H.264 yuv420p + AAC (the soundtrack of make_sample_clip.py).
Deterministic. benchmarks/flicker.py --hard makes it in a temporary folder and measures it.
    python examples/make_hard_clip.py [OUTPUT]      (default: hard_clip.mp4 here)
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_sample_clip import cup_cutout, write_clip  # noqa: E402


PRESETS = Path(__file__).resolve().parents[1] / "presets"
FPS, WIDTH, HEIGHT = 24, 320, 180
SHOTS = (29, 25, 30)  # frames per shot: the cuts are at frames 29 (inside a cadence's span) and 54
SUPER = 2             # drawn at twice the size, shrunk with Lanczos: sub-pixel motion stays smooth


def cuts() -> list[int]:
    """The first frame of each shot after the first."""
    return list(np.cumsum(SHOTS)[:-1].astype(int))


def backdrop(photo: Image.Image, box, shift=(0.0, 0.0)) -> Image.Image:
    """The part `box` (left, top, width) of a photo at the frame's aspect, moved by `shift` px."""
    left, top, width = box
    scale = width / (WIDTH * SUPER)
    return photo.transform((WIDTH * SUPER, HEIGHT * SUPER), Image.AFFINE,
                           (scale, 0, left + shift[0], 0, scale, top + shift[1]), resample=Image.BICUBIC)


def disc(photo: Image.Image, box, size: int) -> Image.Image:
    """A soft-edged round cut-out of `box` in a photo, `size` px wide (at SUPER)."""
    part = photo.crop(box).resize((size, size), Image.LANCZOS).convert("RGBA")
    alpha = Image.new("L", (size, size), 0)
    ImageDraw.Draw(alpha).ellipse((4, 4, size - 4, size - 4), fill=255)
    part.putalpha(alpha.filter(ImageFilter.GaussianBlur(3)))
    return part


def tile(size: int, seed: int = 3) -> Image.Image:
    """A square of coloured checks and stripes: hard edges, strong texture for the flow."""
    rng = np.random.default_rng(seed)
    cells = rng.integers(40, 230, (6, 6, 3)).astype(np.uint8)
    pixels = np.kron(cells, np.ones((size // 6 + 1, size // 6 + 1, 1), np.uint8))[:size, :size]
    pixels[::7] = 20  # dark stripes
    return Image.fromarray(pixels).convert("RGBA")


def frames():
    cat = Image.open(PRESETS / "chelsea.png").convert("RGB")
    coffee = Image.open(PRESETS / "coffee.jpg").convert("RGB")
    cup = cup_cutout().resize((90 * SUPER, round(cup_cutout().height * 90 / cup_cutout().width)), Image.LANCZOS)
    face = disc(cat, (130, 20, 330, 220), 70 * SUPER)
    square = tile(56 * SUPER)
    mirrored = cat.transpose(Image.FLIP_LEFT_RIGHT)
    at = lambda x, y: (round(x * SUPER), round(y * SUPER))  # noqa: E731
    for t in range(sum(SHOTS)):
        if t < SHOTS[0]:                       # shot 1: still cat; three crossings, one occlusion
            u = t
            frame = backdrop(cat, (0, 30, cat.width))
            frame.paste(face, at(250 - 2 * u, 20), face)
            frame.paste(square, at(-40 + 4 * u, 10 + 3 * u), square)   # behind the cup...
            frame.paste(cup, at(-60 + 9 * u, 40), cup)                 # ...which is pasted on top
        elif t < SHOTS[0] + SHOTS[1]:          # shot 2: panning coffee; two crossings
            u = t - SHOTS[0]
            frame = backdrop(coffee, (20, 40, 560), shift=(u * SUPER * 1.0 * 560 / (WIDTH * SUPER), 0))
            frame.paste(square, at(260 - 3 * u, 100), square)
            frame.paste(face, at(-70 + 7 * u, 30), face)
        else:                                  # shot 3: still mirrored cat, closer; two crossings
            u = t - SHOTS[0] - SHOTS[1]
            frame = backdrop(mirrored, (60, 60, 360))
            frame.paste(cup, at(200, -60 + 5 * u), cup)
            frame.paste(square, at(-60 + 11 * u, 90), square)
        yield np.asarray(frame.resize((WIDTH, HEIGHT), Image.LANCZOS).convert("RGB"))


def main(output: Path) -> Path:
    return write_clip(output, frames(), (WIDTH, HEIGHT), FPS, sum(SHOTS) / FPS, crf=20,
                      made_by="examples/make_hard_clip.py")

if __name__ == "__main__":
    made = main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("hard_clip.mp4"))
    print(f"wrote {made} ({made.stat().st_size / 1024:.0f} KiB)")
