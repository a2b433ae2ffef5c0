"""Objective: a weighted sum over layers of each activation's mean (or mean of squares).

Means, not sums, so a big layer does not drown a small one; negative weights suppress a layer.
"""
from typing import Callable

import tensorflow as tf

REDUCERS: dict[str, Callable[[tf.Tensor], tf.Tensor]] = {
    "meansq": lambda a: tf.reduce_mean(tf.square(a)),
    "mean": tf.reduce_mean,
}


def layer_objective(layers: dict[str, float], reduce: str) -> Callable[[dict], tf.Tensor]:
    """(activations by layer name) => scalar to maximise."""
    reducer = REDUCERS[reduce]

    def objective(activations: dict) -> tf.Tensor:
        return tf.add_n([weight * reducer(activations[name]) for name, weight in layers.items()])

    return objective
