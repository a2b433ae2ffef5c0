"""An image file, in any mode Pillow opens => uint8 H×W×3 sRGB, upright, transparency on white.

read_rgb8(path, where, fix) reads the first frame of a file; to_rgb8(image) converts an open
Pillow image; check_shape(h, w, size, where) refuses images too thin to render at `size`;
fit(rgb8, size) resizes so the longer side is `size`.

How each mode becomes RGB, and why:
- RGB, RGBX, YCbCr, HSV, P, 1, L: Pillow's own convert('RGB') is exact for these.
- CMYK: Pillow reads CMYK JPEGs in Adobe's inverted polarity (what Photoshop writes and what
  browsers assume, with or without the APP14 marker), so the pixels are ink amounts already;
  then the file's ICC profile when it has one, else Pillow's naive (1-C)(1-K) formula.
- LAB: converted with ImageCms (a D50 LAB profile, the one TIFF CIELab and Pillow assume);
  Pillow's convert('RGB') does LAB only in recent versions, and through the same ImageCms.
- Any embedded ICC profile (RGB, grey, CMYK, LAB) is converted to sRGB with ImageCms; a
  broken or mismatched profile is ignored rather than refusing a picture that is fine.
- Alpha (RGBA, LA, PA, La, RGBa) and palette or grey `transparency` are composited on white.
- I;16, I;16B, I;16L, I;16N: 0..65535. I: the range the file declares (TIFF BitsPerSample
  and SampleFormat); Pillow uses mode I for 16-bit samples elsewhere (PGM, older PNG), so 0..65535.
- F: light values, 0..1 when no pixel exceeds 1 (the float convention) else 0..255 (8-bit
  values kept as floats, as Pillow's convert('F') makes them); clipped, NaN is black.
"""
import functools
import io
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from ..common.pixels8 import to_uint8
from ..errors import InputError

PRESET_IMAGE_FIX = "use a PNG or JPEG file, or `input: noise`"

# The shorter side of the frame at render size. 16 px is also the smallest `size` a preset may
# ask for: a thinner strip gives the network's deeper layers nothing to see and the octaves
# below it nothing to shrink.
MIN_SIDE = 16
_LARGEST_SIZE = 8192  # the preset schema's upper bound for `size`

_ALPHA_MODES = {"RGBA": "RGB", "RGBa": "RGB", "PA": "RGB", "LA": "L", "La": "L"}
_ICC_MODES = {"RGB", "RGBX", "L", "CMYK", "LAB"}


def read_rgb8(path: Path, where: str = "input", fix: str = PRESET_IMAGE_FIX) -> np.ndarray:
    """The first frame of the file, upright (EXIF orientation), as uint8 H×W×3 sRGB.
    Raises InputError(where, "cannot read image PATH: reason", fix); a missing file, a folder or
    a file the user may not read get their own fix, as `fix` is about the file's format."""
    path = Path(path)
    try:
        img = Image.open(path)
        img.load()  # decode now: a truncated or corrupt file fails here, not halfway through a render
    except PermissionError:
        raise InputError(where, f"cannot read image {path}: permission denied",
                         f"make it readable (chmod u+r {path}) or copy it somewhere you can read") from None
    except FileNotFoundError:
        raise InputError(where, f"cannot read image {path}: no such file", "check the path") from None
    except IsADirectoryError:
        raise InputError(where, f"cannot read image {path}: it is a folder", "give an image file") from None
    except UnidentifiedImageError:
        raise InputError(where, f"cannot read image {path}: not an image format Pillow knows", fix) from None
    except OSError as exc:
        if exc.errno is None:  # Pillow's decoders: the file's content is the problem
            raise InputError(where, f"cannot read image {path}: {_reason(exc)}", fix) from None
        raise InputError(where, f"cannot read image {path}: {exc.strerror}",  # the disk's problem, not the format's
                         "check the disk and the file, or copy it somewhere else") from None
    except Exception as exc:  # decoders raise many kinds (SyntaxError, bombs): one line for the user
        raise InputError(where, f"cannot read image {path}: {_reason(exc)}", fix) from None
    with img:
        _upright(img)
        try:
            return to_rgb8(img)
        except ValueError as exc:  # a mode no Pillow plugin should hand over, but a new one might
            raise InputError(where, f"cannot read image {path}: {exc}", fix) from None


def _reason(exc: BaseException) -> str:
    return str(exc).strip().split("\n")[0] or type(exc).__name__


