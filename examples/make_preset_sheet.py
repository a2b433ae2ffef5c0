"""Preset thumbnails and the side-by-side sheet of them all.

A preset's thumbnail (presets/thumbnails/NAME.jpg, the README's table, the studio's cards) is
the frame two thirds of the way through its full-size render as it plays (frame index
2N // 3 of the N frames, in `loop` order: a reversed preset's from the end), scaled to 240 px
wide (Lanczos) and saved as a JPEG at quality 82. The sheet puts every thumbnail side by
side, labelled with its preset's name: the presets before issue 21 first, then issue 21's.

    dreamanim render presets/NAME.yaml -o renders/NAME      # the full render, as shipped
    python examples/make_preset_sheet.py --thumbnail renders/NAME   # => presets/thumbnails/NAME.jpg
    python examples/make_preset_sheet.py                    # => docs/media/preset_sheet.jpg
"""
import argparse
import sys
from pathlib import Path

import yaml
from PIL import Image

from dreamanim.rendering.contact_sheet import frame_files, grid

REPO = Path(__file__).resolve().parents[1]
THUMBNAILS = REPO / "presets" / "thumbnails"
SHEET = REPO / "docs" / "media" / "preset_sheet.jpg"
WIDTH, QUALITY = 240, 82
CELL = 180  # the sheet's cells, px (the thumbnails scaled down: a modest JPEG)
sys.path.insert(0, str(REPO / "benchmarks"))
from distinctness import NEW  # noqa: E402  (issue 21's presets: one list for the sheet and the measure)


def thumbnail(render: Path, out: Path) -> Path:
    """The thumbnail of a render (its OUTPUT base: OUTPUT.frames/ and OUTPUT.preset.yaml)."""
    render = Path(render)
    frames = frame_files(render.with_name(render.name + ".frames"))
    loop = (yaml.safe_load(render.with_name(render.name + ".preset.yaml").read_text()) or {}).get("loop")
    if loop == "reverse":
        frames = frames[::-1]
    picture = Image.open(frames[2 * len(frames) // 3]).convert("RGB")
    picture = picture.resize((WIDTH, round(picture.height * WIDTH / picture.width)), Image.LANCZOS)
    out.parent.mkdir(parents=True, exist_ok=True)
    picture.save(out, quality=QUALITY)
    return out


def sheet(folder: Path = THUMBNAILS, columns: int = 6) -> Image.Image:
    names = sorted(p.stem for p in folder.glob("*.jpg"))
    order = [n for n in names if n not in NEW] + [n for n in NEW if n in names]
    return grid([Image.open(folder / f"{n}.jpg") for n in order], order, columns=columns, cell=CELL)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--thumbnail", metavar="RENDER", nargs="+",
                   help="make presets/thumbnails/NAME.jpg from these renders (OUTPUT bases named like their presets)")
    p.add_argument("-o", "--output", type=Path, default=SHEET, help=f"the sheet (default {SHEET.relative_to(REPO)})")
    p.add_argument("--columns", type=int, default=6)
    args = p.parse_args()
    if args.thumbnail:
        for render in args.thumbnail:
            print(thumbnail(Path(render), THUMBNAILS / f"{Path(render).name}.jpg"))
        return
    picture = sheet(columns=args.columns)
    picture.save(args.output, quality=QUALITY)
    print(args.output, f"{picture.width}x{picture.height}")


if __name__ == "__main__":
    main()
