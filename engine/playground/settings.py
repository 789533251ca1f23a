"""Every setting of a playground setup, and its round trip through a share link.

A teacher hands out an exact setup as a URL: ``to_query_params`` writes each setting as a
short string, ``from_query_params`` reads them back, clamping out-of-range numbers and
refusing unknown names with a warning each, never an exception. Both follow from the fields'
declarations (``engine.fields``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from engine import fields
from engine.data.features import FEATURES, SCALINGS
from engine.data.planar import DATASETS, MAX_NOISE, MAX_SAMPLES, MIN_SAMPLES
from engine.fields import Declared, choice, flag, integer, nested, number, random_seed, text
from engine.models.mlp import NetworkConfig
from engine.training.optimizers import OptimizerConfig


def _features(link_text: str) -> tuple[str, ...]:
    """The known features a link names, in their usual order; ``ValueError`` when it names none."""
    names = tuple(name for name in FEATURES if name in link_text.split(","))
    if not names:
        raise ValueError("No known feature.")
    return names


LOSSES = ("auto", "mse")
UPLOAD = "upload"  # the data set key of a user's CSV (its points are not part of a link)
MAX_EPOCHS_LIMIT = 100_000
MAX_BATCH_SIZE = MAX_SAMPLES
MAX_POINTS = 2000  # what the sidebar offers and a link may ask for (an upload may hold more)


@dataclass(frozen=True)
class PlaygroundSettings(Declared):
    """A complete playground setup; the default is the classic circle task.

    Data: ``dataset`` (a key of ``DATASETS`` or "upload"), ``noise``, ``num_samples``,
    ``train_percent``, ``seed`` (data and initial weights), ``features``, ``scaling``.
    Model: ``network``. Training: ``loss`` ("auto" picks cross-entropy for classification,
    "mse" uses squared error as the classic playground does), ``optimizer``,
    ``batch_size``, ``shuffle``, ``early_stopping_patience`` (0 = off), ``max_epochs``
    (0 = no limit). Everything about training is live; early stopping's switch is not (it
    holds back a validation split).
    """

    dataset: str = choice("circle", (*DATASETS, UPLOAD), "data", "data set")
    noise: float = number(0.0, 0.0, MAX_NOISE, "noise", "a noise level")
    num_samples: int = integer(500, MIN_SAMPLES, MAX_POINTS, "points", "a number of points")
    train_percent: int = integer(50, 10, 90, "train", "a training share (%)")
    seed: int = random_seed(1)
    features: tuple[str, ...] = text(("x1", "x2"), "features", "features", encode=",".join, decode=_features)
    scaling: str = choice("none", SCALINGS, "scaling", "scaling")
    network: NetworkConfig = nested(NetworkConfig())
    loss: str = choice("auto", LOSSES, "loss", "loss")
    optimizer: OptimizerConfig = nested(OptimizerConfig(name="sgd", learning_rate=0.03, momentum=0.9), live=True)
    batch_size: int = integer(10, 1, MAX_BATCH_SIZE, "batch", "a batch size", live=True)
    shuffle: bool = flag(True, "shuffle", "shuffling", live=True)
    early_stopping_patience: int = integer(0, 0, 10_000, "patience", "an early stopping patience", live=True)
    max_epochs: int = integer(0, 0, MAX_EPOCHS_LIMIT, "max_epochs", "a last epoch", live=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.features:
            raise ValueError(f"The network has no input: switch on at least one feature "
                             f"({', '.join(FEATURES.values())}).")
        unknown = [name for name in self.features if name not in FEATURES]
        if unknown:
            raise ValueError(f"Unknown feature(s) {', '.join(unknown)}. Expected some of: {', '.join(FEATURES)}.")

    def structure(self) -> tuple:
        """Everything that needs a new run when it changes: data, features and architecture.

        Turning early stopping on or off changes the data too: it holds back a validation split.
        """
        return (*super().structure(), self.early_stopping_patience > 0)


# ---------------------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, PlaygroundSettings)
