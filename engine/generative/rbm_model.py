"""``RbmModel``: a Bernoulli RBM whose ``train_step`` is one contrastive-divergence update.

Imported only when a model is built (it needs Keras at import time).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


class RbmModel(keras.Model):
    """Weights W (visible × hidden), visible biases b, hidden biases c; ``cd_steps`` (k) is a live variable."""

    def __init__(self, visible: int, hidden: int, seed: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kernel = self.add_weight(shape=(visible, hidden), name="kernel",
                                      initializer=keras.initializers.RandomNormal(stddev=0.01, seed=seed))
        self.visible_bias = self.add_weight(shape=(visible,), initializer="zeros", name="visible_bias")
        self.hidden_bias = self.add_weight(shape=(hidden,), initializer="zeros", name="hidden_bias")
        self.cd_steps = self.add_weight(shape=(), initializer="ones", trainable=False, name="cd_steps")
        self.seed_generator = keras.random.SeedGenerator(seed)

    def hidden_probabilities(self, visible):
        return tf.sigmoid(tf.matmul(visible, self.kernel) + self.hidden_bias)

    def visible_probabilities(self, hidden):
        return tf.sigmoid(tf.matmul(hidden, self.kernel, transpose_b=True) + self.visible_bias)

    def _sample(self, probabilities):
        return tf.cast(keras.random.uniform(tf.shape(probabilities), seed=self.seed_generator) < probabilities,
                       tf.float32)

    def free_energy(self, visible):
        """F(v) = −v·b − Σⱼ softplus(cⱼ + v·W[:, j]) per example: lower means more probable."""
        return (-tf.linalg.matvec(visible, self.visible_bias)
                - tf.reduce_sum(tf.nn.softplus(tf.matmul(visible, self.kernel) + self.hidden_bias), axis=1))

    def export_models(self) -> dict[str, keras.Model]:
        """The RBM as a plain Keras model that needs no code of ours to load: visible → p(h | v) (layer
        "hidden", kernel W and bias c) → p(v | h) (layer "reconstruction", kernel Wᵀ and bias b)."""
        visible, hidden = self.kernel.shape
        inputs = keras.Input((visible,), name="visible")
        hidden_layer = keras.layers.Dense(hidden, activation="sigmoid", name="hidden")
        output_layer = keras.layers.Dense(visible, activation="sigmoid", name="reconstruction")
        model = keras.Model(inputs, output_layer(hidden_layer(inputs)), name="rbm_mean_field")
        kernel = self.kernel.numpy()
        hidden_layer.set_weights([kernel, self.hidden_bias.numpy()])
        output_layer.set_weights([kernel.T, self.visible_bias.numpy()])
        return {"rbm": model}

    def call(self, visible, training: bool = False):
        """The one-step mean-field reconstruction: v → p(h | v) → p(v | h)."""
        return self.visible_probabilities(self.hidden_probabilities(visible))

    def _scores(self, visible) -> dict:
        reconstruction = self(visible)
        return {"reconstruction_error": tf.reduce_mean(tf.square(visible - reconstruction)),
                "free_energy": tf.reduce_mean(self.free_energy(visible))}

    def train_step(self, data):
        visible, _ = data
        positive_hidden = self.hidden_probabilities(visible)
        steps = tf.cast(self.cd_steps, tf.int32)

        def gibbs_step(step, hidden_probabilities, _visible):
            chain_visible = self._sample(self.visible_probabilities(self._sample(hidden_probabilities)))
            return step + 1, self.hidden_probabilities(chain_visible), chain_visible

        _, negative_hidden, negative_visible = tf.while_loop(
            lambda step, *_: step < steps, gibbs_step, (tf.constant(0), positive_hidden, visible))
        count = tf.cast(tf.shape(visible)[0], tf.float32)
        # CD-k: data statistics minus chain statistics, negated to be a gradient of −log-likelihood.
        kernel_gradient = -(tf.matmul(visible, positive_hidden, transpose_a=True)
                            - tf.matmul(negative_visible, negative_hidden, transpose_a=True)) / count
        visible_gradient = -tf.reduce_mean(visible - negative_visible, axis=0)
        hidden_gradient = -tf.reduce_mean(positive_hidden - negative_hidden, axis=0)
        self.optimizer.apply([kernel_gradient, visible_gradient, hidden_gradient],
                             [self.kernel, self.visible_bias, self.hidden_bias])
        return self._scores(visible)

    def test_step(self, data):
        return self._scores(data[0])

    def weights_matrix(self) -> np.ndarray:
        return self.kernel.numpy()

    def reconstruct(self, visible: np.ndarray) -> np.ndarray:
        return self(tf.constant(visible, tf.float32)).numpy()

    def transform(self, visible: np.ndarray) -> np.ndarray:
        """Hidden probabilities p(h = 1 | v): the features a DBN stacks on."""
        return self.hidden_probabilities(tf.constant(visible, tf.float32)).numpy()

    def gibbs_chain(self, num_steps: int, record_every: int, seed: int, num_chains: int) -> np.ndarray:
        """Chains from uniform noise; visible probabilities recorded every ``record_every`` steps (and at step 0)."""
        generator = np.random.default_rng(seed)
        visible = (generator.random((num_chains, self.kernel.shape[0])) < 0.5).astype(np.float32)
        frames = [visible]
        kernel, visible_bias, hidden_bias = self.kernel.numpy(), self.visible_bias.numpy(), self.hidden_bias.numpy()
        for step in range(1, num_steps + 1):
            hidden = generator.random((num_chains, kernel.shape[1])) < _sigmoid(visible @ kernel + hidden_bias)
            probabilities = _sigmoid(hidden @ kernel.T + visible_bias)
            visible = (generator.random(probabilities.shape) < probabilities).astype(np.float32)
            if step % record_every == 0:
                frames.append(probabilities.astype(np.float32))
        return np.stack(frames)


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


def build_rbm(visible: int, hidden: int, seed: int) -> RbmModel:
    model = RbmModel(visible, hidden, seed)
    model.build((None, visible))
    return model
