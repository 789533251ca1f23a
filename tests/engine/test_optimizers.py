"""Optimizer configs build the Keras optimizers they name, with their hyperparameters."""

import numpy as np
import pytest

from engine.training.optimizers import OPTIMIZERS, OptimizerConfig, build_optimizer


def numpy_adam(gradients, learning_rate, beta_1, beta_2=0.999, epsilon=1e-7):
    """Adam's updates by its formula, from a weight of 0 (Keras's epsilon placement)."""
    weight, mean, square = 0.0, 0.0, 0.0
    for step, gradient in enumerate(gradients, start=1):
        mean = beta_1 * mean + (1 - beta_1) * gradient
        square = beta_2 * square + (1 - beta_2) * gradient**2
        rate = learning_rate * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
        weight -= rate * mean / (np.sqrt(square) + epsilon)
    return weight


@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_adams_momentum_is_its_beta_1(momentum):
    import keras

    optimizer = build_optimizer(OptimizerConfig("adam", 0.1, momentum))
    weight = keras.Variable(np.zeros(1, np.float32))
    optimizer.build([weight])
    gradients = [1.0, -3.0, 0.5]
    for gradient in gradients:
        optimizer.apply([np.array([gradient], np.float32)], [weight])
    assert float(weight.numpy()[0]) == pytest.approx(numpy_adam(gradients, 0.1, momentum), rel=1e-4)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_builds_with_the_learning_rate(name):
    optimizer = build_optimizer(OptimizerConfig(name, 0.02))
    assert float(optimizer.learning_rate) == pytest.approx(0.02)
