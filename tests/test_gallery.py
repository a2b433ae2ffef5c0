"""`dreamanim gallery`: one image dreamed once per layer, shallow to deep, on one labelled sheet."""
import numpy as np
import pytest
from PIL import Image

from dreamanim.rendering.contact_sheet import layout
from dreamanim.errors import ModelError
from dreamanim.rendering.gallery import GallerySettings, dream_gallery, gallery_layers

from conftest import SAMPLE, assert_one_line_error

pytestmark = pytest.mark.slow
QUICK = ["--size", "40", "--steps", "1", "--octaves", "1", "-q"]


def sheet_size(cells: int) -> tuple[int, int]:
    """What contact_sheet lays out for `cells` labelled cells of the sample at 40 px."""
    from dreamanim.source.pixels import load_image
    h, w = load_image(SAMPLE, 40).shape[:2]
    return layout([(w, h)] * cells, labelled=True).size


def test_layers_come_shallow_to_deep_whatever_the_order_given():
    assert gallery_layers("vgg16", ["block5_conv3", "block1_conv1", "block3_conv3"]) == [
        "block1_conv1", "block3_conv3", "block5_conv3"]
    assert gallery_layers("efficientnet_lite0")[0] == "block1_project"  # the model's own pick
    with pytest.raises(ModelError, match="did you mean 'block4_conv3'"):
        gallery_layers("vgg16", ["block4_conv33"])


def test_each_layer_dreams_its_own_picture():
    from dreamanim.source.pixels import load_image
    frame = load_image(SAMPLE, 40)
    pairs = dream_gallery(frame, "efficientnet_lite0", ["stem", "block9_add"], GallerySettings(steps=2, octaves=1))
    assert [label for label, _ in pairs] == ["input", "stem", "block9_add"]
    images = [image for _, image in pairs]
    assert all(image.shape == frame.shape for image in images)
    np.testing.assert_array_equal(images[0], frame)
    assert np.abs(images[1] - frame).mean() > 1 and np.abs(images[2] - frame).mean() > 1
    assert np.abs(images[1] - images[2]).mean() > 1  # different layers, different dreams


def test_cli_writes_one_labelled_sheet(run_cli, tmp_path):
    out = tmp_path / "g.png"
    code, stdout, err = run_cli("gallery", SAMPLE, "--model", "vgg16", "--layers", "block2_conv2,block1_conv1",
                                *QUICK, "-o", out)
    assert code == 0, err
    sheet = Image.open(out)
    assert sheet.size == sheet_size(3) and sheet.mode == "RGB"  # the input, then the two layers


def test_cli_progress_bar_counts_layers(run_cli, tmp_path):
    code, _, err = run_cli("gallery", "--layers", "stem,block2_add", "--size", "40", "--steps", "1",
                           "--octaves", "1", "-o", tmp_path / "g.png")
    assert code == 0, err
    assert "layers" in err and "2/2" in err


def test_cli_never_overwrites_without_force(run_cli, tmp_path):
    out = tmp_path / "g.png"
    out.write_bytes(b"mine")
    code, _, err = run_cli("gallery", "--layers", "stem", *QUICK, "-o", out)
    assert_one_line_error(code, err, "g.png", "already exists", "--force")
    assert out.read_bytes() == b"mine"
    code, _, err = run_cli("gallery", "--layers", "stem", *QUICK, "-o", out, "--force")
    assert code == 0, err
    assert Image.open(out).size == sheet_size(2)


@pytest.mark.parametrize("args, fragments", [
    (["--model", "vgg61"], ["unknown model", "did you mean 'vgg16'"]),
    (["--layers", "block9_addd"], ["block9_addd", "did you mean 'block9_add'"]),
    (["missing.png"], ["missing.png"]),
    (["--weights", "missing.h5"], ["missing.h5", "not found"]),
])
def test_cli_bad_input_is_one_line(run_cli, tmp_path, args, fragments):
    code, _, err = run_cli("gallery", *args, *QUICK, "-o", tmp_path / "g.png")
    assert_one_line_error(code, err, *fragments)
    assert not (tmp_path / "g.png").exists()
