"""Labelled grids of images: a contact sheet of an animation, or any (image, label) pairs.

    grid(images, labels) => PIL RGB image; each image fitted into a cell, its label under it
    sheet_for(frames_folder, count) => the grid of `count` frames spread evenly over the
                                       animation, first and last included, labelled "frame N"

The sheet's size is a pure function of the inputs (see Layout): with `columns` C, `rows`
R = ceil(n / C), a cell of W x H pixels, `gap` G and a label strip L (0 without labels):

    width  = C * W + (C + 1) * G
    height = R * (H + L) + (R + 1) * G

Pillow and numpy only: `dreamanim sheet` never loads TensorFlow.
"""
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Optional, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..common.pixels8 import to_uint8
from ..errors import InputError

MAX_CELL = 256                  # default cells are at most this many pixels on their longer side
BACKGROUND = (24, 24, 24)       # dark, so the dream's colours stand out and labels read well
LABEL_COLOUR = (214, 214, 214)
_FRAME_FILE = re.compile(r"^frame_(\d+)\.png$")


@dataclass(frozen=True)
class Layout:
    """Where everything goes on a grid of `count` cells."""
    count: int
    columns: int
    cell: tuple[int, int]       # (width, height) of each image area
    gap: int                    # around and between cells
    font_size: int
    labelled: bool

    @property
    def rows(self) -> int:
        return math.ceil(self.count / self.columns)

    @property
    def label_height(self) -> int:
        return round(self.font_size * 1.6) if self.labelled else 0

    @property
    def size(self) -> tuple[int, int]:
        (w, h), g = self.cell, self.gap
        return (self.columns * w + (self.columns + 1) * g,
                self.rows * (h + self.label_height) + (self.rows + 1) * g)

    def origin(self, i: int) -> tuple[int, int]:
        """Top-left corner of cell i's image area (cells fill rows left to right)."""
        row, col = divmod(i, self.columns)
        (w, h), g = self.cell, self.gap
        return g + col * (w + g), g + row * (h + self.label_height + g)


