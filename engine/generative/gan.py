"""Generative adversarial networks (GANs): what the 2-D and the image GAN labs share.

A generator G turns random noise into samples; a discriminator D scores samples as real or
fake. They train in turns: D learns to tell the data from G's output, then G moves its output
to where D says "real". Both models are one ``GanModel`` (its own ``train_step``), so the
shared ``TrainingRun`` plays, pauses, steps and resets them like every other model. One
*epoch* is one pass over the real data: a D and a G update per batch (k D updates with k > 1).

Live settings (no retrace, weights kept): both learning rates, k, the loss family, and which
network trains (both, or one only, to watch each half of the game on its own). The labs
themselves are ``point_gan`` (points in the plane, GAN-Lab style) and ``image_gan`` (a DCGAN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.device import xla_for_convolutions
from engine.fields import Declared, choice, integer, nested
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

LOSSES = {
    "minimax": "Original minimax",
    "non_saturating": "Non-saturating",
    "least_squares": "Least squares",
}
PARTS = {"both": "Both networks", "discriminator": "Discriminator only", "generator": "Generator only"}
MAX_D_STEPS = 10
PINNED_ACCURACY, PINNED_EPOCHS = 0.99, 5
COLLAPSE_RATIO = 0.35
COLLAPSE_AFTER_EPOCHS = 20  # before that every generator's samples are alike grey fog


@dataclass(frozen=True)
class GanTraining(Declared):
    """The adversarial game's settings, shared by the 2-D and the image GAN.

    Attributes:
        d_optimizer, g_optimizer: each network's optimizer (the learning rates are live). Adam
            with β₁ = 0.5 (its momentum) by default: with the usual 0.9 the two networks'
            updates overshoot each other and the 2-D generator collapses onto a few modes. A
            link and the page's slider carry one momentum for both.
        d_steps: discriminator updates per generator update, k (live).
        loss: a key of ``LOSSES`` (live).
        train: a key of ``PARTS``: which network updates (live).
        batch_size: real samples per update (live).
    """

    d_optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.001, momentum=0.5),
                                          keys={"optimizer": "d_opt", "lr": "d_lr"})
    g_optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.001, momentum=0.5),
                                          keys={"optimizer": "g_opt", "lr": "g_lr"})
    d_steps: int = integer(1, 1, MAX_D_STEPS, "k", "a number of discriminator steps", live=True)
    loss: str = choice("non_saturating", LOSSES, "loss", "GAN loss", live=True)
    train: str = choice("both", PARTS, "train", "choice of network", live=True)
    batch_size: int = integer(64, 1, 512, "batch", "a batch size", live=True)

    def live_options(self) -> dict[str, float]:
        return {"d_learning_rate": self.d_optimizer.learning_rate, "g_learning_rate": self.g_optimizer.learning_rate,
                "d_steps": self.d_steps, "loss": list(LOSSES).index(self.loss),
                "train_d": float(self.train != "generator"), "train_g": float(self.train != "discriminator")}


def _configure(model, options) -> None:
    """Assign the live options to the model's variables and its optimizers' learning rates."""
    model.d_optimizer.learning_rate.assign(float(options["d_learning_rate"]))
    model.g_optimizer.learning_rate.assign(float(options["g_learning_rate"]))
    model.d_steps.assign(float(options["d_steps"]))
    model.loss_index.assign(float(options["loss"]))
    model.train_discriminator.assign(float(options["train_d"]))
    model.train_generator.assign(float(options["train_g"]))


def game_settings(training: GanTraining, images: bool = False) -> RunSettings:
    """The run's live settings (its own optimizer goes unused: the GAN updates with its two).

    Dense 2-D GANs always compile with XLA; convolutional ones only where it helps (a GPU).
    """
    return RunSettings(batch_size=training.batch_size, live_options=training.live_options(),
                       jit_compile=xla_for_convolutions() if images else True)


def gan_run(build, real: np.ndarray, training: GanTraining, seed: int, images: bool) -> TrainingRun:
    """A run of the GAN ``build`` makes, on the real samples ``real`` (no held-out data: a GAN has no test score)."""
    recipe = ModelRecipe(build=build, configure=_configure, configure_retraces=False)
    empty = real[:0]
    return TrainingRun(recipe, TrainingData(real, real, empty, empty), game_settings(training, images), seed=seed)


def training_warnings(history: dict, diversity: float | None = None, samples: str = "images") -> list[str]:
    """Plain-word warnings about the game going wrong: D winning outright, or G collapsing.

    ``samples`` names what the networks make ("images", or "points" in the plane).
    """
    warnings = []
    accuracy = history.get("d_accuracy", [])
    if len(accuracy) >= PINNED_EPOCHS and min(accuracy[-PINNED_EPOCHS:]) >= PINNED_ACCURACY:
        warnings.append(f"The discriminator has been right about {PINNED_ACCURACY:.0%} or more of the {samples} for "
                        f"{PINNED_EPOCHS} epochs: it wins outright, so the generator's gradients carry little "
                        "information. Try a lower discriminator learning rate, k = 1, or the non-saturating loss.")
    if diversity is not None and len(accuracy) >= COLLAPSE_AFTER_EPOCHS and diversity < COLLAPSE_RATIO:
        warnings.append(f"The samples are much less varied than real {samples} (spread {diversity:.0%} of the real "
                        "one): the generator may be collapsing onto a few outputs (mode collapse). Try a lower "
                        "generator learning rate, or reset with another seed.")
    return warnings
