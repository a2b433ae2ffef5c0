"""The TensorFlow backend: the only package that imports tensorflow or keras (the networks, their weights, the traced step)."""