def layout(sizes: Sequence[tuple[int, int]], *, labelled: bool, columns: Optional[int] = None,
           cell: Optional[int | tuple[int, int]] = None, gap: Optional[int] = None,
           font_size: Optional[int] = None) -> Layout:
    """The layout for images of these (width, height) sizes; every default derives from the inputs.

    columns: ceil(sqrt(n)), so the sheet is about square in cells;
    cell: an int is the longer side (the shape follows the largest image); default: the
          largest image, shrunk to MAX_CELL on its longer side (never enlarged);
    font_size: about a tenth of the cell's shorter side, 11..18 px; gap: half of it.
    """
    n = len(sizes)
    if n == 0:
        raise ValueError("a grid needs at least one image")
    if columns is not None and columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}")
    columns = min(n, math.ceil(math.sqrt(n)) if columns is None else columns)
    widest, tallest = max(w for w, _ in sizes), max(h for _, h in sizes)
    if cell is None or isinstance(cell, int):
        longest = min(max(widest, tallest), MAX_CELL) if cell is None else cell
        scale = longest / max(widest, tallest)
        cell = (max(1, round(widest * scale)), max(1, round(tallest * scale)))
    if min(cell) < 1:
        raise ValueError(f"cells must be at least 1 px, got {cell}")
    if font_size is None:
        font_size = min(18, max(11, round(min(cell) / 10)))
    if gap is None:
        gap = max(4, font_size // 2)
    return Layout(n, columns, (int(cell[0]), int(cell[1])), gap, font_size, labelled)


def grid(images: Sequence, labels: Optional[Sequence[str]] = None, *, columns: Optional[int] = None,
         cell: Optional[int | tuple[int, int]] = None, gap: Optional[int] = None,
         font_size: Optional[int] = None) -> Image.Image:
    """A grid of images (PIL images or H x W [x 3] arrays, uint8 or float 0..255), each fitted
    into its cell keeping its aspect ratio, with its label (if given) centred under it."""
    pictures = [_as_rgb(im) for im in images]
    if labels is not None and len(labels) != len(pictures):
        raise ValueError(f"{len(labels)} labels for {len(pictures)} images")
    spec = layout([p.size for p in pictures], labelled=labels is not None, columns=columns,
                  cell=cell, gap=gap, font_size=font_size)
    sheet = Image.new("RGB", spec.size, BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=spec.font_size)
    cw, ch = spec.cell
    for i, picture in enumerate(pictures):
        x, y = spec.origin(i)
        fitted = _fit(picture, spec.cell)
        sheet.paste(fitted, (x + (cw - fitted.width) // 2, y + (ch - fitted.height) // 2))
        if labels is not None:
            text = _shorten(str(labels[i]), font, cw)
            left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
            tx = x + (cw - (right - left)) // 2 - left
            ty = y + ch + (spec.label_height - (bottom - top)) // 2 - top
            draw.text((tx, ty), text, font=font, fill=LABEL_COLOUR)
    return sheet


def pick_evenly(n: int, count: int) -> list[int]:
    """`count` indices spread evenly over 0..n-1, first and last included (all n if n <= count)."""
    if count >= n:
        return list(range(n))
    if count == 1:
        return [0]
    return [(2 * i * (n - 1) + count - 1) // (2 * (count - 1)) for i in range(count)]  # rounded half up


def frame_files(folder: Path) -> list[Path]:
    """The numbered frames a render saved in `folder`, in frame order."""
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _FRAME_FILE.match(p.name))]
    return [p for _, p in sorted(found)]


def sheet_for(frames_folder: Path, count: int = 12, *, columns: Optional[int] = None,
              cell: Optional[int | tuple[int, int]] = None, beats: Collection[int] = ()) -> Image.Image:
    """A contact sheet of up to `count` frames of a render, first and last included, each
    labelled with its frame number (a preview's frames by the frame of the full render
    they stand for); `beats`: the 0-based frames t on a beat of the soundtrack, labelled "· beat"."""
    chosen = frame_numbers(frames_folder, count)
    beats = set(beats)
    return grid([_read_frame(path) for path, _ in chosen],
                [f"frame {number}{' · beat' if number - 1 in beats else ''}" for _, number in chosen],
                columns=columns, cell=cell)


def frame_numbers(frames_folder: Path, count: int) -> list[tuple[Path, int]]:
    """(file, frame number) of `count` frames picked evenly. Numbers count from 1, as the files
    do; a preview's frame i stands for frame i * K + 1 of the full render."""
    folder = Path(frames_folder)
    files = frame_files(folder) if folder.is_dir() else []
    if not files:
        raise InputError(str(folder), "holds no frames (frame_00001.png ...)",
                         "render first, or give the OUTPUT of a render that saved frames")
    every = _preview_every(folder)
    return [(files[i], i * every + 1) for i in pick_evenly(len(files), count)]


def _preview_every(folder: Path) -> int:
    """A preview stores every k-th frame of the real render; its manifest says k."""
    from .store import read_manifest
    try:
        return int(((read_manifest(folder) or {}).get("preview") or {}).get("every", 1))
    except (ValueError, TypeError, AttributeError):
        return 1


def _read_frame(path: Path) -> Image.Image:
    from .frame_check import REDREAM, read_frame
    return Image.fromarray(read_frame(path, None, REDREAM))


def _as_rgb(image) -> Image.Image:
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    a = np.asarray(image)
    if a.dtype != np.uint8:
        a = to_uint8(a)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    return Image.fromarray(a).convert("RGB")


def _fit(picture: Image.Image, cell: tuple[int, int]) -> Image.Image:
    scale = min(cell[0] / picture.width, cell[1] / picture.height)
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    return picture if size == picture.size else picture.resize(size, Image.LANCZOS)


def _shorten(text: str, font, width: int) -> str:
    """The label, cut with an ellipsis if it is wider than its cell."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"
