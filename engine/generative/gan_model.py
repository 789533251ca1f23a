"""``GanModel``: a generator and a discriminator trained against each other in one ``train_step``.

Imported only when a model is built (it needs Keras at import time).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from engine.training.optimizers import OptimizerConfig, build_optimizer


class GanModel(keras.Model):
    """Generator G (noise → sample) and discriminator D (sample → one score, a logit).

    Each batch: ``d_steps`` updates of D on the real batch and fresh fakes, then one update
    of G; the discriminator's and the generator's own optimizers (``own_optimizers``) keep
    separate states and learning rates. The loss family, k, the learning rates and which
    network trains are variables, so they change live without retracing. ``loss_index``
    follows the order of ``engine.generative.gan.LOSSES``: minimax, non-saturating, least squares.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, d_optimizer: OptimizerConfig,
                 g_optimizer: OptimizerConfig, seed: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.generator, self.discriminator = generator, discriminator
        self.noise_dim = int(generator.input_shape[-1])
        self.d_steps = self.add_weight(shape=(), initializer="ones", trainable=False, name="d_steps")
        self.loss_index = self.add_weight(shape=(), initializer="ones", trainable=False, name="loss_index")
        self.train_discriminator = self.add_weight(shape=(), initializer="ones", trainable=False, name="train_d")
        self.train_generator = self.add_weight(shape=(), initializer="ones", trainable=False, name="train_g")
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_optimizer, self.g_optimizer = build_optimizer(d_optimizer), build_optimizer(g_optimizer)
        self.d_optimizer.build(discriminator.trainable_variables)
        self.g_optimizer.build(generator.trainable_variables)
        self.own_optimizers = (self.d_optimizer, self.g_optimizer)
        self._generate_function = self._score_function = None
        self._plane_function = None

    def export_models(self) -> dict[str, keras.Model]:
        """The parts worth saving: the generator (noise → sample) and the discriminator (sample → logit)."""
        return {"generator": self.generator, "discriminator": self.discriminator}

    def call(self, noise, training: bool = False):
        return self.generator(noise, training=training)

    def _noise(self, count):
        return keras.random.normal((count, self.noise_dim), seed=self.seed_generator)

    def losses_from_logits(self, real_logits, fake_logits):
        """(D loss, G loss) of the chosen family, from D's logits on a real and a fake batch.

        Minimax: D maximises log D(x) + log(1 − D(G(z))); G minimises log(1 − D(G(z))), whose
        gradient vanishes when D confidently rejects the fakes. Non-saturating: G maximises
        log D(G(z)) instead. Least squares: D's raw output is pushed to 1 on real and 0 on fake.
        """
        d_cross_entropy = ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))
        d_squares = 0.5 * (ops.mean(ops.square(real_logits - 1.0)) + ops.mean(ops.square(fake_logits)))
        g_minimax = -ops.mean(ops.softplus(fake_logits))  # log(1 − sigmoid(l)) = −softplus(l)
        g_non_saturating = ops.mean(ops.softplus(-fake_logits))
        g_squares = 0.5 * ops.mean(ops.square(fake_logits - 1.0))
        index = ops.cast(self.loss_index, "int32")
        d_loss = ops.take(ops.stack([d_cross_entropy, d_cross_entropy, d_squares]), index)
        g_loss = ops.take(ops.stack([g_minimax, g_non_saturating, g_squares]), index)
        return d_loss, g_loss

    def scores(self, logits):
        """D's verdict in [0, 1] (1 = real): the sigmoid of the logit, or the raw output clipped for least squares."""
        least_squares = ops.equal(ops.cast(self.loss_index, "int32"), 2)
        return ops.where(least_squares, ops.clip(logits, 0.0, 1.0), ops.sigmoid(logits))

    def _update_discriminator(self, real):
        fake = self.generator(self._noise(ops.shape(real)[0]), training=True)
        with tf.GradientTape() as tape:
            d_loss, _ = self.losses_from_logits(self.discriminator(real, training=True),
                                                self.discriminator(fake, training=True))
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply(tape.gradient(d_loss, variables), variables)

    def _update_generator(self, real):
        with tf.GradientTape() as tape:
            fake = self.generator(self._noise(ops.shape(real)[0]), training=True)
            _, g_loss = self.losses_from_logits(self.discriminator(real, training=True),
                                                self.discriminator(fake, training=True))
        variables = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(g_loss, variables), variables)

    def train_step(self, data):
        real, _ = data
        d_updates = ops.cast(self.d_steps * self.train_discriminator, "int32")

        def discriminator_step(step):
            self._update_discriminator(real)
            return (step + 1,)

        tf.while_loop(lambda step: step < d_updates, discriminator_step, (tf.constant(0),))
        tf.cond(self.train_generator > 0, lambda: (self._update_generator(real), tf.constant(0))[1],
                lambda: tf.constant(0))
        # The scores after this batch's updates, on the same real batch and fresh fakes.
        real_logits = self.discriminator(real, training=False)
        fake_logits = self.discriminator(self.generator(self._noise(ops.shape(real)[0]), training=False),
                                         training=False)
        d_loss, g_loss = self.losses_from_logits(real_logits, fake_logits)
        real_scores, fake_scores = self.scores(real_logits), self.scores(fake_logits)
        accuracy = 0.5 * (ops.mean(ops.cast(real_scores > 0.5, "float32"))
                          + ops.mean(ops.cast(fake_scores <= 0.5, "float32")))
        return {"d_loss": d_loss, "g_loss": g_loss, "d_real": ops.mean(real_scores), "d_fake": ops.mean(fake_scores),
                "d_accuracy": accuracy}

    def generate(self, noise: np.ndarray) -> np.ndarray:
        """Samples for the given noise, one compiled call for the batch."""
        generate = self._generate_function
        if generate is None:
            generate = self._generate_function = tf.function(lambda z: self.generator(z, training=False),
                                                             reduce_retracing=True)
        return generate(tf.constant(noise, tf.float32)).numpy()

    def judge(self, samples: np.ndarray) -> np.ndarray:
        """D's verdict in [0, 1] for each sample (1 = real)."""
        score = self._score_function
        if score is None:
            score = self._score_function = tf.function(
                lambda x: self.scores(self.discriminator(x, training=False))[:, 0], reduce_retracing=True)
        return score(tf.constant(samples, tf.float32)).numpy()

    def generator_pull(self, samples: np.ndarray) -> np.ndarray:
        """−∂(G loss)/∂x at each sample: the direction the generator's update moves it."""
        return self._pull(tf.constant(samples, tf.float32)).numpy()

    def _pull(self, points):
        with tf.GradientTape() as tape:
            tape.watch(points)
            logits = self.discriminator(points, training=False)
            _, g_loss = self.losses_from_logits(logits, logits)
        return -tape.gradient(g_loss, points)

    def plane_view(self, noise: np.ndarray, grid: np.ndarray, mesh_noise: np.ndarray,
                   arrows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """A 2-D frame in one compiled call: G(noise), D's verdict on ``grid``, G(mesh_noise), and the pull
        on the first ``arrows`` generated points. Four calls, the pull computed eagerly, cost the server
        ~70 ms of CPU a frame on 2 cores; the whole observation is now ~2 ms."""
        plane = self._plane_function
        if plane is None:
            def frame(noise, grid, mesh_noise, arrows):
                fake = self.generator(noise, training=False)
                return (fake, self.scores(self.discriminator(grid, training=False))[:, 0],
                        self.generator(mesh_noise, training=False), self._pull(fake[:arrows]))

            plane = self._plane_function = tf.function(frame, reduce_retracing=True)
        outputs = plane(*(tf.constant(values, tf.float32) for values in (noise, grid, mesh_noise)), tf.constant(arrows))
        return tuple(output.numpy() for output in outputs)  # type: ignore[return-value]


def _dense_stack(inputs, units: tuple[int, ...], activation: str, initializers):
    x = inputs
    for width in units:
        x = keras.layers.Dense(width, activation=activation, kernel_initializer=next(initializers))(x)
    return x


def build_point_gan(noise_dim: int, g_layers: tuple[int, ...], d_layers: tuple[int, ...], d_optimizer: OptimizerConfig,
                    g_optimizer: OptimizerConfig, seed: int) -> GanModel:
    """A GAN of dense networks for 2-D points; the same seed gives the same weights."""
    initializers = iter(keras.initializers.GlorotUniform(seed=seed * 100 + index) for index in range(100))
    noise = keras.Input((noise_dim,))
    generator = keras.Model(noise, keras.layers.Dense(2, kernel_initializer=next(initializers))(
        _dense_stack(noise, g_layers, "relu", initializers)), name="generator")
    points = keras.Input((2,))
    discriminator = keras.Model(points, keras.layers.Dense(1, kernel_initializer=next(initializers))(
        _dense_stack(points, d_layers, "relu", initializers)), name="discriminator")
    return _built(GanModel(generator, discriminator, d_optimizer, g_optimizer, seed), noise_dim)


def build_image_gan(image_shape: tuple[int, ...], noise_dim: int, filters: int, d_optimizer: OptimizerConfig,
                    g_optimizer: OptimizerConfig, seed: int) -> GanModel:
    """A small DCGAN: transposed convolutions up from a (h/4)×(w/4) seed image; strided convolutions down."""
    height, width, channels = image_shape
    initializers = iter(keras.initializers.RandomNormal(stddev=0.02, seed=seed * 100 + index) for index in range(100))
    noise = keras.Input((noise_dim,))
    x = keras.layers.Dense(height // 4 * width // 4 * filters * 2, use_bias=False,
                           kernel_initializer=next(initializers))(noise)
    x = keras.layers.LeakyReLU(0.2)(keras.layers.BatchNormalization()(x))
    x = keras.layers.Reshape((height // 4, width // 4, filters * 2))(x)
    x = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                                     kernel_initializer=next(initializers))(x)
    x = keras.layers.LeakyReLU(0.2)(keras.layers.BatchNormalization()(x))
    images = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="sigmoid",
                                          kernel_initializer=next(initializers))(x)
    generator = keras.Model(noise, images, name="generator")
    inputs = keras.Input(image_shape)
    x = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(filters, 4, strides=2, padding="same",
                                                        kernel_initializer=next(initializers))(inputs))
    x = keras.layers.LeakyReLU(0.2)(keras.layers.Conv2D(filters * 2, 4, strides=2, padding="same",
                                                        kernel_initializer=next(initializers))(x))
    logits = keras.layers.Dense(1, kernel_initializer=next(initializers))(keras.layers.Flatten()(x))
    discriminator = keras.Model(inputs, logits, name="discriminator")
    return _built(GanModel(generator, discriminator, d_optimizer, g_optimizer, seed), noise_dim)


def _built(model: GanModel, noise_dim: int) -> GanModel:
    model.build((None, noise_dim))
    return model
