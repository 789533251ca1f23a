"""``TrainingRun``: a model, its data, optimizer and history, trained in compiled chunks.

A run is advanced by chunks of whole epochs (``advance``), each chunk one call of an XLA
compiled ``tf.function`` that loops over epochs and mini-batches inside the graph
(``engine.training.graph``). Between chunks it can be observed (history, weights,
predictions), paused (simply not advanced), stepped (``step`` = one epoch), moved one
mini-batch update at a time (``advance_updates``: slow motion) and reset (initial weights of
its seed, ~10 ms, no rebuild).

Settings split in two. Live ones (learning rate, momentum, batch size, shuffling, dropout
and regularization rates, the optimizer itself) apply to the next chunk and keep weights and
history; only the learning rate is a variable, the rest retrace the chunk function. Anything
that changes the model's shape or data needs a new run.

A run's model comes in a ``ModelKit`` (``engine.training.pool``): a recipe that names its
architecture borrows one an earlier run of that architecture left, and its compiled functions
take the variables they read as arguments, so every run of an architecture, at once or one
after another, trains on one trace and one compilation: a server compiles each architecture
once, not once per session.

Models with their own ``train_step`` (VAE, GAN, ...) follow one contract: it returns a dict
of per-batch scalar tensors and the run averages them over each epoch. A model that updates
with optimizers of its own (a GAN's two) lists them in ``own_optimizers``, built, so a reset
or a NaN roll-back restores their state too. Plain supervised models use the run's lean step:
forward, loss plus regularization, gradients, update.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

import numpy as np

from engine.device import tune_xla_for_small_models
from engine.training.contract import DIVERGED, FINISHED, READY, STOPPED, STOPPED_EARLY, ChunkResult, Status
from engine.training.graph import MAX_CHUNK_EPOCHS, CompiledSteps, compile_steps, data_tensors
from engine.training.optimizers import OptimizerConfig, build_optimizer
from engine.training.pool import MODEL_POOL, architecture_of, state_variables
from engine.training.setup import ModelRecipe, RunSettings, TrainingData
from engine.training.shared import SharedFunction

MAX_PARAMETERS = int(os.environ.get("DLP_MAX_PARAMETERS", 2_000_000))
SETBACK_RATIO = 2.0  # a loss this many times its value at a settings change is a setback worth a word
SETBACK_WATCH_EPOCHS = 20  # epochs after a change in which a setback is blamed on it


class TrainingRun:
    """A model with its data, optimizer and per-epoch history.

    Args:
        recipe: how to build and score the model.
        data: training and validation arrays.
        settings: live training settings.
        seed: weights, shuffling and dropout all derive from it.
    """

    status: Status
    message: str
    history: dict[str, list[float]]
    _change: tuple[int, float, str] | None  # the last live change: epoch, loss then, what
    _partial_epoch: list[np.ndarray]  # logs of the updates of an epoch under way

    def __init__(self, recipe: ModelRecipe, data: TrainingData, settings: RunSettings, seed: int = 0) -> None:
        import keras

        tune_xla_for_small_models()
        self.recipe, self.data, self.seed = recipe, data, seed
        self.settings = settings
        fresh = recipe.build(seed)
        if not fresh.built:
            raise ValueError("The recipe's build() must return a built model (give it an Input).")
        num_parameters = fresh.count_params()
        if num_parameters > MAX_PARAMETERS:
            raise ValueError(
                f"The model has {num_parameters:,} parameters. Expected at most {MAX_PARAMETERS:,}: "
                "use fewer or smaller layers."
            )
        self._kit = MODEL_POOL.borrow_kit(self, recipe.architecture or architecture_of(recipe.build), fresh)
        self.model = self._kit.model
        self._custom_step = type(self.model).train_step is not keras.Model.train_step
        self._loss = keras.losses.get(recipe.loss) if recipe.loss else None
        if self._loss is None and not self._custom_step:
            raise ValueError("A recipe needs a loss unless its model defines train_step.")
        if recipe.configure:
            recipe.configure(self.model, settings.live_options)
        self._install_optimizer(settings.optimizer)
        self._initial_values = [variable.numpy() for variable in state_variables(self.model)]
        self._compiled: CompiledSteps | None = None
        self._arrays: tuple | None = None  # the data as tensors, made on first use
        self._clear_history()

    # ----------------------------------------------------------------- observing
    def keras_models(self) -> dict[str, Any]:
        """The model, or the parts a custom model names with ``export_models()`` (a VAE's encoder and decoder)."""
        parts = getattr(self.model, "export_models", None)
        return parts() if parts is not None else {"model": self.model}

    @property
    def epoch(self) -> int:
        """Epochs trained since the last reset (an epoch under way in slow motion does not count yet)."""
        return len(next(iter(self.history.values()), []))

    @property
    def update_in_epoch(self) -> int:
        """Updates of the epoch under way that ``advance_updates`` has made (0 between epochs)."""
        return len(self._partial_epoch)

    @property
    def updates_per_epoch(self) -> int:
        """Mini-batch updates in one epoch."""
        return math.ceil(len(self.data.x_train) / min(self.settings.batch_size, len(self.data.x_train)))

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Model outputs for ``inputs`` (inference mode), from a compiled function."""
        import tensorflow as tf

        predict = self.model_function("predict", lambda model: lambda x: model(x, training=False))
        return predict(tf.constant(inputs, dtype=tf.float32)).numpy()

    def model_function(self, name: Hashable, body: Callable[[Any], Callable[..., Any]]) -> Callable[..., Any]:
        """A compiled function of the model, traced once per architecture and name.

        ``body(model)`` returns ``f(*tensors)``, which may only read the model's variables (a
        forecast fed back into the model, a decoder's loop); the result is ``f`` compiled,
        called with this run's variables.
        """
        import tensorflow as tf

        model, jit_compile = self.model, self.settings.jit_compile
        variables = state_variables(model)
        function = self._kit.cached((name, jit_compile), lambda: SharedFunction(
            tf.function(lambda variables, *args: body(model)(*args), jit_compile=jit_compile), variables))
        return partial(function, variables)

    def layer_outputs(self, inputs: np.ndarray, layer_names: tuple[str, ...], with_output: bool = False
                      ) -> list[np.ndarray]:
        """Outputs of the named layers for ``inputs``, one (n, units) array each, in one compiled call.

        With ``with_output`` the model's own output follows them: a page that shows both
        (the playground's neurons and its output map) pays for one call instead of two.
        """
        import keras
        import tensorflow as tf

        if not layer_names and not with_output:
            return []
        model, jit_compile = self.model, self.settings.jit_compile
        variables = state_variables(model)

        def make():
            tensors = [model.get_layer(name).output for name in layer_names] + ([model.outputs[0]] if with_output else [])
            probe = keras.Model(model.inputs, tensors)
            return SharedFunction(tf.function(lambda variables, x: probe(x, training=False), jit_compile=jit_compile),
                                  variables)

        key = ("layers", layer_names, with_output, jit_compile)
        outputs = self._kit.cached(key, make)(variables, tf.constant(inputs, dtype=tf.float32))
        if len(layer_names) + with_output == 1:  # a one-output model returns the tensor itself, not a list of one
            outputs = [outputs]
        return [output.numpy() for output in outputs]

    def weights(self) -> list[np.ndarray]:
        """Current weights, as ``model.get_weights()`` orders them."""
        return self.model.get_weights()

    @property
    def compiled(self) -> bool:
        """Whether the training chunk is compiled for the current settings (its first call, by any run
        of this architecture, compiles it)."""
        return self._compiled_steps().chunk.ran

    def compile(self) -> None:
        """Trace and compile the training chunk now, training nothing: one call for zero epochs.

        XLA compiles the whole function before running it, whatever the epoch count, so a page
        that knows its model can have it ready before the learner presses Play. Quick when
        another run of the architecture compiled it.
        """
        import tensorflow as tf

        self._compiled_steps().chunk(self._state_variables(), tf.constant(0), tf.constant(self.epoch),
                                     *self._arguments())

    # ----------------------------------------------------------------- controlling
    def step(self) -> ChunkResult:
        """Train exactly one epoch."""
        return self.advance(1)

    def advance(self, num_epochs: int) -> ChunkResult:
        """Train up to ``num_epochs`` epochs in one compiled call and record them.

        An epoch that slow motion left half done is finished first (and counts as one).
        Stops early, with a status and message, on a NaN/inf loss (weights roll back to the
        start of the chunk), on early stopping, or at ``max_epochs``.
        """
        import tensorflow as tf

        if self._partial_epoch and self.status == READY:
            finished = self.advance_updates(self.updates_per_epoch - self.update_in_epoch)
            if finished.status != READY or num_epochs <= 1:
                return finished
            return finished.then(self.advance(num_epochs - 1))
        if self.status in STOPPED:
            return ChunkResult(0, self.status, self.message)
        if self.settings.max_epochs:
            num_epochs = min(num_epochs, self.settings.max_epochs - self.epoch)
        num_epochs = max(0, min(int(num_epochs), MAX_CHUNK_EPOCHS))
        if num_epochs == 0:
            return self._finish(FINISHED, f"Reached the maximum of {self.settings.max_epochs} epochs.")
        compiled = self._compiled_steps()
        values = compiled.chunk(self._state_variables(), tf.constant(num_epochs), tf.constant(self.epoch),
                                *self._arguments()).numpy()
        values = values[:num_epochs]
        finite_rows = np.isfinite(values).all(axis=1)
        if not finite_rows.all():
            first_bad = int(np.argmin(finite_rows))
            self._record(values[:first_bad])
            bad_epoch = self.epoch + 1  # the chunk put every variable back as it found it
            return self._finish(
                DIVERGED,
                f"Loss became NaN at epoch {bad_epoch} — try a lower learning rate. "
                f"Weights were rolled back to epoch {self.epoch - first_bad}.",
                epochs=first_bad,
            )
        self._record(values)
        return self._after_epochs(num_epochs)

    def advance_updates(self, num_updates: int) -> ChunkResult:
        """Train ``num_updates`` single mini-batch updates, recording each epoch they complete.

        Slow motion: the same arithmetic as ``advance`` (the same shuffled order, the same
        step), one compiled call per update, so a view redrawn after each shows the network
        move one update at a time. A NaN/inf loss rolls that update back.
        """
        import tensorflow as tf

        if self.status in STOPPED:
            return ChunkResult(0, self.status, self.message)
        if self.settings.max_epochs and self.epoch >= self.settings.max_epochs:
            return self._finish(FINISHED, f"Reached the maximum of {self.settings.max_epochs} epochs.")
        compiled = self._compiled_steps()
        epochs = 0
        for _ in range(max(0, int(num_updates))):
            logs = compiled.update(self._state_variables(), tf.constant(self.epoch),
                                   tf.constant(self.update_in_epoch), *self._arguments()).numpy()
            compiled.update_ran = True
            if not np.isfinite(logs).all():  # the update undid itself
                return self._finish(DIVERGED, f"Loss became NaN at update {self.update_in_epoch + 1} of epoch "
                                              f"{self.epoch + 1} — try a lower learning rate. That update was "
                                              "rolled back.", epochs=epochs)
            self._partial_epoch.append(logs)
            if self.update_in_epoch == compiled.num_batches:
                held_out = compiled.held_out(self._state_variables(), self._arguments()[1]).numpy()
                row = np.concatenate([np.mean(self._partial_epoch, axis=0), held_out])
                self._partial_epoch = []
                self._record(row[None])
                epochs += 1
                result = self._after_epochs(epochs)
                if result.status != READY:
                    return result
        return ChunkResult(epochs, READY)

    def prepare_updates(self) -> None:
        """Trace slow motion's update and held-out functions now, training nothing.

        Tracing them takes a second or more: done here, beside training, a learner who switches
        to slow motion sees the first update at once, and Pause does not wait for the trace.
        """
        import tensorflow as tf

        compiled = self._compiled_steps()
        seed, arrays = self._arguments()
        compiled.update.concrete(tf.constant(self.epoch), tf.constant(0), seed, arrays)
        compiled.held_out.concrete(arrays)

    def warm_updates(self) -> None:
        """Run one slow-motion update and undo it: weights, optimizer state and history stay as they were.

        TensorFlow optimises a traced graph on its first call (~0.3 s for the 2-D GAN's update
        on 2 cores): done here, once per model kit, when nothing else trains this run, a
        learner who switches to slow motion and presses Pause does not wait for it. Call it
        only where no other thread advances the run meanwhile (the trainer's worker does).
        """
        import tensorflow as tf

        compiled = self._compiled_steps()
        if compiled.update_ran or self.status != READY:
            return
        variables = self._state_variables()
        before = [variable.numpy() for variable in variables]
        compiled.update(variables, tf.constant(self.epoch), tf.constant(self.update_in_epoch), *self._arguments())
        for variable, value in zip(variables, before, strict=True):
            variable.assign(value)
        compiled.update_ran = True

    def _state_variables(self) -> list:
        """Everything an update changes: the model's state, its own optimizers', and the run's optimizer."""
        variables = state_variables(self.model)
        known = {id(variable) for variable in variables}
        return variables + [variable for variable in self.optimizer.variables if id(variable) not in known]

    def _after_epochs(self, epochs: int) -> ChunkResult:
        """The run's state after recording ``epochs`` new epochs: early stopping, the epoch limit, or ready."""
        self._note_setback()
        if self.settings.early_stopping_patience and self._should_stop_early():
            return self._finish(STOPPED_EARLY, self.message, epochs=epochs)
        if self.settings.max_epochs and self.epoch >= self.settings.max_epochs:
            return self._finish(FINISHED, f"Reached the maximum of {self.settings.max_epochs} epochs.", epochs)
        return ChunkResult(epochs, READY)

    def reset(self, seed: int | None = None) -> None:
        """Restore initial weights and optimizer state and clear the history.

        With a new ``seed`` the initial weights are drawn again from it; the same seed gives
        exactly the weights the run started with.
        """
        if seed is not None and seed != self.seed:
            fresh = self.recipe.build(seed)
            self._initial_values = [variable.numpy() for variable in state_variables(fresh)]
            self.seed = seed
        self._kit.load(self._initial_values)
        for variable, value in zip(self.optimizer.variables, self._initial_optimizer_values, strict=True):
            variable.assign(value)
        if self.recipe.configure:  # live options held in variables survive the reset
            self.recipe.configure(self.model, self.settings.live_options)
        self._clear_history()

    def update_settings(self, settings: RunSettings) -> list[str]:
        """Apply new settings from the next chunk on; returns what changed, in words.

        Progress (weights, history) is kept. A new optimizer type or a momentum switched on
        or off restarts the optimizer's own state (velocities, moment estimates).
        """
        old, changes = self.settings, []
        self.settings = settings
        if settings.optimizer != old.optimizer:
            if settings.optimizer.name != old.optimizer.name or settings.optimizer.momentum != old.optimizer.momentum:
                self._install_optimizer(settings.optimizer)
                changes.append(f"optimizer: {settings.optimizer.name} (its state restarts; weights kept)")
            else:
                self.optimizer.learning_rate = settings.optimizer.learning_rate
                changes.append(f"learning rate: {settings.optimizer.learning_rate:g}")
        if settings.live_options != old.live_options and self.recipe.configure:
            self.recipe.configure(self.model, settings.live_options)
            if self.recipe.configure_retraces:
                self._forget_compiled()
            changes.append("model options")
        if (settings.batch_size, settings.shuffle, settings.jit_compile) != (old.batch_size, old.shuffle, old.jit_compile):
            self._forget_compiled()
            self._partial_epoch = []  # the epoch under way was cut into other batches: start the next one
            changes.append("batching")
        if changes and self.status == READY:
            losses = self.history.get("loss", [])
            self._change = (self.epoch, float(losses[-1]), ", ".join(changes)) if losses else None
            self.message = ""  # a setback note about an earlier change no longer applies
        if settings.max_epochs != old.max_epochs and self.status == FINISHED:
            self.status, self.message = READY, ""
        if settings.early_stopping_patience != old.early_stopping_patience and self.status == STOPPED_EARLY:
            self.status, self.message = READY, ""
        return changes

    # ----------------------------------------------------------------- internals
    def _install_optimizer(self, config: OptimizerConfig) -> None:
        """Switch to the kit's optimizer of this kind, its state as new and its learning rate set."""
        self._optimizer_key = config.name, config.momentum
        self.optimizer = self._kit.optimizer(self._optimizer_key, lambda: build_optimizer(config))
        self.optimizer.learning_rate = config.learning_rate
        if self._custom_step and getattr(self.model, "optimizer", None) is not self.optimizer:
            self.model.compile(optimizer=self.optimizer)  # a custom train_step updates weights through it
        self._initial_optimizer_values = [variable.numpy() for variable in self.optimizer.variables]
        self._forget_compiled()

    def _forget_compiled(self) -> None:
        """The settings baked into the compiled functions changed: look them up (or trace them) again on next use."""
        self._compiled = None

    def _compiled_steps(self) -> CompiledSteps:
        """The kit's compiled functions for the current settings (traced on their first use by any run)."""
        if self._compiled is None:
            names = [name for name in self.history if not name.startswith(("val_", "stop_"))]
            settings, live_options = self.settings, self.settings.live_options
            baked = tuple(sorted(live_options.items())) if self.recipe.configure_retraces else ()
            key = ("steps", self._optimizer_key, settings.batch_size, settings.shuffle, settings.jit_compile,
                   tuple(names), baked, self.recipe.loss, tuple(self.recipe.metrics.items()),
                   tuple(array.shape for array in self._arguments()[1]))
            model, optimizer, data, train_step = self.model, self.optimizer, self.data, None
            if self._custom_step:
                train_step = model.train_step
            loss, metrics, variables = self._loss, dict(self.recipe.metrics), self._state_variables()
            self._compiled = self._kit.cached(key, lambda: compile_steps(
                model, optimizer, variables, data, settings, names, train_step, loss, metrics))
        return self._compiled

    def _arguments(self) -> tuple:
        """The shuffling seed and the data tensors, as the compiled functions take them."""
        import tensorflow as tf

        if self._arrays is None:
            self._arrays = data_tensors(self.data)
        return tf.constant(self.seed, tf.int32), self._arrays

    def _note_setback(self) -> None:
        """Say so when the loss jumped after a live settings change (a learning rate raised too far)."""
        if self._change is None:
            return
        epoch, before, what = self._change
        since = self.history["loss"][epoch:]
        jumped = loss_setback(before, since)
        if jumped is not None:
            self.message = (f"The training loss jumped from {before:.4g} to {jumped:.4g} after the change at epoch "
                            f"{epoch} ({what}). Steps that large overshoot the minimum: undo the change, or press "
                            "Reset.")
        if jumped is not None or len(since) >= SETBACK_WATCH_EPOCHS:
            self._change = None

    def _clear_history(self) -> None:
        names = ["loss", *self.recipe.metrics] if not self._custom_step else self._custom_metric_names()
        self.history = {name: [] for name in names}
        if len(self.data.x_val):
            self.history.update({f"val_{name}": [] for name in names})
        if self.data.has_stop_split:
            self.history["stop_loss"] = []
        self._best_val_loss, self._best_epoch = math.inf, 0
        self._change = None
        self._partial_epoch = []
        self.status, self.message = READY, ""

    def _custom_metric_names(self) -> list[str]:
        """Metric names a custom ``train_step`` reports, found by one traced call (once per kit and data shape)."""
        import tensorflow as tf

        specs = tuple(tf.TensorSpec(part[:2].shape, tf.float32) for part in (self.data.x_train, self.data.y_train))
        train_step = self.model.train_step
        return self._kit.cached(("metric names", specs),
                                lambda: list(tf.function(train_step).get_concrete_function(specs).structured_outputs))

    def _record(self, values: np.ndarray) -> None:
        names = list(self.history)
        for row in values:
            for name, value in zip(names, row, strict=True):
                self.history[name].append(float(value))

    def _should_stop_early(self) -> bool:
        """Scan the newest epochs for ``patience`` epochs without a better monitored loss.

        The monitored loss is the early-stopping split's when there is one, else ``val_loss``,
        else the training loss.
        """
        key = next(name for name in ("stop_loss", "val_loss", "loss") if name in self.history)
        losses = self.history[key]
        patience = self.settings.early_stopping_patience
        for index in range(len(losses) - len(losses[self._best_epoch:]), len(losses)):
            if losses[index] < self._best_val_loss - 1e-7:
                self._best_val_loss, self._best_epoch = losses[index], index + 1
            elif index + 1 - self._best_epoch >= patience:
                watched = {"stop_loss": "the validation loss", "val_loss": "val_loss", "loss": "the training loss"}
                self.message = (
                    f"Early stopping at epoch {index + 1}: {watched[key]} has not improved for {patience} epochs "
                    f"(best {self._best_val_loss:.4f} at epoch {self._best_epoch})."
                )
                return True
        return False

    def _finish(self, status: Status, message: str, epochs: int = 0) -> ChunkResult:
        self.status, self.message = status, message
        return ChunkResult(epochs, status, message)


def loss_setback(before: float, since: list[float]) -> float | None:
    """The worst training loss since a change when it rose to over ``SETBACK_RATIO`` times ``before``, else None.

    NaN and infinite losses are the divergence check's business, not a setback's.
    """
    finite = [loss for loss in since if math.isfinite(loss)]
    worst = max(finite, default=before)
    return worst if worst > SETBACK_RATIO * before and worst - before > 1e-6 else None
