"""The compiled functions a ``TrainingRun`` trains with: whole epochs, or one update at a time.

``compile_steps`` traces three ``tf.function``s over one set of pieces, so a chunk of epochs
and a single mini-batch update do exactly the same arithmetic:

- ``chunk(variables, num_epochs, first_epoch, seed, arrays)``: whole epochs in one call (XLA
  when asked), each epoch shuffled from the seed and the epoch number, its batch logs averaged,
  then scored on the held-out data. Rows go into a (MAX_CHUNK_EPOCHS, width) buffer: static
  shapes for XLA. An epoch with a NaN or infinite score ends the chunk, and every variable is
  put back as the chunk found it.
- ``update(variables, epoch, batch, seed, arrays)``: batch number ``batch`` of epoch ``epoch``
  in the same order, one optimizer step, its logs (slow motion shows the network move one
  update at a time); an update with a NaN or infinite log is undone.
- ``held_out(variables, arrays)``: the held-out scores an epoch ends with.

Everything that differs between runs is an argument, not captured: the variables the step
reads and writes (the model's, its own optimizers', the run's optimizer's), the data
(``arrays``: ``data_tensors``) and the shuffling seed. So the same traced and compiled
functions serve every model of an architecture with data of the same shapes, at the same
time (``SharedFunction`` in ``engine.training.pool``).

A row is the training logs (one per name), then the same names on ``val`` data when there is
some, then the loss on the early-stopping split when there is one.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from engine.training.shared import SharedFunction

MAX_CHUNK_EPOCHS = 1000  # static size of the per-epoch metrics buffer inside the graph


@dataclass
class CompiledSteps:
    """A run's compiled functions (see the module docstring), its batches per epoch, and
    whether ``update`` ran once (TensorFlow optimises a traced graph on its first call)."""

    chunk: SharedFunction
    update: SharedFunction
    held_out: SharedFunction
    num_batches: int
    update_ran: bool = False


def data_tensors(data) -> tuple:
    """A ``TrainingData``'s arrays as float32 tensors, in the order the compiled functions take them.

    (x_train, y_train, x_val, y_val), then (x_stop, y_stop) when there is an early-stopping split.
    """
    import tensorflow as tf

    arrays = [data.x_train, data.y_train, data.x_val, data.y_val]
    if data.has_stop_split:
        arrays += [data.x_stop, data.y_stop]
    return tuple(tf.constant(array, dtype=tf.float32) for array in arrays)


def compile_steps(model, optimizer, variables: list, data, settings, names: list[str], train_step: Callable | None,
                  loss: Callable | None, metrics: Mapping[str, Callable]) -> CompiledSteps:
    """Trace the run's functions (on first call) for data of ``data``'s shapes.

    Args:
        model: the Keras model; optimizer: the run's optimizer (for the built-in step).
        variables: every variable the steps read, in the order every caller passes its own.
        data: a ``TrainingData`` of the shapes the functions will take (its arrays are not kept).
        settings: the run's ``RunSettings``.
        names: the training logs to record, in order.
        train_step: the model's own ``train_step((x, y))``, or None for the built-in step
            (forward, loss plus layer penalties, gradients, update).
        loss: the Keras loss function of the built-in step; metrics: name -> per-example
            function ``f(y_true, y_pred)``, both scored as batch means.
    """
    import tensorflow as tf

    if train_step is None and loss is None:
        raise ValueError("The built-in training step needs a loss. Received none.")
    scored_loss = cast(Callable, loss)  # only the built-in step scores with it, and it has one (checked above)
    has_val, has_stop = len(data.x_val) > 0, data.has_stop_split
    num_train = len(data.x_train)
    batch_size = min(settings.batch_size, num_train)
    num_batches = math.ceil(num_train / batch_size)

    def score(y_true, y_pred) -> dict:
        """Batch-mean loss and metrics: ``{"loss": ..., <metric>: ...}`` as scalar tensors."""
        scores = {"loss": tf.reduce_mean(scored_loss(y_true, y_pred))}
        for name, function in metrics.items():
            scores[name] = tf.reduce_mean(tf.cast(function(y_true, y_pred), tf.float32))
        return scores

    def built_in_step(x, y):
        with tf.GradientTape() as tape:
            logs = score(y, model(x, training=True))
            total = logs["loss"]
            if model.losses:  # L1/L2 penalties of the layers
                total = total + tf.add_n(model.losses)
        gradients = tape.gradient(total, model.trainable_variables)
        optimizer.apply(gradients, model.trainable_variables)
        return {**logs, "loss": total}

    step = (lambda x, y: train_step((x, y))) if train_step is not None else built_in_step

    def evaluate(x, y):
        return model.test_step((x, y)) if train_step is not None else score(y, model(x, training=False))

    # Compiled as the chunk is, even where it is called from a plain graph (slow motion): XLA and
    # TensorFlow's own kernels draw different random numbers from the same seed.
    @tf.function(jit_compile=settings.jit_compile)
    def shuffled(global_epoch, seed):
        return tf.argsort(tf.random.stateless_uniform([num_train], seed=tf.stack([seed, global_epoch])))

    def epoch_order(global_epoch, seed, arrays):
        """The training set in this epoch's order: a stateless shuffle of (seed, epoch)."""
        x_train, y_train = arrays[:2]
        if not settings.shuffle:
            return x_train, y_train
        order = shuffled(global_epoch, seed)
        return tf.gather(x_train, order), tf.gather(y_train, order)

    def train_batch(xs, ys, batch):
        """One update on batch ``batch`` of an ordered set; its logs as a list in ``names`` order."""
        # The last batch ends at the last example, overlapping the one before when the size
        # does not divide evenly: shapes stay static for XLA.
        start = tf.minimum(batch * batch_size, num_train - batch_size)
        logs = step(tf.slice(xs, _begin(start, xs), _size(batch_size, xs)),
                    tf.slice(ys, _begin(start, ys), _size(batch_size, ys)))
        return [tf.cast(logs[name], tf.float32) for name in names]

    def held_out_row(arrays):
        row = []
        if has_val:
            val_logs = evaluate(*arrays[2:4])
            row += [tf.cast(val_logs[name], tf.float32) for name in names]
        if has_stop:
            row.append(tf.cast(evaluate(*arrays[4:6])["loss"], tf.float32))
        return row

    @tf.function(jit_compile=settings.jit_compile)
    def chunk(variables, num_epochs, first_epoch, seed, arrays):
        def epoch_body(epoch, buffer, finite):
            xs, ys = epoch_order(first_epoch + epoch, seed, arrays)
            totals = [tf.constant(0.0) for _ in names]
            for batch in tf.range(num_batches):
                totals = [total + value for total, value in zip(totals, train_batch(xs, ys, batch), strict=True)]
            row = tf.stack([total / num_batches for total in totals] + held_out_row(arrays))
            finite = tf.reduce_all(tf.math.is_finite(row))
            return epoch + 1, tf.tensor_scatter_nd_update(buffer, [[epoch]], [row]), finite

        width = len(names) * (2 if has_val else 1) + int(has_stop)
        buffer = tf.zeros([MAX_CHUNK_EPOCHS, width])
        with rolled_back_unless_finite(variables) as outcome:
            _, buffer, outcome.finite = tf.while_loop(lambda epoch, _, finite: (epoch < num_epochs) & finite, epoch_body,
                                                      [tf.constant(0), buffer, tf.constant(True)])
        return buffer

    # Slow motion and the end of its epochs call these once per frame: plain graphs, which trace
    # in a fraction of the seconds XLA takes to compile them, and run one batch just as fast.
    @tf.function
    def update(variables, epoch, batch, seed, arrays):
        xs, ys = epoch_order(epoch, seed, arrays)
        with rolled_back_unless_finite(variables) as outcome:
            logs = tf.stack(train_batch(xs, ys, batch))
            outcome.finite = tf.reduce_all(tf.math.is_finite(logs))
        return logs

    @tf.function
    def held_out(variables, arrays):
        row = held_out_row(arrays)
        return tf.stack(row) if row else tf.zeros([0])

    return CompiledSteps(SharedFunction(chunk, variables), SharedFunction(update, variables),
                         SharedFunction(held_out, variables), num_batches)


class _Outcome:
    """What ``rolled_back_unless_finite``'s block found: a boolean tensor, set inside the block."""

    finite: Any = None


@contextlib.contextmanager
def rolled_back_unless_finite(variables: list) -> Iterator[_Outcome]:
    """In a traced function: keep the variables' values, and put them back after the block unless it set
    ``finite`` true. A NaN roll-back inside the graph, so a chunk costs no copy of the weights to the host."""
    import tensorflow as tf

    kept = [tf.identity(variable) for variable in variables]
    outcome = _Outcome()
    yield outcome

    def put_back() -> Any:
        for variable, value in zip(variables, kept, strict=True):
            variable.assign(value)
        return tf.constant(False)

    tf.cond(outcome.finite, lambda: tf.constant(True), put_back)


def _begin(start, tensor):
    """Slice start ``[start, 0, 0, ...]`` for a tensor of any rank."""
    import tensorflow as tf

    return tf.concat([[start], tf.zeros([len(tensor.shape) - 1], tf.int32)], axis=0)


def _size(batch_size: int, tensor) -> list[int]:
    """Slice size ``[batch_size, *rest]``: one batch of whole examples."""
    return [batch_size, *tensor.shape[1:]]
