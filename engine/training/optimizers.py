"""Optimizer choices, all ``keras.optimizers``, resolved from string keys.

Plain SGD steps against the gradient; momentum keeps a running velocity so steps speed up
along consistent directions; Nesterov looks ahead before measuring the gradient; AdaGrad
scales each weight's step by the sum of all its past squared gradients, so its steps only
shrink; RMSProp uses a decaying average of them instead, so steps can grow again; Adam
combines momentum with RMSProp's scaling. Adam's momentum is its β₁, the decay of its running
mean of gradients (0.9 by default; GANs train steadier at 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.fields import Declared, choice, number

OPTIMIZERS: dict[str, str] = {
    "sgd": "SGD",
    "momentum": "SGD + momentum",
    "nesterov": "Nesterov momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}
MOMENTUM_OPTIMIZERS = ("momentum", "nesterov", "adam")
MIN_LEARNING_RATE, MAX_LEARNING_RATE = 1e-6, 10.0
MAX_MOMENTUM = 0.99


@dataclass(frozen=True)
class OptimizerConfig(Declared):
    """Which optimizer and its hyperparameters.

    Attributes:
        name: a key of ``OPTIMIZERS``.
        learning_rate: step size, 1e-6 to 10 (changes live without a retrace).
        momentum: velocity decay for "momentum" and "nesterov", Adam's β₁; 0 to 0.99.
    """

    name: str = choice("sgd", OPTIMIZERS, "optimizer", "optimizer")
    learning_rate: float = number(0.03, MIN_LEARNING_RATE, MAX_LEARNING_RATE, "lr", "a learning rate", live=True)
    momentum: float = number(0.9, 0.0, MAX_MOMENTUM, "momentum", "momentum")

    @property
    def uses_momentum(self) -> bool:
        """Whether ``momentum`` affects this optimizer."""
        return self.name in MOMENTUM_OPTIMIZERS


def build_optimizer(config: OptimizerConfig):
    """A new ``keras.optimizers.Optimizer`` for the config."""
    import keras

    rate = config.learning_rate
    if config.name == "sgd":
        return keras.optimizers.SGD(rate)
    if config.name in ("momentum", "nesterov"):
        return keras.optimizers.SGD(rate, momentum=float(config.momentum), nesterov=config.name == "nesterov")
    if config.name == "adagrad":
        return keras.optimizers.Adagrad(rate)
    if config.name == "rmsprop":
        return keras.optimizers.RMSprop(rate)
    return keras.optimizers.Adam(rate, beta_1=float(config.momentum))


def optimizer_code(config: OptimizerConfig) -> str:
    """The Keras constructor call that ``build_optimizer`` makes, as source (for exported scripts)."""
    rate = config.learning_rate
    return {
        "sgd": f"keras.optimizers.SGD({rate!r})",
        "momentum": f"keras.optimizers.SGD({rate!r}, momentum={config.momentum!r})",
        "nesterov": f"keras.optimizers.SGD({rate!r}, momentum={config.momentum!r}, nesterov=True)",
        "adagrad": f"keras.optimizers.Adagrad({rate!r})",
        "rmsprop": f"keras.optimizers.RMSprop({rate!r})",
        "adam": f"keras.optimizers.Adam({rate!r}, beta_1={config.momentum!r})",
    }[config.name]
