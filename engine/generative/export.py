"""Runnable scripts for the generative labs: the autoencoder, the 2-D and the image GAN, the RBM and the DBN.

Each script carries the app's own model class and builder (``LatentModel``, ``GanModel``,
``RbmModel``: their source, so its ``train_step`` is the app's) with the lab's settings as
constants, loads the same data, trains with ``model.fit`` and can save the parts as ``.keras``
files. The models' modules need Keras, so each function imports its own when it writes a script.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from engine.generative.autoencoder import IMAGE_SIZES, AutoencoderSettings
from engine.generative.dbn import FINE_TUNING_BATCH_SIZE, DbnSettings, build_classifier
from engine.generative.gan import LOSSES, GanTraining
from engine.generative.image_gan import ImageGanSettings
from engine.generative.point_gan import PointGanSettings
from engine.generative.rbm import IMAGE_SIDE, RbmSettings
from engine.generative.targets import Target
from engine.training.optimizers import optimizer_code
from engine.training.scripts import SAVE_MODELS, Length, constants, embedded, fill, image_loader, script, training_main

_TITLE = "Deep Learning Playground export: rebuild this {lab} setup and train it with Keras."


def autoencoder_script(settings: AutoencoderSettings) -> str:
    """A script that trains the autoencoder or VAE of ``settings`` on the same images."""
    from engine.generative import latent_model

    shape = SimpleNamespace(architecture=settings.architecture, hidden_units=settings.hidden_units,
                            latent_dim=settings.latent_dim, variational=settings.variational)
    prepare = """    x_train, _, x_test, _, _ = load_data()
    model = build_latent_model(x_train.shape[1:], SETTINGS, SEED)
    model.beta.assign(BETA)  # weight of the KL term (a VAE only)
    model.noise.assign(NOISE)  # noise added to the inputs (a denoising autoencoder when above 0)
"""
    return script(
        fill(_TITLE, lab="autoencoder"), Length(20),
        [image_loader(settings.dataset, IMAGE_SIZES[settings.dataset], settings.seed),
         constants(SETTINGS=shape, BETA=settings.beta, NOISE=settings.noise, BATCH_SIZE=settings.batch_size),
         embedded(latent_model.kl_divergence, latent_model.LatentModel, latent_model.build_latent_model,
                  latent_model._encoder, latent_model._decoder),
         SAVE_MODELS],
        training_main(prepare, "x_train, x_train, validation_data=(x_test, x_test)",
                      optimizer_code(settings.optimizer)))


def point_gan_script(settings: PointGanSettings, target: Target) -> str:
    """A script that plays the 2-D GAN of ``settings`` on the target's points (carried in the script)."""
    from engine.generative import gan_model

    points = np.round(target.points.astype(np.float64), 4).tolist()
    prepare = """    real = np.array(POINTS, dtype=np.float32)
    model = build_point_gan(NOISE_DIM, G_LAYERS, D_LAYERS, discriminator_optimizer, generator_optimizer, SEED)
"""
    return script(
        fill(_TITLE, lab="2-D GAN"), Length(2000),
        [constants(SEED=settings.seed, NOISE_DIM=settings.noise_dim, G_LAYERS=settings.g_layers,
                   D_LAYERS=settings.d_layers),
         _game(settings.training),
         f"# The target's {len(points)} points, as the app drew them.\n" + constants(POINTS=points),
         embedded(gan_model.GanModel, gan_model._dense_stack, gan_model.build_point_gan, gan_model._built),
         SAVE_MODELS],
        training_main(prepare + _PLAY, "real, real", '"sgd"'))


def image_gan_script(settings: ImageGanSettings) -> str:
    """A script that plays the DCGAN of ``settings`` on the same images."""
    from engine.generative import gan_model

    prepare = """    real, _, _, _, _ = load_data()
    model = build_image_gan(real.shape[1:], NOISE_DIM, FILTERS, discriminator_optimizer, generator_optimizer, SEED)
"""
    return script(
        fill(_TITLE, lab="image GAN"), Length(100),
        [image_loader(settings.dataset, IMAGE_SIZES[settings.dataset], settings.seed),
         constants(NOISE_DIM=settings.noise_dim, FILTERS=settings.filters),
         _game(settings.training),
         embedded(gan_model.GanModel, gan_model.build_image_gan, gan_model._built),
         SAVE_MODELS],
        training_main(prepare + _PLAY, "real, real", '"sgd"'))


def rbm_script(settings: RbmSettings) -> str:
    """A script that trains the RBM of ``settings`` by contrastive divergence on the bundled digits."""
    from engine.generative import rbm_model

    prepare = """    x_train, _, x_test, _, _ = load_data()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)  # pixels as visible units
    model = build_rbm(x_train.shape[1], HIDDEN_UNITS, SEED)
    model.cd_steps.assign(CD_STEPS)  # k: Gibbs steps per update
"""
    return script(
        fill(_TITLE, lab="RBM"), Length(20),
        [image_loader("digits", IMAGE_SIDE, settings.seed),
         constants(HIDDEN_UNITS=settings.hidden_units, CD_STEPS=settings.cd_steps, BATCH_SIZE=settings.batch_size),
         embedded(rbm_model.RbmModel, rbm_model._sigmoid, rbm_model.build_rbm),
         SAVE_MODELS],
        training_main(prepare, "x_train, x_train, validation_data=(x_test, x_test)",
                      optimizer_code(settings.optimizer)))


