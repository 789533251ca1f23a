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


@dataclass(frozen=True)
class OptimizerConfig:
    """Which optimizer and its hyperparameters.

    Attributes:
        name: a key of ``OPTIMIZERS``.
        learning_rate: step size, 1e-6 to 10 (changes live without a retrace).
        momentum: velocity decay for "momentum" and "nesterov", Adam's β₁; 0 to 0.999.
    """

    name: str = "sgd"
    learning_rate: float = 0.03
    momentum: float = 0.9

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {self.name!r}. Expected one of: {', '.join(OPTIMIZERS)}.")
        if not MIN_LEARNING_RATE <= self.learning_rate <= MAX_LEARNING_RATE:
            raise ValueError(
                f"Expected a learning rate between {MIN_LEARNING_RATE} and {MAX_LEARNING_RATE}. "
                f"Received: {self.learning_rate}."
            )
        if not 0.0 <= self.momentum <= 0.999:
            raise ValueError(f"Expected momentum between 0 and 0.999. Received: {self.momentum}.")

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
