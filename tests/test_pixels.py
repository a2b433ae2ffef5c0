"""Every Pillow mode a file can hold reads back as the right sRGB picture (pixels.read_rgb8).

Each case builds the image from one known RGB reference, saves it in a format that keeps its
mode, reads it back and compares with a reference conversion. Tolerances: lossless formats
match exactly (or within 1 for rounding through a float); JPEG (quality 95, on smooth
gradients) within a mean of 2 and a maximum of 24 levels.
"""
import os
import struct

import numpy as np
import pytest
from PIL import Image, ImageCms

from dreamanim.errors import InputError
from dreamanim.source.pixels import MIN_SIDE, check_shape, read_rgb8, to_rgb8

H, W = 40, 56


def reference() -> np.ndarray:
    """Smooth colour gradients (JPEG keeps them well) covering dark, light and saturated."""
    y, x = np.mgrid[0:H, 0:W]
    r = 255 * x / (W - 1)
    g = 255 * y / (H - 1)
    b = 127.5 + 120 * np.sin(x / 9.0 + y / 7.0)
    return np.rint(np.dstack([r, g, b])).astype(np.uint8)


REF = reference()
GREY = np.asarray(Image.fromarray(REF).convert("L"))


def saved(tmp_path, img: Image.Image, name: str, **options):
    path = tmp_path / name
    img.save(path, **options)
    return path


def assert_close(got, want, *, mean, most=None):
    assert got.dtype == np.uint8 and got.shape == want.shape, (got.dtype, got.shape, want.shape)
    diff = np.abs(got.astype(int) - want.astype(int))
    assert diff.mean() <= mean, diff.mean()
    assert diff.max() <= (mean if most is None else most), diff.max()


def grey3(grey):
    return np.stack([grey] * 3, axis=-1)


def lossy(got, want):
    assert_close(got, want, mean=2, most=24)


def test_rgb_png_is_exact(tmp_path):
    assert_close(read_rgb8(saved(tmp_path, Image.fromarray(REF), "a.png")), REF, mean=0)


def test_cmyk_jpeg_is_not_washed_out(tmp_path):
    """The bug case: imageio handed over C, M, Y, K and K was taken as alpha (near white)."""
    path = saved(tmp_path, Image.fromarray(REF).convert("CMYK"), "cmyk.jpg", quality=95)
    with Image.open(path) as img:  # Pillow writes Adobe polarity and says so in APP14
        assert img.mode == "CMYK" and "adobe" in img.info
    lossy(read_rgb8(path), REF)


def test_cmyk_jpeg_without_adobe_marker_reads_the_same(tmp_path):
    """Pillow (like browsers) reads every CMYK JPEG in Adobe's inverted polarity, marker or not."""
    path = saved(tmp_path, Image.fromarray(REF).convert("CMYK"), "cmyk.jpg", quality=95)
    data = path.read_bytes()
    at = data.index(b"\xff\xee")  # the APP14 "Adobe" segment: marker, 2-byte length, payload
    length = struct.unpack(">H", data[at + 2:at + 4])[0]
    bare = tmp_path / "bare.jpg"
    bare.write_bytes(data[:at] + data[at + 2 + length:])
    with Image.open(bare) as img:
        assert img.mode == "CMYK" and "adobe" not in img.info
    assert_close(read_rgb8(bare), read_rgb8(path), mean=0)