def to_rgb8(img: Image.Image) -> np.ndarray:
    """A loaded Pillow image of any mode as uint8 H×W×3 sRGB (see the module docstring)."""
    mode = img.mode
    if mode in ("I", "F") or mode.startswith("I;16"):
        grey = np.stack([_numeric_to_u8(img)] * 3, axis=-1)
        key = img.info.get("transparency")
        if isinstance(key, int):  # a 16-bit grey PNG's tRNS: the one value that is see-through
            return _on_white(grey, (np.asarray(img) != key) * 255.0)
        return grey
    icc = img.info.get("icc_profile")
    alpha = None
    if mode in _ALPHA_MODES or "transparency" in img.info:
        alpha = np.asarray(img.convert("RGBA"))[..., 3].astype(np.float64)
        img = img.convert(_ALPHA_MODES.get(mode, "L" if mode in ("L", "1") else "RGB"))
    elif mode in ("1", "P"):  # (a palette's colours are what an RGB profile describes)
        img = img.convert("L" if mode == "1" else "RGB")
    if icc and img.mode in _ICC_MODES:
        img = _to_srgb(img, icc) or img
    if img.mode == "LAB":
        img = _apply(_lab_profile(), img, "LAB")
    rgb = np.asarray(img.convert("RGB"))
    return rgb if alpha is None else _on_white(rgb, alpha)


def check_shape(h: int, w: int, size: int, where: str = "input") -> None:
    """Refuse an h×w image whose shorter side would be under MIN_SIDE px once its longer side
    is `size` px (as fit resizes it); the message gives the numbers and the way out."""
    long, short = max(h, w), min(h, w)
    if short < 1:
        raise InputError(where, f"the image is {w}x{h} px: it has no pixels", "use another image")
    at_size = _shorter_at(short, long, size)
    if at_size >= MIN_SIDE:
        return
    needed = max(size, int((MIN_SIDE - 0.5) * long / short) - 1)  # a lower bound; then count up
    while _shorter_at(short, long, needed) < MIN_SIDE:
        needed += 1
    fix = f"crop it to at most {size // MIN_SIDE}:1"
    fix += f", or raise `size` to {needed}" if needed <= _LARGEST_SIZE else ""
    raise InputError(where, f"the image is {w}x{h} px (about {long / short:.0f}:1): at size {size} its "
                            f"shorter side would be {at_size} px, under the {MIN_SIDE} px a frame needs", fix)


def _shorter_at(short: int, long: int, size: int) -> int:
    return max(1, round(short * size / long))  # fit's rounding


def _upright(img: Image.Image) -> None:
    """Turn the image as its EXIF orientation says, in place (so TIFF tags stay readable)."""
    try:
        ImageOps.exif_transpose(img, in_place=True)
    except Exception:  # a malformed EXIF block must not refuse a picture that decodes fine
        pass


def _numeric_to_u8(img: Image.Image) -> np.ndarray:
    """A one-channel integer or float image as H×W uint8, scaled by its type's range."""
    a = np.asarray(img).astype(np.float64)
    if img.mode == "F":
        a = np.nan_to_num(a, nan=0.0, posinf=255.0, neginf=0.0)
        lo, hi = 0.0, (1.0 if a.size == 0 or a.max() <= 1.0 else 255.0)
    else:
        lo, hi = _int_range(img)
    return to_uint8((a - lo) / (hi - lo) * 255.0)


def _int_range(img: Image.Image) -> tuple[float, float]:
    """(lowest, highest) value the samples' integer type can hold."""
    bits, signed = 16, False
    tags = getattr(img, "tag_v2", None)
    if img.mode == "I" and tags is not None:  # a TIFF says what it stored
        bits = _first(tags.get(258)) or 32
        signed = _first(tags.get(339)) == 2
    if signed:
        return -(2.0 ** (bits - 1)), 2.0 ** (bits - 1) - 1
    return 0.0, 2.0 ** bits - 1


def _first(value) -> Optional[int]:
    return value[0] if isinstance(value, tuple) and value else value


def _on_white(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    a = alpha[..., None] / 255.0
    return to_uint8(rgb * a + 255.0 * (1.0 - a))


def _to_srgb(img: Image.Image, icc: bytes) -> Optional[Image.Image]:
    try:
        return _apply(ImageCms.ImageCmsProfile(io.BytesIO(icc)), img, img.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None  # unusable profile: the plain conversion is close, and the picture still renders


def _apply(profile, img: Image.Image, mode: str) -> Image.Image:
    return ImageCms.buildTransform(profile, _srgb(), mode, "RGB").apply(img)


@functools.lru_cache(maxsize=1)
def _srgb():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@functools.lru_cache(maxsize=1)
def _lab_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))  # D50, the ICC connection space


def fit(rgb8: np.ndarray, size: int) -> np.ndarray:
    """Resize so the longer side is `size` pixels (Lanczos), as float32 0..255."""
    h, w = rgb8.shape[:2]
    scale = size / max(h, w)
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    img = Image.fromarray(rgb8).resize(new, Image.LANCZOS) if new != (w, h) else Image.fromarray(rgb8)
    return np.asarray(img, dtype=np.float32)


def load_image(path: Path, size: int, where: str = "input", fix: str = "") -> np.ndarray:
    """Read any image Pillow opens (pixels.read_rgb8); resized so its longer side is `size`;
    an image too thin for `size` is an InputError (pixels.check_shape)."""
    rgb = read_rgb8(Path(path), where, fix or PRESET_IMAGE_FIX)
    check_shape(*rgb.shape[:2], size, where)
    return fit(rgb, size)
