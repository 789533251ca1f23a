"""Restricted Boltzmann machines (RBM) trained by contrastive divergence, and a deep belief network (DBN).

An RBM is two layers of binary units, visible v (the pixels) and hidden h, joined by weights
W with no links inside a layer. Its energy E(v, h) = −v·b − h·c − vᵀWh makes a probability
for every (v, h); given v the hidden units are independent, p(hⱼ = 1 | v) = σ(cⱼ + v·W[:, j]),
and the same holds the other way round. Learning raises the probability of the data: the
gradient is ⟨v hᵀ⟩ under the data minus ⟨v hᵀ⟩ under the model. The second term needs
samples from the model; **contrastive divergence (CD-k)** approximates it by starting a Gibbs
chain at the data and running it k steps.

The update is written out in TensorFlow (no backpropagation) in ``RbmModel.train_step``, so
the shared ``TrainingRun`` plays, steps and resets an RBM like any other model; its optimizer
(plain SGD by default) applies the CD estimate as the gradient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from engine import fields
from engine.fields import Declared, integer, nested, random_seed
from engine.jobs import Report
from engine.training.executor import default_executor
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

MAX_HIDDEN = 512
MAX_CD_STEPS = 25
NUM_CHAINS = 16
IMAGE_SIDE = 8  # the lab's images: the bundled digits, 8×8 pixels (64 visible units)


@dataclass(frozen=True)
class RbmSettings(Declared):
    """One RBM experiment on images flattened to visible units.

    Attributes:
        hidden_units: size of the hidden layer.
        cd_steps: k, Gibbs steps per update (live).
        optimizer: how the CD estimate updates the weights (live).
        batch_size: images per update (live).
        seed: weights, Gibbs sampling and shuffling.
    """

    hidden_units: int = integer(64, 1, MAX_HIDDEN, "hidden", "a number of hidden units")
    cd_steps: int = integer(1, 1, MAX_CD_STEPS, "k", "a number of Gibbs steps (k)", live=True)
    optimizer: OptimizerConfig = nested(OptimizerConfig("sgd", 0.05), keys={"momentum": None}, live=True)
    batch_size: int = integer(20, 1, 512, "batch", "a batch size", live=True)
    seed: int = random_seed()


def flatten(images: np.ndarray) -> np.ndarray:
    """(n, h, w, 1) images in [0, 1] as (n, h·w) visible probabilities."""
    return images.reshape(len(images), -1).astype(np.float32)


def run_settings(settings: RbmSettings) -> RunSettings:
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size,
                       live_options={"cd_steps": settings.cd_steps})


def _configure(model, options) -> None:
    model.cd_steps.assign(float(options.get("cd_steps", 1)))


def make_run(settings: RbmSettings, x_train: np.ndarray, x_val: np.ndarray) -> TrainingRun:
    """A run that fits an RBM to (n, visible) arrays of probabilities; the validation part scores it."""
    from engine.generative.rbm_model import build_rbm

    visible = x_train.shape[1]
    recipe = ModelRecipe(build=partial(build_rbm, visible, settings.hidden_units), configure=_configure,
                         configure_retraces=False)
    return TrainingRun(recipe, TrainingData(x_train, x_train, x_val, x_val), run_settings(settings), seed=settings.seed)


@dataclass(frozen=True)
class RbmView:
    """What the live RBM page draws.

    Attributes:
        filters: each hidden unit's weights as an image, (h, w, hidden_units).
        originals: test images, (n, h, w, 1); reconstructions: their one-step mean-field reconstructions.
    """

    filters: np.ndarray
    originals: np.ndarray
    reconstructions: np.ndarray


class RbmObserver:
    """Weights as images and reconstructions of the first test images, for images of ``image_shape``."""

    def __init__(self, image_shape: tuple[int, int], num_shown: int = 8) -> None:
        self.image_shape, self.num_shown = image_shape, num_shown

    def __call__(self, run: TrainingRun) -> RbmView:
        height, width = self.image_shape
        weights = run.model.weights_matrix()
        originals = run.data.x_val[:self.num_shown]
        reconstructions = run.model.reconstruct(originals)
        return RbmView(weights.reshape(height, width, -1), originals.reshape(-1, height, width, 1),
                       reconstructions.reshape(-1, height, width, 1))


def gibbs_chain(run: TrainingRun, num_steps: int, record_every: int, seed: int, num_chains: int = NUM_CHAINS) -> np.ndarray:
    """Visible probabilities of chains started from noise, every ``record_every`` steps: (frames, chains, visible)."""
    if not 1 <= num_steps <= 5000 or record_every < 1:
        raise ValueError(f"Expected 1 to 5,000 Gibbs steps recorded at least every step. Received: {num_steps}.")
    return run.model.gibbs_chain(num_steps, record_every, seed, num_chains)


def sklearn_reference(x_train: np.ndarray, x_test: np.ndarray, settings: RbmSettings, epochs: int,
                      report: Report | None = None) -> float:
    """Test reconstruction error of scikit-learn's ``BernoulliRBM`` with the same size, rate, batch and epochs.

    scikit-learn runs persistent CD-1 with plain SGD; the error is computed the same way as
    ours (one mean-field step, mean squared error per pixel), so the two can be compared. It
    trains batch by batch with ``partial_fit``, in the order ``fit`` takes them, each epoch in a
    slot of the shared executor; ``report(fraction, text)`` hears after every epoch.
    """
    from sklearn.neural_network import BernoulliRBM
    from sklearn.utils import gen_even_slices

    rbm = BernoulliRBM(n_components=settings.hidden_units, learning_rate=settings.optimizer.learning_rate,
                       batch_size=settings.batch_size, random_state=settings.seed)
    num_batches = math.ceil(len(x_train) / settings.batch_size)
    batches = list(gen_even_slices(num_batches * settings.batch_size, num_batches, n_samples=len(x_train)))

    def epoch() -> None:
        for batch in batches:
            rbm.partial_fit(x_train[batch])

    for done in range(1, epochs + 1):
        default_executor().run(epoch)
        if report:
            report(done / epochs, f"epoch {done} of {epochs}")
    hidden = rbm.transform(x_test)
    reconstruction = 1.0 / (1.0 + np.exp(-(hidden @ rbm.components_ + rbm.intercept_visible_)))
    return float(np.mean((x_test - reconstruction) ** 2))


# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, RbmSettings)
