"""`dreamanim gallery --channels LAYER [--count N|all]` and `--classes WORD...`: a small tile per channel
(the strongest on the image first) or per class, labelled, on one sheet, all through one traced step."""
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from conftest import SAMPLE, assert_one_line_error
from dreamanim.engine.dreamer import dreamer_for, octave_sizes
from dreamanim.rendering.contact_sheet import BACKGROUND, layout
from dreamanim.rendering.gallery import AtlasSettings, atlas_channels, dream_channel_atlas
from dreamanim.source.pixels import load_image

pytestmark = pytest.mark.slow
QUICK = ["--size", "48", "--steps", "2", "--octaves", "1", "-q"]


def cells(sheet: Image.Image, count: int):
    """The sheet's cell images and label strips, where contact_sheet lays them out."""
    h, w = load_image(SAMPLE, 48).shape[:2]
    spec = layout([(w, h)] * count, labelled=True)
    assert sheet.size == spec.size, (sheet.size, spec.size)
    pixels = np.asarray(sheet).astype(int)
    out = []
    for i in range(count):
        x, y = spec.origin(i)
        (cw, ch), lh = spec.cell, spec.label_height
        out.append((pixels[y:y + ch, x:x + cw], pixels[y + ch:y + ch + lh, x:x + cw]))
    return spec, out


def assert_labelled_tiles_that_differ(sheet, count):
    spec, found = cells(sheet, count)
    for image, label in found:
        assert np.any(np.abs(label - BACKGROUND).sum(-1) > 200), "a cell without its label"
    tiles = [image for image, _ in found[1:]]  # (the first cell is the input)
    for i in range(len(tiles)):
        for j in range(i + 1, len(tiles)):
            assert np.abs(tiles[i] - tiles[j]).mean() > 1, (i, j)
    return spec


def test_the_atlas_ranks_channels_by_the_layers_output_on_the_image():
    frame = load_image(SAMPLE, 48)
    picked = atlas_channels(frame, "efficientnet_lite0", "block9_add", 5)
    net = dreamer_for("efficientnet_lite0").net
    a = net.features(tf.constant(frame[None]), ["block9_add"])["block9_add"].numpy()
    assert picked == np.argsort(-(a ** 2).mean(axis=(0, 1, 2)))[:5].tolist()  # strongest first
    assert atlas_channels(frame, "efficientnet_lite0", "stem", None) == list(range(32))


def test_every_tile_dreams_through_one_traced_step():
    frame = load_image(SAMPLE, 56)
    dreamer = dreamer_for("efficientnet_lite0")
    before = dreamer.traces
    settings = AtlasSettings(size=56, steps=2, octaves=2)
    pairs = dream_channel_atlas(frame, "efficientnet_lite0", "block7_add", [4, 9, 30, 61], settings)
    assert [label for label, _ in pairs] == ["input", "4", "9", "30", "61"]
    assert dreamer.traces - before <= len(octave_sizes(*frame.shape[:2], 2, 1.4))  # not one per tile


def test_cli_channel_atlas_has_the_asked_number_of_labelled_tiles(run_cli, tmp_path):
    out = tmp_path / "atlas.png"
    code, stdout, err = run_cli("gallery", SAMPLE, "--channels", "block9_add", "--count", "5", *QUICK, "-o", out)
    assert code == 0, err
    spec = assert_labelled_tiles_that_differ(Image.open(out), 6)  # the input, then 5 channels
    assert (spec.columns, spec.rows) == (3, 2)


def test_cli_count_all_shows_every_channel(run_cli, tmp_path):
    out = tmp_path / "stem.png"
    code, _, err = run_cli("gallery", "--channels", "stem", "--count", "all", "--size", "48", "--steps", "1",
                           "--octaves", "1", "-o", out)
    assert code == 0, err
    assert "stem channels" in err and "32/32" in err  # the progress bar counts tiles
    spec, _ = cells(Image.open(out), 33)
    assert (spec.columns, spec.rows) == (6, 6)


def test_cli_class_atlas_has_a_tile_per_class(run_cli, tmp_path):
    out = tmp_path / "classes.png"
    code, _, err = run_cli("gallery", "--classes", "goldfinch", "jellyfish", "pagoda", *QUICK, "-o", out)
    assert code == 0, err
    assert_labelled_tiles_that_differ(Image.open(out), 4)


@pytest.mark.parametrize("args, fragments", [
    (["--channels", "block9_add", "--count", "0"], ["--count", "whole number >= 1"]),
    (["--channels", "block9_add", "--count", "113"], ["--count 113", "block9_add has 112 channels", "--count all"]),
    (["--count", "4"], ["--count", "give --channels LAYER"]),
    (["--channels", "block9_ad"], ["block9_ad", "did you mean 'block9_add'"]),
    (["--channels", "block9_add", "--layers", "stem"], ["--layers --channels", "not two of them"]),
    (["--classes", "pagodda"], ["pagodda", "did you mean 'pagoda'"]),
    (["--classes", "goldfinch", "--model", "vgg16"], ["vgg16 has no classifier head"]),
], ids=["count-zero", "count-above", "count-alone", "layer", "two-kinds", "class", "headless"])
def test_cli_bad_values_are_one_line(run_cli, tmp_path, args, fragments):
    if args[-1] in ("0", "stem"):  # as a user runs it (the others in-process: each new process loads TensorFlow)
        run = subprocess.run([sys.executable, "-m", "dreamanim", "gallery", *args, *QUICK, "-o", str(tmp_path / "g.png")],
                             capture_output=True, text=True, timeout=300)
        code, err = run.returncode, run.stderr
    else:
        code, _, err = run_cli("gallery", *args, *QUICK, "-o", tmp_path / "g.png")
    assert_one_line_error(code, err, *fragments)
    assert not (tmp_path / "g.png").exists()