def test_cmyk_tiff_with_black_ink(tmp_path):
    cmyk = np.dstack([255 - REF, (GREY // 3)[..., None]]).astype(np.uint8)
    img = Image.frombytes("CMYK", (W, H), cmyk.tobytes())
    path = saved(tmp_path, img, "k.tif")
    want = np.asarray(img.convert("RGB"))
    assert_close(read_rgb8(path), want, mean=0)
    assert read_rgb8(path).mean() < REF.mean() - 10  # K darkens, it is not alpha


def test_grey_jpeg(tmp_path):
    lossy(read_rgb8(saved(tmp_path, Image.fromarray(GREY), "l.jpg", quality=95)), grey3(GREY))


def test_ycbcr(tmp_path):
    ycc = Image.fromarray(REF).convert("YCbCr")
    lossy(read_rgb8(saved(tmp_path, ycc, "y.jpg", quality=95)), REF)
    path = saved(tmp_path, ycc, "y.tif")
    with Image.open(path) as img:
        assert img.mode == "YCbCr"
    assert_close(read_rgb8(path), np.asarray(ycc.convert("RGB")), mean=0)
    assert_close(read_rgb8(path), REF, mean=2, most=4)  # 8-bit YCbCr rounding


@pytest.mark.parametrize("with_profile", [True, False])
def test_lab_tiff(tmp_path, with_profile):
    srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB")
    img = ImageCms.buildTransform(srgb, lab, "RGB", "LAB").apply(Image.fromarray(REF))
    img.info.pop("icc_profile", None)  # (apply() tags the result with the LAB profile)
    options = {"icc_profile": ImageCms.ImageCmsProfile(lab).tobytes()} if with_profile else {}
    path = saved(tmp_path, img, "lab.tif", **options)
    with Image.open(path) as back:
        assert back.mode == "LAB" and ("icc_profile" in back.info) == with_profile
    want = np.asarray(ImageCms.buildTransform(lab, srgb, "LAB", "RGB").apply(img))
    assert_close(read_rgb8(path), want, mean=0.01, most=1)  # the file's profile: lcms's Lab identity
    # One step of 8-bit a*/b* moves a channel near 0 by up to ~32 levels (sRGB is steep there).
    assert_close(read_rgb8(path), REF, mean=2, most=40)


def test_hsv_image():
    assert_close(to_rgb8(Image.fromarray(REF).convert("HSV")), REF, mean=1, most=8)  # 8-bit hue: 1.4° steps


def grey16() -> np.ndarray:
    return GREY.astype(np.uint16) * 257  # 0..255 => 0..65535 exactly


@pytest.mark.parametrize("mode,dtype,name", [("I;16", "<u2", "g.png"), ("I;16", "<u2", "g.tif"),
                                             ("I;16B", ">u2", "g.tif")])
def test_16_bit_grey(tmp_path, mode, dtype, name):
    img = Image.frombytes(mode, (W, H), grey16().astype(dtype).tobytes())
    path = saved(tmp_path, img, name)
    with Image.open(path) as back:
        assert back.mode.startswith("I;16"), back.mode
    assert_close(read_rgb8(path), grey3(GREY), mean=0)


def test_16_bit_pgm_opens_as_mode_i(tmp_path):
    path = tmp_path / "g.pgm"
    path.write_bytes(b"P5 %d %d 65535\n" % (W, H) + grey16().astype(">u2").tobytes())
    with Image.open(path) as back:
        assert back.mode == "I"
    assert_close(read_rgb8(path), grey3(GREY), mean=0)


def test_32_bit_signed_tiff_uses_its_whole_range(tmp_path):
    values = np.rint(GREY / 255.0 * (2.0 ** 32 - 1) - 2.0 ** 31).astype(np.int32)
    path = saved(tmp_path, Image.frombytes("I", (W, H), values.tobytes()), "i.tif")
    assert_close(read_rgb8(path), grey3(GREY), mean=1, most=1)


@pytest.mark.parametrize("scale", [1 / 255.0, 1.0])
def test_float_tiff_0_1_or_0_255(tmp_path, scale):
    values = (GREY * scale).astype(np.float32)
    path = saved(tmp_path, Image.frombytes("F", (W, H), values.tobytes()), "f.tif")
    assert_close(read_rgb8(path), grey3(GREY), mean=1, most=1)


def test_float_out_of_range_and_nan():
    values = np.array([[-3.0, np.nan, 0.5, 300.0]], np.float32)
    got = to_rgb8(Image.frombytes("F", (4, 1), values.tobytes()))[0, :, 0]
    assert got.tolist() == [0, 0, 0, 255]  # max > 1: a 0..255 image, so 0.5 is black too


def test_one_bit_png(tmp_path):
    bits = Image.fromarray(GREY).convert("1", dither=Image.Dither.NONE)
    path = saved(tmp_path, bits, "b.png")
    assert_close(read_rgb8(path), grey3(np.where(GREY > 127, 255, 0).astype(np.uint8)), mean=0)


def test_palette_with_transparency_on_white(tmp_path):
    pal = Image.fromarray(REF).quantize(16)
    index = np.asarray(pal)
    path = saved(tmp_path, pal, "p.png", transparency=0)
    colours = np.array(pal.getpalette()[:48], np.uint8).reshape(16, 3)
    want = np.where((index == 0)[..., None], 255, colours[index]).astype(np.uint8)
    assert (index == 0).any()
    assert_close(read_rgb8(path), want, mean=0)


def alpha() -> np.ndarray:
    return np.rint(np.linspace(0, 255, W))[None, :].repeat(H, 0).astype(np.uint8)


def on_white(rgb, a):
    a = a[..., None] / 255.0
    return np.rint(rgb * a + 255 * (1 - a)).astype(np.uint8)


def test_grey_with_alpha_png(tmp_path):
    path = saved(tmp_path, Image.fromarray(np.dstack([GREY, alpha()]), "LA"), "la.png")
    assert_close(read_rgb8(path), grey3(on_white(GREY[..., None], alpha())[..., 0]), mean=0)


def test_rgba_webp_lossless(tmp_path):
    path = saved(tmp_path, Image.fromarray(np.dstack([REF, alpha()])), "a.webp", lossless=True, exact=True)
    assert_close(read_rgb8(path), on_white(REF, alpha()), mean=0, most=1)


def test_animated_gif_gives_its_first_frame(tmp_path):
    frames = [Image.fromarray(np.full((H, W, 3), v, np.uint8)) for v in (30, 220)]
    path = saved(tmp_path, frames[0], "anim.gif", save_all=True, append_images=frames[1:])
    assert_close(read_rgb8(path), np.full((H, W, 3), 30, np.uint8), mean=0)


def test_exif_orientation_is_applied(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    path = saved(tmp_path, Image.fromarray(REF), "o.jpg", quality=95, exif=exif.tobytes())
    lossy(read_rgb8(path), np.rot90(REF, k=-1))


def swapped_primaries_profile() -> bytes:
    """sRGB with its red and green primaries swapped: a file tagged with it stores (G, R, B)."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    entries = {bytes(data[132 + 12 * i:136 + 12 * i]): 132 + 12 * i for i in range(count)}
    r, g = entries[b"rXYZ"], entries[b"gXYZ"]
    data[r + 4:r + 12], data[g + 4:g + 12] = data[g + 4:g + 12], data[r + 4:r + 12]
    return bytes(data)


def test_embedded_icc_profile_is_converted_to_srgb(tmp_path):
    stored = REF[..., [1, 0, 2]]
    path = saved(tmp_path, Image.fromarray(stored), "icc.png", icc_profile=swapped_primaries_profile())
    assert_close(read_rgb8(path), REF, mean=1, most=2)


def test_broken_icc_profile_is_ignored(tmp_path):
    path = saved(tmp_path, Image.fromarray(REF), "bad.png", icc_profile=b"not a profile at all")
    assert_close(read_rgb8(path), REF, mean=0)


def read_error(path, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        read_rgb8(path, "preset.yaml: input", **kw)
    return info.value


def test_unreadable_files_name_the_file_and_the_fix(tmp_path):
    err = read_error(tmp_path / "missing.png")
    assert err.where == "preset.yaml: input" and "missing.png: no such file" in err.what
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    err = read_error(text, fix="use a PNG")
    assert f"cannot read image {text}" in err.what and err.fix == "use a PNG"
    cut = tmp_path / "cut.png"
    cut.write_bytes(saved(tmp_path, Image.fromarray(REF), "whole.png").read_bytes()[:300])
    assert "cannot read image" in read_error(cut).what
    assert "folder" in read_error(tmp_path).what


def test_permission_denied_says_so(tmp_path, monkeypatch):
    path = saved(tmp_path, Image.fromarray(REF), "locked.png")
    if os.geteuid() == 0:  # root reads anything: make Pillow meet the error a user would
        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(path))
        monkeypatch.setattr(Image, "open", denied)
    else:
        path.chmod(0)
    err = read_error(path)
    assert "permission denied" in err.what and "chmod" in err.fix and "PNG" not in err.fix


def test_check_shape():
    check_shape(300, 451, 384)
    check_shape(24, 384, 384)  # a 16:1 strip still has 24 px
    with pytest.raises(InputError) as info:
        check_shape(20, 1000, 384, "preset.yaml: input")
    err = info.value
    assert err.where == "preset.yaml: input"
    assert "1000x20 px" in err.what and "would be 8 px" in err.what and f"{MIN_SIDE} px" in err.what
    assert "crop it to at most 24:1" in err.fix and "raise `size` to 775" in err.fix
    check_shape(20, 1000, 775)  # the size the message asks for is just enough
    with pytest.raises(InputError):
        check_shape(20, 1000, 774)
    with pytest.raises(InputError) as info:
        check_shape(1, 4000, 384)
    assert "size" not in info.value.fix  # 64000 would be over the largest size: only cropping helps
    with pytest.raises(InputError):
        check_shape(0, 10, 384)
