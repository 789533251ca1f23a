"""``LatentModel``: an encoder and a decoder trained as a plain, denoising or variational autoencoder.

Imported only when a model is built (it needs Keras at import time).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from engine.generative.autoencoder import kl_divergence


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
        if self._encode_function is None:
            self._encode_function = tf.function(lambda x: self.encoder(x, training=False))
        code = self._encode_function(tf.constant(images, tf.float32))
        if self.variational:
            return code[0].numpy(), code[1].numpy()
        return code.numpy(), None

    def decode_codes(self, codes: np.ndarray) -> np.ndarray:
        """Images (n, h, w, c) for codes (n, latent); one compiled call for the whole batch."""
        if self._decode_function is None:
            self._decode_function = tf.function(lambda z: self.decoder(z, training=False))
        return self._decode_function(tf.constant(codes, tf.float32)).numpy()
