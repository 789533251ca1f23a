"""The CNN lab: a layer list trained live on image data, and the views that look inside it.

``make_run`` wraps the network in the shared ``TrainingRun`` (categorical cross-entropy,
accuracy), so the page plays, pauses, steps and resets it like every other lab. ``observe``
is what the live page draws between chunks: test-set predictions (for the confusion matrix
and the gallery of mistakes) and the first convolution's filters. ``feature_maps`` and
``saliency`` answer questions about one image on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from engine import fields
from engine.data.image_sets import DATASETS, ImageDataset
from engine.device import xla_for_convolutions
from engine.fields import Declared, choice, integer, nested, random_seed, text
from engine.models.layers import LayerSpec
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData
from engine.vision.cnn import COLUMNS, PRESETS, build_cnn, layer_table

UPLOAD = "upload"
DATA_CHOICES = {**DATASETS, UPLOAD: "Your images (a zip of class folders)"}


def _layers_text(layers: tuple[LayerSpec, ...]) -> str:
    """Layers as link text: each layer's fields joined by ":", layers by "|"."""
    return "|".join(":".join(f"{getattr(layer, name):g}" if isinstance(getattr(layer, name), float)
                             else str(getattr(layer, name)) for name in COLUMNS) for layer in layers)


def _layers_from_text(text: str) -> tuple[LayerSpec, ...]:
    """Layers from link text; ``ValueError`` naming what is wrong."""
    return tuple(_layer_from_text(part) for part in text.split("|"))


def _layer_from_text(text: str) -> LayerSpec:
    parts = text.split(":")
    if len(parts) != len(COLUMNS):
        raise ValueError(f"A layer needs {len(COLUMNS)} fields; {text!r} has {len(parts)}.")
    kind, filters, kernel, strides, padding, activation, pool, rate, units = parts
    return LayerSpec(kind, int(filters), int(kernel), int(strides), padding, activation, int(pool), float(rate),
                     int(units))


@dataclass(frozen=True)
class CnnLabSettings(Declared):
    """A CNN setup.

    Attributes:
        dataset: a key of ``DATA_CHOICES`` ("upload": the session's zip of class folders).
        image_size: side the images are resized to (the preset's input size by default).
        layers: the editable layer list (the softmax output is added on top).
        optimizer: optimizer, learning rate and momentum (live).
        batch_size: examples per update (live).
        seed: data split, initial weights and shuffling.
    """

    dataset: str = choice("digits", DATA_CHOICES, "data", "data set")
    image_size: int = integer(PRESETS["Small CNN"].image_size, 4, 64, "size", "an image size")
    layers: tuple[LayerSpec, ...] = text(PRESETS["Small CNN"].layers, "layers", "layers", encode=_layers_text,
                                         decode=_layers_from_text)
    optimizer: OptimizerConfig = nested(OptimizerConfig(name="adam", learning_rate=0.003), keys={"momentum": None},
                                        live=True)
    batch_size: int = integer(32, 1, 256, "batch", "a batch size", live=True)
    seed: int = random_seed()


def training_data(dataset: ImageDataset) -> TrainingData:
    """Images and one-hot labels as the run trains on them (the test part validates)."""
    eye = np.eye(len(dataset.class_names), dtype=np.float32)
    return TrainingData(dataset.x_train, eye[dataset.y_train], dataset.x_test, eye[dataset.y_test])


def make_run(settings: CnnLabSettings, dataset: ImageDataset) -> TrainingRun:
    """A fresh run of the layer list on the data set; ``ValueError`` for an impossible stack."""
    import keras

    input_shape = dataset.x_train.shape[1:]
    num_classes = len(dataset.class_names)
    layer_table(input_shape, settings.layers, num_classes)  # plain-language errors before Keras
    recipe = ModelRecipe(
        build=partial(build_cnn, input_shape, settings.layers, num_classes),
        loss="categorical_crossentropy",
        metrics={"accuracy": keras.metrics.categorical_accuracy},
    )
    return TrainingRun(recipe, training_data(dataset), run_settings(settings), seed=settings.seed)


def run_settings(settings: CnnLabSettings) -> RunSettings:
    """The live part of a setup (XLA only on a GPU: see ``xla_for_convolutions``)."""
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size, shuffle=True,
                       jit_compile=xla_for_convolutions())


