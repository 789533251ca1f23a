"""Transfer learning: reuse what a CNN learned on some classes to learn others from few examples.

The image classes are split in two. A CNN is pre-trained on the *source* classes (digits
0–4 by default) with all their images. The *target* classes (5–9) get only a few labelled
images each, and four networks of the same shape learn them side by side:

- ``head``: the pre-trained layers frozen, only a new output layer trains;
- ``last``: the new output layer plus the last few pre-trained layers train;
- ``all``: every layer trains, starting from the pre-trained weights;
- ``scratch``: every layer trains from random weights (the baseline).

Optionally a fifth run, ``imagenet``, trains a new output layer on the features of a network
pre-trained on ImageNet photos (``engine.vision.backbone``), when its weights are on the
machine.

All of them use the same seed (same new head, same batches), so the curves differ only by what
was transferred and what was allowed to change. Pre-training and fine-tuning both run on the
shared ``TrainingRun``; the four fine-tuning runs form one ``RunGroup``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from engine import fields
from engine.data.image_sets import DATASETS, ImageDataset
from engine.device import xla_for_convolutions
from engine.fields import Declared, choice, flag, integer, integers, nested, random_seed
from engine.jobs import Report
from engine.models.layers import LayerSpec
from engine.training.contract import DIVERGED
from engine.training.executor import default_executor
from engine.training.group import RunGroup
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData
from engine.vision.backbone import imagenet_features
from engine.vision.cnn import build_cnn
from engine.vision.cnn_lab import training_data

MODES = {
    "head": "New head only",
    "last": "Last layers unfrozen",
    "all": "Everything fine-tuned",
    "scratch": "From scratch",
    "imagenet": "ImageNet MobileNetV2, new head",
}
MAX_LABELLED_PER_CLASS = 100
# Pre-training uses one dependable recipe; the optimizer controls apply, live, to fine-tuning.
PRETRAIN_OPTIMIZER = OptimizerConfig("adam", 0.003)
PRETRAIN_BATCH_SIZE = 32
MAX_PRETRAIN_EPOCHS = 200
# Two convolution blocks, then a dense layer: big enough to learn features worth reusing,
# small enough to pre-train on two cores in about two seconds. No batch normalization: with a
# handful of target images its running statistics, not the transfer, would decide the race.
TRANSFER_LAYERS = (
    LayerSpec("conv2d", filters=32), LayerSpec("max_pool"), LayerSpec("conv2d", filters=64), LayerSpec("max_pool"),
    LayerSpec("flatten"), LayerSpec("dense", units=128), LayerSpec("dropout", rate=0.3),
)


@dataclass(frozen=True)
class TransferSettings(Declared):
    """A transfer-learning experiment.

    Attributes:
        dataset: a key of ``image_data.DATASETS``.
        image_size: side the images are resized to.
        layers: the network's layers (a softmax output is added per task).
        source_classes: class ids pre-trained on; the others are the target classes.
        labelled_per_class: labelled training images per target class.
        pretrain_epochs: epochs of pre-training on the source classes.
        unfreeze_last: how many of the last pre-trained convolution and dense layers train in
            the "last" mode (with the normalization layers after them).
        optimizer: optimizer and learning rate of the fine-tuning runs (live).
        batch_size: examples per update while fine-tuning (live).
        seed: class subsets, weights and shuffling.
        imagenet: add the run on ImageNet features (needs the backbone's weights locally).

    The layers are fixed (the lab's small CNN): not in a link.
    """

    dataset: str = choice("digits", DATASETS, "data", "data set")
    image_size: int = integer(8, 8, 32, "size", "an image size")
    layers: tuple[LayerSpec, ...] = TRANSFER_LAYERS
    source_classes: tuple[int, ...] = integers((0, 1, 2, 3, 4), 0, 9, "source", "pre-training classes",
                                               max_length=10)  # split_classes explains the two-each-side rule
    labelled_per_class: int = integer(5, 1, MAX_LABELLED_PER_CLASS, "labelled",
                                      "a number of labelled images per target class")
    pretrain_epochs: int = integer(20, 1, MAX_PRETRAIN_EPOCHS, "pretrain", "a number of pre-training epochs")
    unfreeze_last: int = integer(1, 1, 8, "unfreeze", "a number of layers to unfreeze")
    optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.003), keys={"momentum": None}, live=True)
    batch_size: int = integer(32, 1, 256, "batch", "a batch size", live=True)
    seed: int = random_seed()
    imagenet: bool = flag(False, "imagenet", "the ImageNet run")

    def pretraining_only(self) -> TransferSettings:
        """These settings with everything pre-training ignores at its default (a cache key)."""
        return TransferSettings(dataset=self.dataset, image_size=self.image_size, layers=self.layers,
                                source_classes=self.source_classes, pretrain_epochs=self.pretrain_epochs,
                                seed=self.seed)

    def modes(self) -> dict[str, str]:
        """The runs of this experiment, key to label, in the order they are drawn."""
        return {mode: label for mode, label in MODES.items() if mode != "imagenet" or self.imagenet}


@dataclass(frozen=True)
class TransferData:
    """The two tasks: source (all images) and target (a few labelled images per class).

    Attributes:
        source: training and test data of the source classes, labels one-hot over them.
        target: the small labelled subset and every test image of the target classes.
        source_names, target_names: class names of each task, in label order.
    """

    source: TrainingData
    target: TrainingData
    source_names: tuple[str, ...]
    target_names: tuple[str, ...]


def split_classes(dataset: ImageDataset, settings: TransferSettings) -> TransferData:
    """Source and target tasks from one data set; ``ValueError`` when a side has no classes."""
    classes = range(len(dataset.class_names))
    source = tuple(sorted(set(settings.source_classes)))
    target = tuple(label for label in classes if label not in source)
    unknown = [str(label) for label in source if label not in classes]
    if unknown:
        raise ValueError(f"This data set has no class {', '.join(unknown)}: its classes are "
                         f"{', '.join(dataset.class_names)}.")
    if len(source) < 2:
        raise ValueError(f"Choose at least two classes to pre-train on ({len(source)} chosen): a network learns "
                         "features by telling classes apart. The classes you leave out become the new task.")
    if len(target) < 2:
        raise ValueError(f"Leave at least two classes out of pre-training ({len(target)} left): they are the new "
                         "task, and a task needs two classes to tell apart.")
    rng = np.random.default_rng(settings.seed)
    chosen = np.concatenate([
        rng.permutation(np.flatnonzero(dataset.y_train == label))[:settings.labelled_per_class] for label in target])
    return TransferData(
        source=_task(dataset, source, np.flatnonzero(np.isin(dataset.y_train, source))),
        target=_task(dataset, target, np.sort(chosen)),
        source_names=tuple(dataset.class_names[label] for label in source),
        target_names=tuple(dataset.class_names[label] for label in target),
    )


def _task(dataset: ImageDataset, classes: tuple[int, ...], train_rows: np.ndarray) -> TrainingData:
    """The rows' images with labels renumbered 0..len(classes)-1; all test images of the classes."""
    renumber = np.full(len(dataset.class_names), -1)
    renumber[list(classes)] = np.arange(len(classes))
    test_rows = np.flatnonzero(np.isin(dataset.y_test, classes))
    subset = ImageDataset(dataset.name, dataset.x_train[train_rows], renumber[dataset.y_train[train_rows]],
                          dataset.x_test[test_rows], renumber[dataset.y_test[test_rows]],
                          tuple(dataset.class_names[label] for label in classes))
    return training_data(subset)


def _recipe(build, architecture: Hashable | None = None) -> ModelRecipe:
    import keras

    return ModelRecipe(build=build, loss="categorical_crossentropy",
                       metrics={"accuracy": keras.metrics.categorical_accuracy}, architecture=architecture)


@dataclass(frozen=True)
class Pretrained:
    """The outcome of pre-training.

    Attributes:
        weights: layer name -> its weights, for every layer but the output.
        history: the pre-training run's per-epoch history.
        message: why pre-training stopped early (divergence), or "".
    """

    weights: dict[str, list[np.ndarray]]
    history: dict[str, list[float]]
    message: str = ""

    @property
    def accuracy(self) -> float:
        """Test accuracy on the source classes after pre-training."""
        values = self.history.get("val_accuracy", [])
        return values[-1] if values else float("nan")


def pretrain(settings: TransferSettings, data: TransferData, report: Report | None = None) -> Pretrained:
    """Train the network on the source task for ``settings.pretrain_epochs`` epochs.

    Each epoch waits its turn for a slot of the shared executor, beside the sessions that train
    live; ``report(fraction, text)`` hears after every epoch.
    """
    input_shape = data.source.x_train.shape[1:]
    recipe = _recipe(partial(build_cnn, input_shape, settings.layers, len(data.source_names)))
    pretraining = RunSettings(optimizer=PRETRAIN_OPTIMIZER, batch_size=PRETRAIN_BATCH_SIZE,
                              max_epochs=settings.pretrain_epochs, jit_compile=xla_for_convolutions())
    run = TrainingRun(recipe, data.source, pretraining, seed=settings.seed)
    message = ""
    if report:
        report(0.0, "compiling the network, then epoch 1")
    for epoch in range(1, settings.pretrain_epochs + 1):
        result = default_executor().run(partial(run.advance, 1))
        if report:
            report(epoch / settings.pretrain_epochs, f"epoch {epoch} of {settings.pretrain_epochs}")
        if result.status == DIVERGED:
            message = result.message
            break
    weights = {layer.name: layer.get_weights() for layer in run.model.layers if layer.name != "output"}
    return Pretrained(weights, run.history, message)


def frozen_layers(settings: TransferSettings, data: TransferData) -> dict[str, set[str]]:
    """Per mode, the names of the pre-trained layers that stay fixed while fine-tuning.

    "last" unfreezes the last ``unfreeze_last`` layers with kernels (convolutions, dense)
    and every layer after the first of them; ``ValueError`` when that would be all of them.
    """
    model = build_cnn(data.target.x_train.shape[1:], settings.layers, len(data.target_names), settings.seed)
    body = [layer for layer in model.layers if layer.name != "output"]
    weighted = [layer.name for layer in body if layer.weights]
    kernels = [index for index, layer in enumerate(body) if hasattr(layer, "kernel")]
    if settings.unfreeze_last >= len(kernels):
        raise ValueError(
            f"The network has {len(kernels)} pre-trained convolution and dense layers, so unfreezing the last "
            f"{settings.unfreeze_last} is the same as fine-tuning everything. Choose 1 to {len(kernels) - 1}.")
    first_unfrozen = kernels[-settings.unfreeze_last]
    return {
        "head": set(weighted),
        "last": {layer.name for layer in body[:first_unfrozen] if layer.weights},
        "all": set(),
        "scratch": set(),
    }


def imagenet_task(data: TransferData, weights: Path, report: Report | None = None) -> TrainingData:
    """The target task with every image replaced by its ImageNet backbone features.

    ``report(fraction, text)`` hears after every batch of images.
    """
    target = data.target
    total = len(target.x_train) + len(target.x_val)

    def told(offset: int) -> Callable[[int], None] | None:
        return (lambda count: report((offset + count) / total, f"{offset + count:,} of {total:,} images")) \
            if report else None

    train, val = default_executor().run(lambda: (imagenet_features(target.x_train, weights, done=told(0)),
                                                 imagenet_features(target.x_val, weights,
                                                                   done=told(len(target.x_train)))))
    return TrainingData(train, target.y_train, val, target.y_val)


def make_run(
    settings: TransferSettings, data: TransferData, pretrained: Pretrained, imagenet: TrainingData | None = None,
) -> RunGroup:
    """The runs on the target task, in ``settings.modes()`` order, as one group.

    ``imagenet`` is the target task as backbone features (``imagenet_task``), needed when
    ``settings.imagenet`` is set: its run trains one new output layer on them.
    """
    if settings.imagenet and imagenet is None:
        raise ValueError("The ImageNet run needs the backbone's features of the target images.")
    frozen = frozen_layers(settings, data)
    input_shape = data.target.x_train.shape[1:]

    def recipe(mode: str) -> ModelRecipe:
        def build(seed: int):
            model = build_cnn(input_shape, settings.layers, len(data.target_names), seed)
            for layer in model.layers:
                if mode != "scratch" and layer.name in pretrained.weights:
                    layer.set_weights(pretrained.weights[layer.name])
                if layer.name in frozen[mode]:
                    layer.trainable = False
            return model
        return _recipe(build, ("fine-tuned cnn", input_shape, settings.layers, len(data.target_names),
                               frozenset(frozen[mode])))

    runs = {mode: TrainingRun(recipe(mode), data.target, run_settings(settings), seed=settings.seed)
            for mode in settings.modes() if mode != "imagenet"}
    if imagenet is not None:  # set whenever settings.imagenet is (checked above)
        runs["imagenet"] = TrainingRun(_recipe(partial(_head, imagenet.x_train.shape[1], len(data.target_names))),
                                       imagenet, run_settings(settings), seed=settings.seed)
    return RunGroup(runs)


def _head(features: int, num_classes: int, seed: int):
    """A new output layer on fixed features, with the dropout the CNN's head has."""
    import keras

    return keras.Sequential([
        keras.Input((features,)),
        keras.layers.Dropout(0.3, seed=seed),
        keras.layers.Dense(num_classes, activation="softmax", name="output",
                           kernel_initializer=keras.initializers.GlorotUniform(seed)),
    ])


def run_settings(settings: TransferSettings) -> RunSettings:
    """The live settings of the fine-tuning runs."""
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size, jit_compile=xla_for_convolutions())


def trainable_parameters(group: RunGroup) -> dict[str, int]:
    """Weights each member may change (frozen layers do not count)."""
    return {name: int(sum(np.prod(variable.shape) for variable in run.model.trainable_variables))
            for name, run in group.runs.items()}


# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, TransferSettings)
