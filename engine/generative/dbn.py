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

from engine import fields
from engine.data.image_sets import ImageDataset
from engine.fields import Declared, integer, integers, nested, random_seed
from engine.generative import rbm
from engine.generative.rbm import flatten
from engine.jobs import Report
from engine.training.contract import DIVERGED
from engine.training.executor import default_executor
from engine.training.group import RunGroup
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

MEMBERS = {"dbn": "DBN, fine-tuned", "frozen": "DBN features, frozen", "mlp": "Same MLP, random start"}
MAX_LABELLED_PER_CLASS = 100
FINE_TUNING_BATCH_SIZE = 32


@dataclass(frozen=True)
class DbnSettings(Declared):
    """Attributes:
        hidden: units of the two stacked RBMs (the MLP's two hidden layers).
        pretrain_epochs: CD-1 epochs per RBM, on every training image without its label.
        labelled_per_class: labelled images per digit the classifiers learn from.
        optimizer: fine-tuning optimizer (live).
        seed: weights, label choice and shuffling (the page's one seed, also the RBM's).
    """

    hidden: tuple[int, ...] = integers((128, 64), 1, 512, "dbn_hidden", "hidden layer sizes", max_length=2,
                                       min_length=2)
    pretrain_epochs: int = integer(30, 1, 200, "pretrain", "a number of pre-training epochs")
    labelled_per_class: int = integer(5, 1, MAX_LABELLED_PER_CLASS, "labelled", "a number of labelled images per class")
    optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.01), live=True,
                                        keys={"optimizer": None, "momentum": None, "lr": "ft_lr"})
    seed: int = random_seed()

    def pretraining_only(self) -> DbnSettings:
        """The settings pre-training depends on (cache key)."""
        return DbnSettings(hidden=self.hidden, pretrain_epochs=self.pretrain_epochs, seed=self.seed)


@dataclass(frozen=True)
class Stack:
    """The pre-trained RBMs: (kernel, hidden bias) per layer, and each RBM's final reconstruction error."""

    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    reconstruction_errors: tuple[float, ...]


def pretrain(dataset: ImageDataset, settings: DbnSettings, report: Report | None = None) -> Stack:
    """Train the RBMs one after the other, each on the hidden probabilities of the one below.

    Each epoch trains in a slot of the shared executor, so pre-training waits its turn beside
    the sessions that are training live; ``report(fraction, text)`` hears after every epoch.
    """
    inputs, layers, errors = flatten(dataset.x_train), [], []
    total = len(settings.hidden) * settings.pretrain_epochs
    for index, units in enumerate(settings.hidden):
        run = rbm.make_run(rbm.RbmSettings(hidden_units=units, seed=settings.seed), inputs, inputs[:0])
        for epoch in range(1, settings.pretrain_epochs + 1):
            result = default_executor().run(functools.partial(run.advance, 1))
            if result.status == DIVERGED:
                raise ValueError(f"Pre-training the {units}-unit RBM failed: {result.message}")
            if report:
                report((index * settings.pretrain_epochs + epoch) / total,
                       f"RBM {index + 1} of {len(settings.hidden)}, epoch {epoch} of {settings.pretrain_epochs}")
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
    return RunSettings(optimizer=settings.optimizer, batch_size=FINE_TUNING_BATCH_SIZE)


def make_run(settings: DbnSettings, task: TrainingData, stack: Stack) -> RunGroup:
    """The DBN (fine-tuned and frozen) and the randomly initialised MLP, trained side by side."""
    import keras

    inputs, classes = task.x_train.shape[1], task.y_train.shape[1]

    def recipe(member: str) -> ModelRecipe:
        build = functools.partial(build_classifier, inputs, settings.hidden, classes,
                                  stack_layers=None if member == "mlp" else stack.layers, train_stack=member == "dbn")
        return ModelRecipe(build=lambda seed: build(seed=seed), loss="categorical_crossentropy",
                           metrics={"accuracy": keras.metrics.categorical_accuracy},
                           architecture=("dbn", inputs, settings.hidden, classes, member))

    return RunGroup({member: TrainingRun(recipe(member), task, run_settings(settings), seed=settings.seed)
                     for member in MEMBERS})


def build_classifier(inputs: int, hidden: tuple[int, ...], classes: int, seed: int, stack_layers=None,
                     train_stack: bool = True):
    """The sigmoid MLP of the comparison: hidden layers ``rbm_0``, ``rbm_1``… and a softmax ``output``.

    With ``stack_layers`` ((kernel, hidden bias) per RBM) the hidden layers start from the RBMs'
    weights and train only with ``train_stack``; without, they start at random.
    """
    import keras

    initializers = iter(keras.initializers.GlorotUniform(seed=seed * 10 + index) for index in range(10))
    model = keras.Sequential([
        keras.Input((inputs,)),
        *(keras.layers.Dense(units, activation="sigmoid", name=f"rbm_{index}", kernel_initializer=next(initializers))
          for index, units in enumerate(hidden)),
        keras.layers.Dense(classes, activation="softmax", name="output", kernel_initializer=next(initializers)),
    ])
    for index, (kernel, bias) in enumerate(stack_layers or ()):
        layer = model.get_layer(f"rbm_{index}")
        layer.set_weights([kernel, bias])
        layer.trainable = train_stack
    return model


to_query_params = fields.to_query_params
from_query_params = functools.partial(fields.from_query_params, DbnSettings)
