"""Every setting of a playground setup, and its round trip through a share link.

A teacher hands out an exact setup as a URL: ``to_query_params`` writes each setting as a
short string, ``from_query_params`` reads them back, clamping out-of-range numbers and
refusing unknown names with a warning each, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.data.features import FEATURES, SCALINGS
from engine.data.planar import DATASETS, MAX_NOISE, MAX_SAMPLES, MIN_SAMPLES
from engine.links import LinkReader
from engine.models.mlp import (
    ACTIVATIONS,
    INITIALIZERS,
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    REGULARIZATIONS,
    NetworkConfig,
)
from engine.training.optimizers import MAX_LEARNING_RATE, MIN_LEARNING_RATE, OPTIMIZERS, OptimizerConfig

LOSSES = ("auto", "mse")
UPLOAD = "upload"  # the data set key of a user's CSV (its points are not part of a link)
MAX_EPOCHS_LIMIT = 100_000
MAX_BATCH_SIZE = MAX_SAMPLES


# The ranges the sidebar offers; a link is clamped to the same ones (a value beyond a widget's
# range would stop the page).
POINTS_RANGE = (MIN_SAMPLES, 2000)
MOMENTUM_RANGE = (0.0, 0.99)

@dataclass(frozen=True)
class PlaygroundSettings:
    """A complete playground setup; the default is the classic circle task.

    Data: ``dataset`` (a key of ``DATASETS`` or "upload"), ``noise``, ``num_samples``,
    ``train_percent``, ``seed`` (data and initial weights), ``features``, ``scaling``.
    Model: ``network``. Training: ``loss`` ("auto" picks cross-entropy for classification,
    "mse" uses squared error as the classic playground does), ``optimizer``,
    ``batch_size``, ``shuffle``, ``early_stopping_patience`` (0 = off), ``max_epochs``
    (0 = no limit).
    """

    dataset: str = "circle"
    noise: float = 0.0
    num_samples: int = 500
    train_percent: int = 50
    seed: int = 1
    features: tuple[str, ...] = ("x1", "x2")
    scaling: str = "none"
    network: NetworkConfig = NetworkConfig()
    loss: str = "auto"
    optimizer: OptimizerConfig = OptimizerConfig(name="sgd", learning_rate=0.03, momentum=0.9)
    batch_size: int = 10
    shuffle: bool = True
    early_stopping_patience: int = 0
    max_epochs: int = 0

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS and self.dataset != UPLOAD:
            raise ValueError(f"Unknown data set {self.dataset!r}. Expected one of: {', '.join(DATASETS)}, upload.")
        if not 10 <= self.train_percent <= 90:
            raise ValueError(f"Expected a training share of 10 to 90 %. Received: {self.train_percent}.")
        if self.loss not in LOSSES:
            raise ValueError(f"Unknown loss {self.loss!r}. Expected one of: {', '.join(LOSSES)}.")
        if not self.features:
            raise ValueError(f"The network has no input: switch on at least one feature "
                             f"({', '.join(FEATURES.values())}).")
        unknown = [name for name in self.features if name not in FEATURES]
        if unknown:
            raise ValueError(f"Unknown feature(s) {', '.join(unknown)}. Expected some of: {', '.join(FEATURES)}.")
        if self.scaling not in SCALINGS:
            raise ValueError(f"Unknown scaling {self.scaling!r}. Expected one of: {', '.join(SCALINGS)}.")
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"Expected a batch size from 1 to {MAX_BATCH_SIZE}. Received: {self.batch_size}.")

    def structure(self) -> tuple:
        """Everything that needs a new run when it changes: data, features and architecture.

        Turning early stopping on or off changes the data too: it holds back a validation split.
        """
        network = self.network
        return (
            self.dataset, self.noise, self.num_samples, self.train_percent, self.seed, self.features,
            self.scaling, self.loss, network.hidden_units, network.activations, network.batch_norm,
            network.kernel_initializer, self.early_stopping_patience > 0,
        )


# ---------------------------------------------------------------------------- share links
def to_query_params(settings: PlaygroundSettings) -> dict[str, str]:
    """Encode a setup as short query parameters (lists comma-separated, booleans 0/1)."""
    network, optimizer = settings.network, settings.optimizer
    return {
        "data": settings.dataset, "noise": f"{settings.noise:g}", "points": str(settings.num_samples),
        "train": str(settings.train_percent), "seed": str(settings.seed),
        "features": ",".join(settings.features), "scaling": settings.scaling,
        "layers": ",".join(map(str, network.hidden_units)), "activations": ",".join(network.activations),
        "dropout": ",".join(f"{rate:g}" for rate in network.dropout_rates),
        "batchnorm": str(int(network.batch_norm)), "reg": network.regularization,
        "reg_rate": f"{network.regularization_rate:g}", "init": network.kernel_initializer,
        "loss": settings.loss, "optimizer": optimizer.name, "lr": f"{optimizer.learning_rate:g}",
        "momentum": f"{optimizer.momentum:g}", "batch": str(settings.batch_size),
        "shuffle": str(int(settings.shuffle)), "patience": str(settings.early_stopping_patience),
        "max_epochs": str(settings.max_epochs),
    }


def from_query_params(params: dict[str, str]) -> tuple[PlaygroundSettings, list[str]]:
    """Decode query parameters into settings, starting from the defaults.

    Returns the settings and a list of warnings, one per value that was clamped or ignored.
    Unknown parameter names are ignored silently (links may carry other apps' parameters).
    """
    reader = LinkReader(params)
    default = PlaygroundSettings()
    network_default, optimizer_default = default.network, default.optimizer
    hidden_units = reader.int_list("layers", network_default.hidden_units, 1, MAX_UNITS, MAX_HIDDEN_LAYERS)
    depth = len(hidden_units)
    activations = reader.choice_list("activations", ACTIVATIONS, depth, "tanh")
    dropout_rates = reader.float_list("dropout", depth, 0.0, 0.9)
    network = NetworkConfig(
        hidden_units=hidden_units, activations=activations, dropout_rates=dropout_rates,
        batch_norm=reader.flag("batchnorm", network_default.batch_norm),
        regularization=reader.choice("reg", REGULARIZATIONS, network_default.regularization),
        regularization_rate=reader.number("reg_rate", network_default.regularization_rate, 0.0, 1.0),
        kernel_initializer=reader.choice("init", INITIALIZERS, network_default.kernel_initializer),
    )
    optimizer = OptimizerConfig(
        name=reader.choice("optimizer", tuple(OPTIMIZERS), optimizer_default.name),
        learning_rate=reader.number("lr", optimizer_default.learning_rate, MIN_LEARNING_RATE, MAX_LEARNING_RATE),
        momentum=reader.number("momentum", optimizer_default.momentum, *MOMENTUM_RANGE),
    )
    features = tuple(name for name in FEATURES if name in reader.text("features", "").split(","))
    if "features" in params and not features:
        reader.warn("features", params["features"], "no known feature; using x1 and x2")
    settings = replace(
        default,
        dataset=reader.choice("data", (*DATASETS, UPLOAD), default.dataset),
        noise=reader.number("noise", default.noise, 0.0, MAX_NOISE),
        num_samples=int(reader.number("points", default.num_samples, *POINTS_RANGE, integer=True)),
        train_percent=int(reader.number("train", default.train_percent, 10, 90, integer=True)),
        seed=int(reader.number("seed", default.seed, 0, 2**31 - 1, integer=True)),
        features=features or default.features,
        scaling=reader.choice("scaling", SCALINGS, default.scaling),
        network=network,
        loss=reader.choice("loss", LOSSES, default.loss),
        optimizer=optimizer,
        batch_size=int(reader.number("batch", default.batch_size, 1, MAX_BATCH_SIZE, integer=True)),
        shuffle=reader.flag("shuffle", default.shuffle),
        early_stopping_patience=int(reader.number("patience", 0, 0, 10_000, integer=True)),
        max_epochs=int(reader.number("max_epochs", 0, 0, MAX_EPOCHS_LIMIT, integer=True)),
    )
    return settings, reader.warnings