@dataclass(frozen=True)
class CnnView:
    """What the live page draws after a chunk.

    Attributes:
        test_probabilities: (N, classes) softmax outputs on the test images.
        test_predictions: (N,) predicted class ids.
        first_filters: (k, k, channels, filters) kernel of the first convolution, or None.
    """

    test_probabilities: np.ndarray
    test_predictions: np.ndarray
    first_filters: np.ndarray | None


def observe(run: TrainingRun) -> CnnView:
    """Predictions on the test images and the first convolution's filters."""
    probabilities = run.predict(run.data.x_val)
    first = next((layer for layer in run.model.layers if type(layer).__name__ == "Conv2D"), None)
    return CnnView(probabilities, probabilities.argmax(axis=1), first.kernel.numpy() if first is not None else None)


def conv_layer_names(run: TrainingRun) -> list[str]:
    """Names of layers whose output is an image-shaped map (convolutions, pooling, blocks)."""
    return [layer.name for layer in run.model.layers[1:] if len(layer.output.shape) == 4]


# Layers whose output is a convolution's (a Conv2D, or an Inception or residual block's merge).
_CONVOLUTION_OUTPUTS = ("Conv2D", "Concatenate", "Activation")


def grad_cam_layer_name(run: TrainingRun) -> str | None:
    """The last convolutional layer (pooling, batch norm and dropout after it are skipped), or None."""
    return next((layer.name for layer in reversed(run.model.layers[1:])
                 if len(layer.output.shape) == 4 and type(layer).__name__ in _CONVOLUTION_OUTPUTS), None)


def feature_maps(run: TrainingRun, image: np.ndarray, layer_name: str) -> np.ndarray:
    """(height, width, channels) output of one layer for one (size, size, 1) image."""
    return run.layer_outputs(image[None], (layer_name,))[0][0]


@dataclass(frozen=True)
class Saliency:
    """Why the network chose a class for one image.

    Attributes:
        probabilities: (classes,) the network's output for the image.
        target: the class explained (the predicted one unless asked otherwise).
        gradient: (size, size) |∂ score / ∂ pixel|, scaled to [0, 1].
        grad_cam: (size, size) Grad-CAM heatmap from the last convolutional layer, in [0, 1],
            or None when the network has none.
        grad_cam_layer: the layer Grad-CAM used.
    """

    probabilities: np.ndarray
    target: int
    gradient: np.ndarray
    grad_cam: np.ndarray | None
    grad_cam_layer: str | None


def saliency(run: TrainingRun, image: np.ndarray, target: int | None = None) -> Saliency:
    """Gradient saliency and Grad-CAM for one (size, size, 1) image.

    Both differentiate the class score (the logit before softmax would do as well; the
    probability is what the learner sees). Gradient saliency: how much each pixel moves the
    score. Grad-CAM: weight each channel of the last convolutional layer by its average
    gradient, sum, keep the positive part and stretch it to the image size.
    """
    import keras
    import tensorflow as tf

    model = run.model
    maps_layer = grad_cam_layer_name(run)
    outputs = [model.output] + ([model.get_layer(maps_layer).output] if maps_layer else [])
    probe = keras.Model(model.inputs, outputs)
    inputs = tf.constant(image[None], tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(inputs)
        results = probe(inputs, training=False)
        probabilities, maps = (results[0], results[1]) if maps_layer else (results, None)
        chosen = int(tf.argmax(probabilities[0])) if target is None else target
        score = probabilities[0, chosen]
    gradient = tf.abs(tape.gradient(score, inputs))[0, :, :, 0].numpy()
    grad_cam = None
    if maps is not None:
        weights = tf.reduce_mean(tape.gradient(score, maps), axis=(1, 2))  # (1, channels)
        cam = tf.nn.relu(tf.reduce_sum(maps * weights[:, None, None, :], axis=-1))[..., None]
        cam = tf.image.resize(cam, image.shape[:2], method="bilinear")[0, :, :, 0].numpy()
        grad_cam = _unit_range(cam)
    del tape
    return Saliency(probabilities[0].numpy(), chosen, _unit_range(gradient), grad_cam, maps_layer)


def _unit_range(values: np.ndarray) -> np.ndarray:
    high = float(values.max())
    return (values / high if high > 0 else np.zeros_like(values)).astype(np.float32)


def misclassified(view: CnnView, labels: np.ndarray, limit: int = 24) -> np.ndarray:
    """Indices of wrongly classified test images, most confidently wrong first."""
    wrong = np.flatnonzero(view.test_predictions != labels)
    confidence = view.test_probabilities[wrong, view.test_predictions[wrong]]
    return wrong[np.argsort(-confidence)][:limit]


# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, CnnLabSettings)
