"""A deep belief network (DBN): RBMs stacked greedily on unlabelled images, then a classifier on top.

The first RBM learns features of the pixels; the second learns features of the first one's
hidden probabilities. Their weights then initialise a sigmoid MLP that is fine-tuned on the
few labelled images. The comparison trains the same MLP from random weights on the same
labels, and (a third racer) a softmax layer on the frozen DBN features, so the page can show
whether unsupervised pre-training helps when labels are scarce, rather than claim it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from engine.data.image_sets import ImageDataset
from engine.generative.rbm import RbmSettings, flatten, make_run
from engine.training.contract import DIVERGED
from engine.training.executor import default_executor
from engine.training.group import RunGroup
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

MEMBERS = {"dbn": "DBN, fine-tuned", "frozen": "DBN features, frozen", "mlp": "Same MLP, random start"}
MAX_LABELLED_PER_CLASS = 100


@dataclass(frozen=True)
class DbnSettings:
    """Attributes:
        hidden: units of the two stacked RBMs (the MLP's two hidden layers).
        pretrain_epochs: CD-1 epochs per RBM, on every training image without its label.
        labelled_per_class: labelled images per digit the classifiers learn from.
        optimizer: fine-tuning optimizer (live).
        seed: weights, label choice and shuffling.
    """

    hidden: tuple[int, int] = (128, 64)
    pretrain_epochs: int = 30
    labelled_per_class: int = 5
    optimizer: OptimizerConfig = OptimizerConfig("adam", 0.01)
    seed: int = 0

    def __post_init__(self) -> None:
        if len(self.hidden) != 2 or not all(1 <= units <= 512 for units in self.hidden):
            raise ValueError(f"Expected two hidden layers of 1 to 512 units. Received: {self.hidden}.")
        if not 1 <= self.pretrain_epochs <= 200:
            raise ValueError(f"Expected 1 to 200 pre-training epochs. Received: {self.pretrain_epochs}.")
        if not 1 <= self.labelled_per_class <= MAX_LABELLED_PER_CLASS:
            raise ValueError(f"Expected 1 to {MAX_LABELLED_PER_CLASS} labelled images per class. "
                             f"Received: {self.labelled_per_class}.")

    def pretraining_only(self) -> DbnSettings:
        """The settings pre-training depends on (cache key)."""
        return DbnSettings(hidden=self.hidden, pretrain_epochs=self.pretrain_epochs, seed=self.seed)

    def structure(self) -> tuple:
        return self.pretraining_only(), self.labelled_per_class


@dataclass(frozen=True)
class Stack:
    """The pre-trained RBMs: (kernel, hidden bias) per layer, and each RBM's final reconstruction error."""

    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    reconstruction_errors: tuple[float, ...]


def pretrain(dataset: ImageDataset, settings: DbnSettings) -> Stack:
    """Train the RBMs one after the other, each on the hidden probabilities of the one below.

    Each layer trains in a slot of the shared executor, so pre-training waits its turn beside
    the sessions that are training live.
    """
    inputs, layers, errors = flatten(dataset.x_train), [], []
    for units in settings.hidden:
        run = make_run(RbmSettings(hidden_units=units, seed=settings.seed), inputs, inputs[:0])
        result = default_executor().run(functools.partial(run.advance, settings.pretrain_epochs))
        if result.status == DIVERGED:
            raise ValueError(f"Pre-training the {units}-unit RBM failed: {result.message}")
        layers.append((run.model.kernel.numpy(), run.model.hidden_bias.numpy()))
        errors.append(run.history["reconstruction_error"][-1])
        inputs = default_executor().run(functools.partial(run.model.transform, inputs))
    return Stack(tuple(layers), tuple(errors))


def labelled_task(dataset: ImageDataset, per_class: int, seed: int) -> TrainingData:
    """``per_class`` training images of each class with one-hot labels; every test image validates."""
    rng = np.random.default_rng(seed)
    classes = len(dataset.class_names)
    chosen = np.concatenate([rng.permutation(np.flatnonzero(dataset.y_train == label))[:per_class]
                             for label in range(classes)])
    eye = np.eye(classes, dtype=np.float32)
    return TrainingData(flatten(dataset.x_train[chosen]), eye[dataset.y_train[chosen]], flatten(dataset.x_test),
                        eye[dataset.y_test])


def run_settings(settings: DbnSettings) -> RunSettings:
    return RunSettings(optimizer=settings.optimizer, batch_size=32)


def make_comparison(settings: DbnSettings, task: TrainingData, stack: Stack) -> RunGroup:
    """The DBN (fine-tuned and frozen) and the randomly initialised MLP, trained side by side."""
    import keras

    classes = task.y_train.shape[1]

    def recipe(member: str) -> ModelRecipe:
        def build(seed: int):
            initializers = iter(keras.initializers.GlorotUniform(seed=seed * 10 + index) for index in range(10))
            model = keras.Sequential([
                keras.Input((task.x_train.shape[1],)),
                *(keras.layers.Dense(units, activation="sigmoid", name=f"rbm_{index}",
                                     kernel_initializer=next(initializers))
                  for index, units in enumerate(settings.hidden)),
                keras.layers.Dense(classes, activation="softmax", name="output", kernel_initializer=next(initializers)),
            ])
            if member != "mlp":
                for index, (kernel, bias) in enumerate(stack.layers):
                    layer = model.get_layer(f"rbm_{index}")
                    layer.set_weights([kernel, bias])
                    layer.trainable = member == "dbn"
            return model

        return ModelRecipe(build=build, loss="categorical_crossentropy",
                           metrics={"accuracy": keras.metrics.categorical_accuracy},
                           architecture=("dbn", task.x_train.shape[1], settings.hidden, classes, member))

    return RunGroup({member: TrainingRun(recipe(member), task, run_settings(settings), seed=settings.seed)
                     for member in MEMBERS})


def to_query_params(settings: DbnSettings) -> dict[str, str]:
    return {"dbn_hidden": ",".join(map(str, settings.hidden)), "pretrain": str(settings.pretrain_epochs),
            "labelled": str(settings.labelled_per_class), "ft_lr": f"{settings.optimizer.learning_rate:g}"}


def from_query_params(params: dict[str, str]) -> tuple[DbnSettings, list[str]]:
    from engine.links import LinkReader
    from engine.training.optimizers import MAX_LEARNING_RATE, MIN_LEARNING_RATE

    reader, default = LinkReader(params), DbnSettings()
    hidden = reader.int_list("dbn_hidden", default.hidden, 1, 512, 2)
    if len(hidden) != 2:
        reader.warn("dbn_hidden", params.get("dbn_hidden", ""), "expected two sizes; using the default")
        hidden = default.hidden
    settings = DbnSettings(
        hidden=hidden, pretrain_epochs=int(reader.number("pretrain", default.pretrain_epochs, 1, 200, integer=True)),
        labelled_per_class=int(reader.number("labelled", default.labelled_per_class, 1, MAX_LABELLED_PER_CLASS,
                                             integer=True)),
        optimizer=OptimizerConfig(default.optimizer.name, reader.number(
            "ft_lr", default.optimizer.learning_rate, MIN_LEARNING_RATE, MAX_LEARNING_RATE)),
    )
    return settings, reader.warnings
