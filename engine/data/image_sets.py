"""Labelled image sets for the image labs: scikit-learn's digits offline, MNIST when it can be had.

Every set comes back as (N, size, size, 1) float32 images in [0, 1] and integer labels,
split into training and test parts. The 8×8 digits ship inside scikit-learn, so the lab
always works offline. MNIST and Fashion-MNIST come through ``keras.datasets`` (downloaded
once into ``~/.keras/datasets``); when that fails the loader falls back to the digits and
says why. Images are resized to the size the architecture expects (LeNet-5 reads 32×32).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DATASETS = {
    "digits": "Handwritten digits 8×8 (scikit-learn, built in)",
    "mnist": "MNIST digits 28×28 (downloaded once by Keras)",
    "fashion_mnist": "Fashion-MNIST clothes 28×28 (downloaded once by Keras)",
}
FASHION_CLASSES = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot")
MAX_TRAIN_IMAGES = 6000  # a classroom server trains many of these at once
MAX_TEST_IMAGES = 1000


@dataclass(frozen=True)
class ImageDataset:
    """Images and labels, split.

    Attributes:
        x_train, x_test: (N, size, size, 1) float32 in [0, 1].
        y_train, y_test: (N,) int64 class ids.
        class_names: a name per class id.
        note: why the set differs from the one asked for (a failed download), or "".
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    note: str = ""

    @property
    def image_size(self) -> int:
        return int(self.x_train.shape[1])


def class_names(name: str) -> tuple[str, ...]:
    """The names of a data set's ten classes, in label order."""
    return FASHION_CLASSES if name == "fashion_mnist" else tuple(str(digit) for digit in range(10))


def load_image_dataset(name: str, image_size: int, seed: int = 0, test_share: float = 0.2) -> ImageDataset:
    """A data set by key of ``DATASETS``, at ``image_size``×``image_size`` pixels."""
    if name not in DATASETS:
        raise ValueError(f"Unknown image data set {name!r}. Expected one of: {', '.join(DATASETS)}.")
    if not 4 <= image_size <= 64:
        raise ValueError(f"Expected an image size from 4 to 64 pixels. Received: {image_size}.")
    note = ""
    if name != "digits":
        try:
            dataset = _keras_dataset(name, seed)
        except Exception as error:  # offline, blocked or a damaged cache: keep working on the digits
            note = (f"{DATASETS[name].split(' (')[0]} could not be loaded ({type(error).__name__}: {error}); "
                    "showing the built-in 8×8 digits instead. Run once with internet access to cache it.")
            name = "digits"
    if name == "digits":
        dataset = _digits(seed, test_share)
    images = [resize_images(images, image_size) for images in (dataset.x_train, dataset.x_test)]
    return ImageDataset(name, images[0], dataset.y_train, images[1], dataset.y_test, dataset.class_names, note)


def _digits(seed: int, test_share: float) -> ImageDataset:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target.astype(np.int64), test_size=test_share, random_state=seed, stratify=digits.target)
    return ImageDataset("digits", x_train, y_train, x_test, y_test, class_names("digits"))


def _keras_dataset(name: str, seed: int) -> ImageDataset:
    import keras

    (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
    rng = np.random.default_rng(seed)
    train = rng.permutation(len(x_train))[:MAX_TRAIN_IMAGES]
    test = rng.permutation(len(x_test))[:MAX_TEST_IMAGES]
    return ImageDataset(
        name, (x_train[train] / 255.0).astype(np.float32)[..., None], y_train[train].astype(np.int64),
        (x_test[test] / 255.0).astype(np.float32)[..., None], y_test[test].astype(np.int64), class_names(name))


def resize_images(images: np.ndarray, size: int) -> np.ndarray:
    """Bilinear resize of (N, h, w, 1) images to (N, size, size, 1), kept in [0, 1]."""
    if images.shape[1] == size and images.shape[2] == size:
        return images
    import tensorflow as tf

    resized = tf.image.resize(images, (size, size), method="bilinear", antialias=True).numpy()
    return np.clip(resized, 0.0, 1.0).astype(np.float32)
