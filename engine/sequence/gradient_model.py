"""The networks of the gradients lab: a Keras model whose training step can clip its gradients and reports
their norm, for a symbol to recall (classification) or a sum to add up (regression), and the measure of
‖∂L/∂h_t‖ at every time step.

Imported lazily by ``engine.sequence.gradients`` (it needs TensorFlow at import).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from engine.models.layers import Construction, LayerSpec, build_layers

CLIP_MODES = {"none": 0.0, "norm": 1.0, "value": 2.0}
TOLERANCE = 0.04  # a sum within this of the truth counts as right (the adding problem's usual criterion)


def task_loss(targets, outputs, regression: bool):
    """Per-sequence loss: squared error of a sum, or cross-entropy of a symbol."""
    if regression:
        return tf.square(tf.cast(targets, tf.float32) - outputs[:, 0])
    return keras.losses.sparse_categorical_crossentropy(targets, outputs)


class LongDependencyModel(keras.Model):
    """A recurrent network for a long-dependency task, with optional gradient clipping.

    The clipping's mode (``CLIP_MODES``) and threshold are variables: turning clipping on, off
    or to another bound changes the next update without a retrace. Its "accuracy" is the share of symbols named right, or
    of sums within ``TOLERANCE``.
    """

    def __init__(self, network: keras.Model, regression: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.network, self.regression = network, regression
        self.clip_mode = self.add_weight(shape=(), initializer="zeros", trainable=False, name="clip_mode")
        self.threshold = self.add_weight(shape=(), initializer="ones", trainable=False, name="clip_threshold")

    def call(self, inputs, training=False):
        return self.network(inputs, training=training)

    def _scores(self, inputs, targets, training: bool) -> dict:
        outputs = self.network(inputs, training=training)
        loss = tf.reduce_mean(task_loss(targets, outputs, self.regression))
        if self.regression:
            right = tf.cast(tf.abs(tf.cast(targets, tf.float32) - outputs[:, 0]) < TOLERANCE, tf.float32)
        else:
            right = keras.metrics.sparse_categorical_accuracy(targets, outputs)
        return {"loss": loss, "accuracy": tf.reduce_mean(right)}

    def _scores_and_gradients(self, inputs, targets, training: bool) -> tuple[dict, list]:
        """The scores, with the norm of the loss's gradient (before any clipping), and that gradient."""
        with tf.GradientTape() as tape:
            logs = self._scores(inputs, targets, training=training)
        gradients = tape.gradient(logs["loss"], self.network.trainable_variables)
        return {**logs, "gradient_norm": tf.linalg.global_norm(gradients)}, gradients

    def train_step(self, data):
        inputs, targets = data
        logs, gradients = self._scores_and_gradients(inputs, targets, training=True)
        by_norm, _ = tf.clip_by_global_norm(gradients, self.threshold, use_norm=logs["gradient_norm"])
        mode = self.clip_mode
        gradients = [tf.where(mode == CLIP_MODES["norm"], scaled,
                              tf.where(mode == CLIP_MODES["value"],
                                       tf.clip_by_value(gradient, -self.threshold, self.threshold), gradient))
                     for gradient, scaled in zip(gradients, by_norm, strict=True)]
        self.optimizer.apply(gradients, self.network.trainable_variables)
        return logs

    def test_step(self, data):
        inputs, targets = data
        return self._scores_and_gradients(inputs, targets, training=False)[0]

    def export_models(self) -> dict:
        """The network itself (the clipping is a way of training it, not a part of it)."""
        return {"network": self.network}


def build_task_model(steps: int, features: int, outputs: int, cell: str, units: int, gain: float,
                     seed: int) -> LongDependencyModel:
    """(steps, features) in; a distribution over ``outputs`` symbols out, or one number when ``outputs`` is 1
    (the adding problem); same seed, same weights."""
    seeds = iter(range(seed * 1000, seed * 1000 + 1000))
    construction = Construction(initializer=lambda: keras.initializers.GlorotUniform(seed=next(seeds)),
                                next_seed=lambda: next(seeds))
    named = [("recurrent", LayerSpec(cell, units=units, recurrent_gain=gain)),
             ("output", LayerSpec("dense", units=outputs, activation="linear" if outputs == 1 else "softmax"))]
    inputs = keras.Input((steps, features), name="sequence")
    network = keras.Model(inputs, build_layers(inputs, named, construction), name=f"{cell}_network")
    model = LongDependencyModel(network, regression=outputs == 1, name=f"{cell}_training")
    model.build((None, steps, features))
    return model


def configure(model, options) -> None:
    """Set the clipping mode and threshold in place (variables: the compiled step stays)."""
    model.clip_mode.assign(CLIP_MODES[str(options.get("clipping", "none"))])
    model.threshold.assign(float(options.get("threshold", 1.0)))


def state_gradients(model: LongDependencyModel):
    """``f(inputs, targets)``: the mean over the batch of ‖∂L/∂h_t‖ for every step t, (steps,).

    The recurrent layer is stepped with its own cell, and a zero tensor is added to each h_t;
    the loss's gradient with respect to those zeros is its gradient with respect to h_t (through
    every later step), all of them in one backward pass.
    """
    layer = model.network.get_layer("recurrent")
    head = model.network.get_layer("output")
    cell = layer.cell
    sizes = cell.state_size if isinstance(cell.state_size, list | tuple) else [cell.state_size]

    def measure(inputs, targets):
        steps, batch = inputs.shape[1], tf.shape(inputs)[0]
        nudges = tf.zeros((steps, batch, sizes[0]))
        with tf.GradientTape() as tape:
            tape.watch(nudges)
            states = [tf.zeros((batch, size)) for size in sizes]

            def step(index, states):
                output, states = cell(inputs[:, index], states, training=False)
                states = list(states) if isinstance(states, list | tuple) else [states]
                return index + 1, [output + nudges[index], *states[1:]]

            _, states = tf.while_loop(lambda index, _: index < steps, step, (tf.constant(0), states),
                                      maximum_iterations=steps)
            loss = tf.reduce_mean(task_loss(targets, head(states[0]), model.regression))
        gradients = tape.gradient(loss, nudges)
        return tf.reduce_mean(tf.norm(gradients, axis=-1), axis=1)
    return measure
