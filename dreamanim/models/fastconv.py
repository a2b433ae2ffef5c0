"""Convolutions whose input gradient runs as fast as their forward pass.

TensorFlow's Conv2DBackpropInput runs at 44-107 GFLOP/s on this kind of CPU where the
forward Conv2D runs at ~130 (benchmarks/conv_grad.py). For a stride-1 SAME convolution with
an odd kernel the input gradient IS a forward convolution of the upstream gradient with
the kernel flipped in space and transposed in channels, so we compute it that way. Dreaming
only ever needs gradients with respect to the image: kernels are constants here.
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


def _fast_grad_conv(kernel):
    flipped = tf.reverse(tf.transpose(kernel, [0, 1, 3, 2]), [0, 1])

    @tf.custom_gradient
    def conv(x):
        def grad(dy):
            return tf.nn.conv2d(dy, flipped, 1, "SAME")
        return tf.nn.conv2d(x, kernel, 1, "SAME"), grad

    return conv
