"""Colour lock: (reference frame, mode, strength) => (frame) => the frame with the reference's colours.

A long feedback loop (dream, transform, dream ...) drifts: each dream pushes contrast and
saturation a little, and after a few hundred frames the animation has faded, darkened or
collapsed into one colour. Matching every dreamed frame's colour distribution to frame 0's
(as saved) holds the palette where the animation started, while the shapes keep moving.

- `lab`: per-channel mean and standard deviation in CIELAB (lightness, and the two colour
  axes), a global affine change per channel: keeps every edge and gradient, fixes the overall
  brightness, contrast and colour cast.
- `histogram`: per-channel RGB histogram matching (each channel's values are mapped so their
  distribution is frame 0's): stronger, also fixes the shape of the distribution.
- `strength` (0..1) blends the matched frame with the dreamed one (1 = fully matched).

numpy only; the sRGB <=> Lab conversion (D65) is written out below.
"""
from typing import Callable

import numpy as np

# sRGB (linear) => XYZ, D65 white; the inverse is computed once.
_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)
_WHITE = _RGB_TO_XYZ.sum(axis=1)  # XYZ of RGB (1, 1, 1)
_EPS, _KAPPA = 216 / 24389, 24389 / 27


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """H×W×3 sRGB in 0..255 => CIELAB (L 0..100, a and b about -128..127), float64."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > _EPS, np.cbrt(xyz), (_KAPPA * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """CIELAB => sRGB in 0..255 (float64; colours outside the sRGB cube are clipped)."""
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f ** 3 > _EPS, f ** 3, (116 * f - 16) / _KAPPA) * _WHITE
    linear = np.clip(xyz @ _XYZ_TO_RGB.T, 0, 1)
    c = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    return np.clip(c * 255.0, 0, 255)


def make_color_lock(reference: np.ndarray, mode: str, strength: float) -> Callable[[np.ndarray], np.ndarray]:
    """A function that matches a frame's colours to `reference` (H×W×3, 0..255); `mode` off => identity.

    The reference's statistics are computed once here, not for every frame. The returned
    function takes and returns float32 H×W×3 in 0..255 (the frame's size may differ from
    the reference's: only distributions are compared)."""
    if mode == "off" or strength == 0:
        return lambda frame: frame
    if mode == "lab":
        match = _lab_matcher(reference)
    elif mode == "histogram":
        match = _histogram_matcher(reference)
    else:
        raise ValueError(f"color lock mode must be lab, histogram or off, got {mode!r}")

    def lock(frame: np.ndarray) -> np.ndarray:
        matched = match(frame)
        out = matched if strength == 1 else (1 - strength) * frame + strength * matched
        return np.clip(out, 0, 255).astype(np.float32)
    return lock


class FrameZeroLock:
    """The render's colour lock: frame 0 (as saved, read back through `read_frame_zero`, so a
    resumed render matches) is the reference of every later frame, and passes as it is."""

    def __init__(self, mode: str, strength: float, read_frame_zero: Callable[[], np.ndarray]):
        self.mode, self.strength, self._read = mode, strength, read_frame_zero
        self._lock = None

    def __call__(self, t: int, frame: np.ndarray) -> np.ndarray:
        if t == 0 or self.mode == "off":
            return frame
        if self._lock is None:
            self._lock = make_color_lock(self._read(), self.mode, self.strength)
        return self._lock(frame)


def _lab_matcher(reference: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    ref = rgb_to_lab(reference).reshape(-1, 3)
    ref_mean, ref_std = ref.mean(axis=0), ref.std(axis=0)

    def match(frame: np.ndarray) -> np.ndarray:
        lab = rgb_to_lab(frame)
        mean, std = lab.reshape(-1, 3).mean(axis=0), lab.reshape(-1, 3).std(axis=0)
        # A flat channel (std 0, e.g. a grey frame's a and b) only gets its mean moved:
        # stretching nothing to the reference's spread would divide by zero.
        gain = np.where(std > 1e-6, ref_std / np.maximum(std, 1e-6), 1.0)
        return lab_to_rgb((lab - mean) * gain + ref_mean)
    return match


_QUANTILES = 1024  # the reference's distribution, per channel, as this many quantiles


def _histogram_matcher(reference: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    q = (np.arange(_QUANTILES) + 0.5) / _QUANTILES
    ref_quantiles = np.quantile(np.asarray(reference, np.float64).reshape(-1, 3), q, axis=0)

    def match(frame: np.ndarray) -> np.ndarray:
        flat = np.asarray(frame, np.float64).reshape(-1, 3)
        out = np.empty_like(flat)
        for c in range(3):
            values = np.sort(flat[:, c])
            # Each value's mid-rank CDF (ties share one rank, so flat areas stay flat) ...
            cdf = (np.searchsorted(values, flat[:, c], "left")
                   + np.searchsorted(values, flat[:, c], "right")) / (2 * len(values))
            # ... read off the reference's distribution at that CDF.
            out[:, c] = np.interp(cdf, q, ref_quantiles[:, c])
        return out.reshape(np.shape(frame))
    return match


def mean_brightness_saturation(rgb: np.ndarray) -> tuple[float, float]:
    """(mean of R, G, B in 0..255, mean HSV saturation in 0..1): the drift numbers we report."""
    c = np.asarray(rgb, np.float64)
    hi, lo = c.max(axis=-1), c.min(axis=-1)
    saturation = np.where(hi > 0, (hi - lo) / np.maximum(hi, 1e-9), 0.0)
    return float(c.mean()), float(saturation.mean())
