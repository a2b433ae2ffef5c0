"""Throughput (GFLOP/s) of a 3x3 SAME convolution's forward pass, TensorFlow's input gradient
(Conv2DBackpropInput) and our input gradient (a forward conv with the flipped kernel), at
VGG16's layer shapes. The reason dreamanim/models/fastconv.py exists. Prints JSON lines."""
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf


def gflops(fn, flops, repeats=5):
    fn()
    best = min(_timed(fn) for _ in range(repeats))
    return round(flops / best / 1e9, 1)


def _timed(fn):
    tick = time.perf_counter()
    fn()
    return time.perf_counter() - tick


for hw, cin, cout in [(256, 64, 64), (128, 128, 128), (64, 256, 256), (32, 512, 512)]:
    x = tf.random.normal((1, hw, hw, cin))
    k = tf.random.normal((3, 3, cin, cout))
    dy = tf.random.normal((1, hw, hw, cout))
    flipped = tf.reverse(tf.transpose(k, [0, 1, 3, 2]), [0, 1])
    forward = tf.function(lambda: tf.nn.conv2d(x, k, 1, "SAME"))
    tf_grad = tf.function(lambda: tf.nn.conv2d_transpose(dy, k, (1, hw, hw, cin), 1, "SAME"))
    our_grad = tf.function(lambda: tf.nn.conv2d(dy, flipped, 1, "SAME"))
    flops = 2 * hw * hw * cin * cout * 9
    print(json.dumps({"hw": hw, "cin": cin, "cout": cout,
                      "forward_gflops": gflops(lambda: forward().numpy(), flops),
                      "tf_input_grad_gflops": gflops(lambda: tf_grad().numpy(), flops),
                      "flipped_conv_grad_gflops": gflops(lambda: our_grad().numpy(), flops)}))