def dbn_script(settings: DbnSettings) -> str:
    """A script that pre-trains the DBN's RBMs on the digits, then races the three classifiers on a few labels."""
    from engine.generative import rbm_model

    rbm = RbmSettings()  # each stacked RBM trains with the RBM lab's defaults, as in the app
    return script(
        fill(_TITLE, lab="deep belief network"),
        Length(100, note="(--epochs: fine-tuning epochs; each RBM pre-trains for the setup's own number)"),
        [image_loader("digits", IMAGE_SIDE, settings.seed),
         constants(HIDDEN=settings.hidden, PRETRAIN_EPOCHS=settings.pretrain_epochs,
                   RBM_BATCH_SIZE=rbm.batch_size, LABELLED_PER_CLASS=settings.labelled_per_class,
                   BATCH_SIZE=FINE_TUNING_BATCH_SIZE),
         embedded(rbm_model.RbmModel, rbm_model._sigmoid, rbm_model.build_rbm, build_classifier),
         _LABELLED, SAVE_MODELS],
        fill(_DBN_MAIN, rbm_optimizer=optimizer_code(rbm.optimizer), optimizer=optimizer_code(settings.optimizer)))


def _game(training: GanTraining) -> str:
    """The game's settings as constants, and the two optimizers ``GanModel`` builds."""
    losses = ", ".join(f"{index} {name}" for index, name in enumerate(LOSSES))
    return "\n\n\n".join([
        f"# LOSS: {losses}; TRAIN_D, TRAIN_G: 1.0 when that network updates.\n" + constants(
            D_STEPS=training.d_steps, LOSS=list(LOSSES).index(training.loss),
            TRAIN_D=float(training.train != "generator"), TRAIN_G=float(training.train != "discriminator"),
            BATCH_SIZE=training.batch_size),
        fill(_OPTIMIZERS, d=optimizer_code(training.d_optimizer), g=optimizer_code(training.g_optimizer)),
    ])


_OPTIMIZERS = '''def build_optimizer(make):
    """GanModel calls this for each network: in the app with its settings, here with a function below."""
    return make()


def discriminator_optimizer():
    return {d}


def generator_optimizer():
    return {g}'''

_PLAY = """    model.d_steps.assign(D_STEPS)  # k: discriminator updates per generator update
    model.loss_index.assign(LOSS)
    model.train_discriminator.assign(TRAIN_D)
    model.train_generator.assign(TRAIN_G)
    # compile's optimizer goes unused: each network updates with its own (see build_optimizer).
"""

_LABELLED = '''def labelled(x_train, y_train, num_classes):
    """LABELLED_PER_CLASS training images of each class, picked as the app picks them."""
    rng = np.random.default_rng(SEED)
    chosen = np.concatenate([rng.permutation(np.flatnonzero(y_train == label))[:LABELLED_PER_CLASS]
                             for label in range(num_classes)])
    return x_train[chosen], y_train[chosen]'''

_DBN_MAIN = '''def main():
    {arguments}

    x_train, y_train, x_test, y_test, names = load_data()
    x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)  # pixels as visible units
    # Greedy pre-training without labels: each RBM learns the hidden probabilities of the one below.
    inputs, stack = x_train, []
    for units in HIDDEN:
        rbm = build_rbm(inputs.shape[1], units, SEED)
        rbm.compile(optimizer={rbm_optimizer})
        history = rbm.fit(inputs, inputs, batch_size=RBM_BATCH_SIZE, epochs=PRETRAIN_EPOCHS, shuffle=True, verbose=0)
        print(f"RBM of {units} units: reconstruction error {history.history['reconstruction_error'][-1]:.4f}")
        stack.append((rbm.kernel.numpy(), rbm.hidden_bias.numpy()))
        inputs = rbm.transform(inputs)
    # The race on a few labelled images: the DBN fine-tuned, its features frozen, the same MLP from random weights.
    x_labelled, y_labelled = labelled(x_train, y_train, len(names))
    eye = np.eye(len(names), dtype=np.float32)
    models = {}
    for member, stack_layers, train_stack in (("dbn", stack, True), ("frozen", stack, False), ("mlp", None, True)):
        model = build_classifier(x_train.shape[1], HIDDEN, len(names), SEED, stack_layers, train_stack)
        model.compile(optimizer={optimizer}, loss="categorical_crossentropy", metrics=["accuracy"])
        model.fit(x_labelled, eye[y_labelled], batch_size=BATCH_SIZE, epochs=arguments.epochs, shuffle=True, verbose=0)
        print(f"{member}: test accuracy {model.evaluate(x_test, eye[y_test], verbose=0)[1]:.4f}")
        models[member] = model
    save_models(models, arguments.save)'''
