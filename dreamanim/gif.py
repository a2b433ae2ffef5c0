"""A streaming animated-GIF writer: frames go to the file one by one, memory stays flat.

Pillow quantises each frame (median cut, 256 colours) and LZW-encodes it as a one-frame GIF;
we copy that frame's colour table and image data into our file as a local-palette frame.
(imageio's legacy streaming GIF writer writes corrupt files with Pillow >= 11, and its
current Pillow plugin keeps every frame in memory until the file is closed.)
"""
import io
import struct

import numpy as np
from PIL import Image


class GifStream:
    def __init__(self, fp, *, fps: float, loops: int = 0):
        self.fp = fp
        self.delay_cs = max(2, round(100 / fps))  # browsers treat delays under 2 cs as 10 cs
        self.loops = loops
        self.size = None

    def add(self, rgb8: np.ndarray) -> None:
        h, w = rgb8.shape[:2]
        if self.size is None:
            self.size = (w, h)
            self._header(w, h)
        image = Image.fromarray(rgb8).quantize(256, method=Image.Quantize.MEDIANCUT)
        table, table_bits, interlaced, data = _one_frame(image)
        self.fp.write(b"\x21\xF9\x04" + bytes([1 << 2]) + struct.pack("<H", self.delay_cs) + b"\x00\x00")
        self.fp.write(b"\x2C" + struct.pack("<HHHH", 0, 0, w, h) + bytes([0x80 | interlaced | table_bits]))
        self.fp.write(table)
        self.fp.write(data)

    def close(self) -> None:
        self.fp.write(b"\x3B")

    def _header(self, w: int, h: int) -> None:
        self.fp.write(b"GIF89a" + struct.pack("<HH", w, h) + b"\x00\x00\x00")
        if self.loops != 1:  # the NETSCAPE block repeats the animation; without it it plays once
            repeats = 0 if self.loops == 0 else self.loops - 1
            self.fp.write(b"\x21\xFF\x0BNETSCAPE2.0\x03\x01" + struct.pack("<H", repeats) + b"\x00")


def _one_frame(image: Image.Image) -> tuple[bytes, int, int, bytes]:
    """(colour table, its size bits, interlace flag, LZW data with terminator) of a one-frame GIF."""
    buf = io.BytesIO()
    image.save(buf, format="GIF", optimize=False, interlace=False)
    b = buf.getvalue()
    pos, table, bits = 13, b"", 0
    if b[10] & 0x80:  # global colour table
        bits = b[10] & 0x07
        table = b[13:13 + 3 * (2 << bits)]
        pos += len(table)
    while b[pos] == 0x21:  # skip extensions
        pos += 2
        while b[pos]:
            pos += b[pos] + 1
        pos += 1
    assert b[pos] == 0x2C, "Pillow wrote an unexpected GIF layout"
    packed = b[pos + 9]
    pos += 10
    if packed & 0x80:  # a local table wins over the global one
        bits = packed & 0x07
        table = b[pos:pos + 3 * (2 << bits)]
        pos += len(table)
    start = pos
    pos += 1  # LZW minimum code size
    while b[pos]:
        pos += b[pos] + 1
    return table, bits, packed & 0x40, b[start:pos + 1]
