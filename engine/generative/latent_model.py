"""``LatentModel``: an encoder and a decoder trained as a plain, denoising or variational autoencoder.

Imported only when a model is built (it needs Keras at import time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import keras
import numpy as np
import tensorflow as tf
from keras import ops

if TYPE_CHECKING:  # only annotations: the settings module imports this one when it builds a model
    from engine.generative.autoencoder import AutoencoderSettings


def kl_divergence(mean, log_variance):
    """KL(N(μ, σ²) ‖ N(0, 1)) per example, summed over the code's dimensions (closed form).

    ½ Σ (σ² + μ² − 1 − log σ²). Works on NumPy arrays and tensors alike.
    """
    return 0.5 * ops.sum(ops.exp(log_variance) + ops.square(mean) - 1.0 - log_variance, axis=-1)


class LatentModel(keras.Model):
    """Encoder + decoder with the training step of an autoencoder or a VAE.

    ``beta`` (KL weight) and ``noise`` (input noise level) are non-trainable variables, so
    changing them takes effect at the next batch without retracing. The encoder returns a
    code, or ``[mean, log_variance]`` for a VAE.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, variational: bool, seed: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.encoder, self.decoder, self.variational = encoder, decoder, variational
        self.beta = self.add_weight(shape=(), initializer="ones", trainable=False, name="beta")
        self.noise = self.add_weight(shape=(), initializer="zeros", trainable=False, name="noise")
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._encode_function = self._decode_function = None

    def export_models(self) -> dict[str, keras.Model]:
        """The parts worth saving: the encoder (image → code, or mean and log-variance) and the decoder."""
        return {"encoder": self.encoder, "decoder": self.decoder}

    def call(self, inputs, training: bool = False):
        """The reconstruction of ``inputs`` from their mean code (no sampling)."""
        return self.decoder(self._mean_code(inputs, training), training=training)

    def _mean_code(self, inputs, training: bool):
        code = self.encoder(inputs, training=training)
        return code[0] if self.variational else code

    def _scores(self, inputs, targets, training: bool) -> dict:
        noisy = ops.clip(inputs + self.noise * keras.random.normal(ops.shape(inputs), seed=self.seed_generator), 0.0, 1.0)
        if self.variational:
            mean, log_variance = self.encoder(noisy, training=training)
            epsilon = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
            codes = mean + ops.exp(0.5 * log_variance) * epsilon  # the reparameterisation trick
        else:
            codes = self.encoder(noisy, training=training)
        reconstruction = self.decoder(codes, training=training)
        # Cross-entropy per pixel, summed over the image: the negative log-likelihood of the target.
        per_image = ops.sum(ops.binary_crossentropy(targets, reconstruction), axis=(1, 2, 3))
        reconstruction_loss = ops.mean(per_image)
        if not self.variational:
            return {"loss": reconstruction_loss, "reconstruction_loss": reconstruction_loss}
        kl_loss = ops.mean(kl_divergence(mean, log_variance))
        return {"loss": reconstruction_loss + self.beta * kl_loss, "reconstruction_loss": reconstruction_loss,
                "kl_loss": kl_loss}

    def train_step(self, data):
        inputs, targets = data
        with tf.GradientTape() as tape:
            logs = self._scores(inputs, targets, training=True)
        gradients = tape.gradient(logs["loss"], self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        return logs

    def test_step(self, data):
        inputs, targets = data
        return self._scores(inputs, targets, training=False)

    def encode_images(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Mean codes (n, latent) and, for a VAE, log-variances; one compiled call."""
        encode = self._encode_function
        if encode is None:
            encode = self._encode_function = tf.function(lambda x: self.encoder(x, training=False),
                                                         reduce_retracing=True)
        code = encode(tf.constant(images, tf.float32))
        if self.variational:
            return code[0].numpy(), code[1].numpy()
        return code.numpy(), None

    def decode_codes(self, codes: np.ndarray) -> np.ndarray:
        """Images (n, h, w, c) for codes (n, latent); one compiled call for the whole batch."""
        decode = self._decode_function
        if decode is None:
            decode = self._decode_function = tf.function(lambda z: self.decoder(z, training=False),
                                                         reduce_retracing=True)
        return decode(tf.constant(codes, tf.float32)).numpy()


def build_latent_model(image_shape: tuple[int, ...], settings: AutoencoderSettings, seed: int) -> LatentModel:
    """Encoder and decoder for ``settings``, built; the same seed gives the same weights."""
    initializers = iter(keras.initializers.GlorotUniform(seed=seed * 100 + index) for index in range(100))
    encoder = _encoder(image_shape, settings, initializers)
    decoder = _decoder(image_shape, settings, initializers)
    model = LatentModel(encoder, decoder, settings.variational, seed)
    model.build((None, *image_shape))
    return model


def _encoder(image_shape: tuple[int, ...], settings: AutoencoderSettings, initializers) -> keras.Model:
    inputs = keras.Input(image_shape)
    x = inputs
    if settings.architecture == "conv":
        x = keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", kernel_initializer=next(initializers))(x)
        x = keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu", kernel_initializer=next(initializers))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(settings.hidden_units, activation="relu", kernel_initializer=next(initializers))(x)
    x = keras.layers.Dense(max(1, settings.hidden_units // 2), activation="relu", kernel_initializer=next(initializers))(x)
    mean = keras.layers.Dense(settings.latent_dim, name="mean", kernel_initializer=next(initializers))(x)
    if not settings.variational:
        return keras.Model(inputs, mean, name="encoder")
    # Starts near log σ² = 0 (σ = 1) and learns to shrink it.
    log_variance = keras.layers.Dense(settings.latent_dim, name="log_variance", kernel_initializer="zeros")(x)
    return keras.Model(inputs, [mean, log_variance], name="encoder")


def _decoder(image_shape: tuple[int, ...], settings: AutoencoderSettings, initializers) -> keras.Model:
    height, width, channels = image_shape
    codes = keras.Input((settings.latent_dim,))
    x = keras.layers.Dense(max(1, settings.hidden_units // 2), activation="relu", kernel_initializer=next(initializers))(codes)
    x = keras.layers.Dense(settings.hidden_units, activation="relu", kernel_initializer=next(initializers))(x)
    if settings.architecture == "conv":
        x = keras.layers.Dense(height // 4 * width // 4 * 32, activation="relu", kernel_initializer=next(initializers))(x)
        x = keras.layers.Reshape((height // 4, width // 4, 32))(x)
        x = keras.layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu",
                                         kernel_initializer=next(initializers))(x)
        x = keras.layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu",
                                         kernel_initializer=next(initializers))(x)
        x = keras.layers.Conv2D(channels, 3, padding="same", activation="sigmoid", kernel_initializer=next(initializers))(x)
    else:
        x = keras.layers.Dense(height * width * channels, activation="sigmoid", kernel_initializer=next(initializers))(x)
        x = keras.layers.Reshape(image_shape)(x)
    return keras.Model(codes, x, name="decoder")
