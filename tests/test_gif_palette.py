"""GIF palette: smooth areas without bands, colours that change over the animation followed,
static content without flicker, and memory that does not grow with the frame count."""
import io
import tracemalloc

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

from dreamanim.outputs.gif_stream import GifStream
from dreamanim.source.pixels import load_image

from conftest import SAMPLE


def gif_round_trip(frames):
    buf = io.BytesIO()
    gif = GifStream(buf, fps=10)
    for f in frames:
        gif.add(f)
    gif.close()
    im = Image.open(io.BytesIO(buf.getvalue()))
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append(np.asarray(im.convert("RGB"), np.float64))
    return out


def banding(original, written):
    """Quantisation error that survives a blur: bands and colour shifts the eye sees (dither
    noise, which averages out, does not count)."""
    return np.abs(gaussian_filter(written - original, (2, 2, 0))).mean()


def smooth_scene(h=48, w=64):
    y, x = np.mgrid[0:h, 0:w] / 64
    return np.clip(np.stack([120 + 100 * np.sin(3 * x), 110 + 90 * np.cos(2.5 * y),
                             90 + 80 * np.sin(2 * (x + y))], -1), 0, 255).astype(np.uint8)


def test_smooth_areas_have_no_bands():
    # An undithered 256-colour median cut (the previous writer) scores 0.71 and 1.16 here.
    cat = np.rint(load_image(SAMPLE, 64)).astype(np.uint8)
    for picture, limit in ((cat, 0.5), (smooth_scene(), 0.8)):
        assert len(np.unique(picture.reshape(-1, 3), axis=0)) > 256  # really needs quantising
        (written,) = gif_round_trip([picture])
        assert banding(picture.astype(np.float64), written) < limit
        assert np.abs(written - picture).mean() < 5


def ramp(rgb, h=48, w=64):
    """A smooth ramp in one hue (over a thousand colours of it)."""
    y, x = np.mgrid[0:h, 0:w]
    level = 30 + 200 * (0.6 * x / w + 0.2 * (np.sin(y / 7) + 1))
    return np.clip(level[..., None] * np.array(rgb) + 10 * y[..., None] / h, 0, 255).astype(np.uint8)


def test_colours_that_change_over_the_animation_are_followed():
    # Like a hue cycle (color_shift): a palette made for the first frame cannot draw the others.
    frames = [ramp(rgb) for rgb in ([1, .2, .1], [.1, 1, .3], [.2, .3, 1], [1, .9, .2])]
    for original, written in zip(frames, gif_round_trip(frames)):
        assert banding(original.astype(np.float64), written) < 0.8
        assert np.abs(written - original).mean() < 4


def test_a_still_picture_does_not_flicker():
    picture = smooth_scene()
    written = gif_round_trip([picture] * 3)
    assert np.array_equal(written[0], written[1]) and np.array_equal(written[1], written[2])


def test_memory_stays_flat_however_many_frames(tmp_path):
    frames = [np.roll(smooth_scene(96, 128), t, axis=1) for t in range(8)]

    def peak(count):
        with open(tmp_path / f"{count}.gif", "wb") as fp:
            gif = GifStream(fp, fps=10)
            tracemalloc.start()
            for t in range(count):
                gif.add(frames[t % len(frames)])
            gif.close()
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return top
    assert peak(60) < peak(6) + 96 * 128 * 3  # less than one more frame's worth
