"""Convolutions and max pooling whose input gradients run as fast as their forward passes.

TensorFlow's Conv2DBackpropInput runs at 44-107 GFLOP/s on this kind of CPU where the
forward Conv2D runs at ~130 (benchmarks/conv_grad.py). For a stride-1 SAME convolution with
an odd kernel the input gradient IS a forward convolution of the upstream gradient with
the kernel flipped in space and transposed in channels, so we compute it that way. Dreaming
only ever needs gradients with respect to the image: kernels are constants here.
TensorFlow's MaxPoolGrad is 4-5x slower than the mask-and-broadcast form of max_pool_2x2.
"""
import tensorflow as tf


def conv2d(x, kernel, bias=None, stride: int = 1):
    """SAME convolution (+ bias); stride-1 odd kernels get the fast input gradient."""
    kh, kw = int(kernel.shape[0]), int(kernel.shape[1])
    if stride == 1 and kh % 2 == 1 and kw % 2 == 1:
        y = _fast_grad_conv(kernel)(x)
    else:
        y = tf.nn.conv2d(x, kernel, stride, "SAME")
    return y if bias is None else tf.nn.bias_add(y, bias)


def depthwise_conv2d(x, kernel, bias=None, stride: int = 1):
    """SAME depthwise convolution (+ bias); kernel is (kh, kw, channels, 1)."""
    y = tf.nn.depthwise_conv2d(x, kernel, [1, stride, stride, 1], "SAME")
    return y if bias is None else tf.nn.bias_add(y, bias)


_flipped_kernels: dict = {}  # kernel.ref() => flipped kernel, made once per model


def _flipped(kernel):
    key = kernel.ref()
    if key not in _flipped_kernels:
        # Made eagerly, outside any graph being traced: inside one it would be recomputed
        # every step (grappler does not fold VGG16's 9 MB kernels), ~0.13 s a step at 256 px.
        with tf.init_scope():
            _flipped_kernels[key] = tf.reverse(tf.transpose(kernel, [0, 1, 3, 2]), [0, 1])
    return _flipped_kernels[key]


def _fast_grad_conv(kernel):
    flipped = _flipped(kernel)

    @tf.custom_gradient
    def conv(x):
        def grad(dy):
            return tf.nn.conv2d(dy, flipped, 1, "SAME")
        return tf.nn.conv2d(x, kernel, 1, "SAME"), grad

    return conv


@tf.custom_gradient
def max_pool_2x2(x):
    """2x2 stride-2 SAME max pooling of a (B, H, W, C) tensor with a static shape.

    The gradient goes to every input equal to its window's maximum. TensorFlow picks one
    of tied maxima instead; the two differ only on ties, which after a ReLU are zeros whose
    gradient the ReLU discards anyway."""
    y = tf.nn.max_pool2d(x, 2, 2, "SAME")

    def grad(dy):
        b, h, w, c = x.shape
        hp, wp = h + h % 2, w + w % 2  # SAME pooling of an odd side pads it with -inf
        xp = tf.pad(x, [[0, 0], [0, hp - h], [0, wp - w], [0, 0]], constant_values=float("-inf"))
        windows = tf.reshape(xp, (b, hp // 2, 2, wp // 2, 2, c))
        y6 = tf.reshape(y, (b, hp // 2, 1, wp // 2, 1, c))
        dy6 = tf.reshape(dy, (b, hp // 2, 1, wp // 2, 1, c))
        dx = tf.reshape(tf.where(tf.equal(windows, y6), dy6, 0.0), (b, hp, wp, c))
        return dx[:, :h, :w]

    return y, grad
