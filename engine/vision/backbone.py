"""An ImageNet-trained Keras Applications network as a frozen feature extractor.

MobileNetV2 (width 0.35, 96×96 inputs, no classifier) learned its features from over a
million photos of a thousand everyday things; the transfer lab asks whether those features
help with digits and clothes from a handful of labels. Its weights come from Keras's own
download cache and are never downloaded here: the lab works offline, and a hosted server
should not fetch files because a visitor ticked a box. ``find_weights`` says where to put
the file when it is missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

BACKBONE = "MobileNetV2"
WIDTH = 0.35
INPUT_SIZE = 96
FEATURES = 1280  # MobileNetV2's last convolution has 1280 channels at every width up to 1
WEIGHTS_FILE = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{WIDTH}_{INPUT_SIZE}_no_top.h5"
DOWNLOAD_COMMAND = (
    "python -c \"import keras; keras.applications.MobileNetV2("
    f"input_shape=({INPUT_SIZE}, {INPUT_SIZE}, 3), alpha={WIDTH}, include_top=False)\""
)
BATCH_SIZE = 128


def weights_location() -> Path:
    """Where Keras keeps the downloaded weights file (``$KERAS_HOME`` or ``~/.keras``, then ``models``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "models" / WEIGHTS_FILE


def find_weights() -> tuple[Path | None, str]:
    """The local ImageNet weights file, or None and a message saying how to get it."""
    path = weights_location()
    if path.is_file() and path.stat().st_size > 0:
        return path, ""
    return None, (
        f"{BACKBONE}'s ImageNet weights are not on this machine (looked for {path}). "
        f"On a machine with internet access, run `{DOWNLOAD_COMMAND}` once; Keras saves the file "
        "there (about 2 MB), and it can be copied to a server that has no internet."
    )


def imagenet_features(images: np.ndarray, weights: Path, batch_size: int = BATCH_SIZE,
                      done: Callable[[int], None] | None = None) -> np.ndarray:
    """Each image's pooled MobileNetV2 features, shape (n, 1280).

    Images are (n, h, w, 1) or (n, h, w, 3) in [0, 1]; grayscale is repeated into three
    channels, everything is resized to 96×96 and scaled to [-1, 1] as MobileNetV2 expects.
    ``done(count)`` hears how many images are through after every batch. ``ValueError`` when
    the file is not MobileNetV2's weights.
    """
    import keras
    import tensorflow as tf

    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"Expected images shaped (n, height, width, 1 or 3). Received: {images.shape}.")
    try:
        model = keras.applications.MobileNetV2(input_shape=(INPUT_SIZE, INPUT_SIZE, 3), alpha=WIDTH,
                                               include_top=False, weights=str(weights), pooling="avg")
    except (OSError, ValueError) as error:
        raise ValueError(f"{weights} does not hold {BACKBONE}'s weights ({error}). Delete it and fetch it again.") \
            from error

    @tf.function(reduce_retracing=True)
    def features(batch: tf.Tensor) -> tf.Tensor:
        batch = tf.image.resize(batch, (INPUT_SIZE, INPUT_SIZE))
        if batch.shape[-1] == 1:
            batch = tf.image.grayscale_to_rgb(batch)
        return model(batch * 2.0 - 1.0, training=False)

    chunks = []
    for start in range(0, len(images), batch_size):
        chunks.append(features(tf.constant(images[start:start + batch_size], tf.float32)).numpy())
        if done:
            done(start + len(chunks[-1]))
    return np.concatenate(chunks) if chunks else np.zeros((0, FEATURES), np.float32)
