"""Where the first frame comes from: an image file or seeded noise => float32 H×W×3 in 0..255."""
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image

from .errors import InputError


def load_source(image: Optional[Path], size: int, seed: int, where: str = "input") -> np.ndarray:
    return noise(size, seed) if image is None else load_image(image, size, where)


def load_image(path: Path, size: int, where: str = "input") -> np.ndarray:
    """Read any image imageio reads; RGB; resized so its longer side is `size`."""
    return fit(read_rgb8(path, where), size)


def read_rgb8(path: Path, where: str = "input") -> np.ndarray:
    """The first image in the file as 8-bit RGB, or an InputError naming the file."""
    import imageio.v3 as iio
    try:
        pixels = iio.imread(path, index=0) if path.suffix.lower() in {".gif", ".tif", ".tiff"} \
            else iio.imread(path)
    except Exception as exc:  # imageio raises many kinds; the user needs one line
        reason = str(exc).strip().split("\n")[0] or type(exc).__name__
        raise InputError(where, f"cannot read image {path}: {reason}",
                         "use a PNG or JPEG file, or `input: noise`") from None
    return to_rgb8(pixels)


def to_rgb8(pixels: np.ndarray) -> np.ndarray:
    a = np.asarray(pixels)
    if a.dtype != np.uint8:  # 16-bit or float images: scale their range to 0..255
        hi = 65535.0 if a.dtype == np.uint16 else (1.0 if a.max() <= 1.0 else 255.0)
        a = np.clip(a.astype(np.float64) / hi * 255.0, 0, 255).astype(np.uint8)
    if a.ndim == 2:
        a = np.stack([a] * 3, axis=-1)
    if a.shape[-1] == 4:  # composite transparency on white
        alpha = a[..., 3:4].astype(np.float32) / 255.0
        a = (a[..., :3] * alpha + 255.0 * (1 - alpha)).astype(np.uint8)
    return a[..., :3]


def fit(rgb8: np.ndarray, size: int) -> np.ndarray:
    """Resize so the longer side is `size` pixels (Lanczos), as float32 0..255."""
    h, w = rgb8.shape[:2]
    scale = size / max(h, w)
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    img = Image.fromarray(rgb8).resize(new, Image.LANCZOS) if new != (w, h) else Image.fromarray(rgb8)
    return np.asarray(img, dtype=np.float32)


def noise(size: int, seed: int) -> np.ndarray:
    """Grey with a little seeded colour noise: enough texture for features to start growing."""
    rng = np.random.default_rng([seed, 0x5EED])
    return (100.0 + rng.uniform(0, 32, (size, size, 3))).astype(np.float32)
