"""The generative labs' exported scripts: each builds the app's model and trains it in a fresh interpreter."""

from __future__ import annotations

import re
from pathlib import Path

import keras
import numpy as np
import pytest

from engine.generative.autoencoder import AutoencoderSettings, build_autoencoder
from engine.generative.dbn import DbnSettings, build_classifier, labelled_task
from engine.generative.export import autoencoder_script, dbn_script, image_gan_script, point_gan_script, rbm_script
from engine.generative.gan import GanTraining
from engine.generative.gan_model import build_image_gan, build_point_gan
from engine.generative.image_gan import ImageGanSettings
from engine.generative.point_gan import PointGanSettings
from engine.generative.rbm import RbmSettings
from engine.generative.rbm_model import build_rbm
from engine.generative.targets import make_target
from engine.training.optimizers import OptimizerConfig
from tests.engine.scripts import run_script, script_namespace


def assert_same_weights(written: keras.Model, built: keras.Model) -> None:
    assert written.count_params() == built.count_params()
    for mine, theirs in zip(written.get_weights(), built.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("settings", [AutoencoderSettings(kind="vae", latent_dim=3, hidden_units=32, seed=4),
                                      AutoencoderSettings(kind="autoencoder", architecture="conv", seed=2)],
                         ids=["dense-vae", "conv-autoencoder"])
def test_the_autoencoder_script_builds_the_apps_encoder_and_decoder(settings):
    script = script_namespace(autoencoder_script(settings))
    written = script["build_latent_model"]((8, 8, 1), script["SETTINGS"], script["SEED"])
    built = build_autoencoder((8, 8, 1), settings, settings.seed)
    assert_same_weights(written.encoder, built.encoder)
    assert_same_weights(written.decoder, built.decoder)
    assert written.variational == settings.variational


def test_the_point_gan_script_carries_the_target_and_builds_the_apps_networks():
    training = GanTraining(OptimizerConfig("rmsprop", 0.004), OptimizerConfig("sgd", 0.02), d_steps=3,
                           loss="least_squares", train="discriminator")
    settings = PointGanSettings(target="spiral", g_layers=(16,), d_layers=(8, 8), noise_dim=3, training=training,
                                seed=6)
    target = make_target("spiral", 6)
    script = script_namespace(point_gan_script(settings, target))
    np.testing.assert_allclose(script["POINTS"], target.points, atol=1e-4)
    written = script["build_point_gan"](3, (16,), (8, 8), script["discriminator_optimizer"],
                                        script["generator_optimizer"], 6)
    built = build_point_gan(3, (16,), (8, 8), training.d_optimizer, training.g_optimizer, 6)
    assert_same_weights(written.generator, built.generator)
    assert_same_weights(written.discriminator, built.discriminator)
    assert isinstance(written.d_optimizer, keras.optimizers.RMSprop) and written.d_optimizer.learning_rate == 0.004
    assert isinstance(written.g_optimizer, keras.optimizers.SGD)
    assert (script["D_STEPS"], script["LOSS"], script["TRAIN_D"], script["TRAIN_G"]) == (3, 2, 1.0, 0.0)


def test_the_image_gan_script_builds_the_apps_dcgan():
    settings = ImageGanSettings(noise_dim=5, filters=6, seed=1)
    script = script_namespace(image_gan_script(settings))
    written = script["build_image_gan"]((8, 8, 1), 5, 6, script["discriminator_optimizer"],
                                        script["generator_optimizer"], 1)
    built = build_image_gan((8, 8, 1), 5, 6, settings.training.d_optimizer, settings.training.g_optimizer, 1)
    assert_same_weights(written.generator, built.generator)
    assert_same_weights(written.discriminator, built.discriminator)


def test_the_rbm_script_builds_the_apps_rbm():
    settings = RbmSettings(hidden_units=12, cd_steps=3, seed=8)
    script = script_namespace(rbm_script(settings))
    assert_same_weights(script["build_rbm"](64, 12, 8), build_rbm(64, 12, 8))
    assert (script["HIDDEN_UNITS"], script["CD_STEPS"]) == (12, 3)


def test_the_dbn_script_picks_the_apps_labelled_images_and_builds_its_classifier(digits):
    settings = DbnSettings(hidden=(12, 6), labelled_per_class=4, seed=0)  # the fixture's split
    script = script_namespace(dbn_script(settings))
    x_train, y_train, _, _, names = script["load_data"]()
    x_labelled, y_labelled = script["labelled"](x_train.reshape(len(x_train), -1), y_train, len(names))
    task = labelled_task(digits, 4, seed=0)
    np.testing.assert_allclose(x_labelled, task.x_train, atol=1e-6)
    np.testing.assert_array_equal(y_labelled, task.y_train.argmax(axis=1))
    stack = ((np.ones((64, 12), np.float32), np.zeros(12, np.float32)),)
    written = script["build_classifier"](64, (12, 6), 10, 3, stack, False)
    assert_same_weights(written, build_classifier(64, (12, 6), 10, 3, stack, False))
    assert [layer.trainable for layer in written.layers] == [False, True, True]


@pytest.mark.parametrize(("source", "models"), [
    (lambda: autoencoder_script(AutoencoderSettings(hidden_units=16)), {"encoder", "decoder"}),
    (lambda: point_gan_script(PointGanSettings(g_layers=(8,), d_layers=(8,)), make_target("ring", 0, num_points=64)),
     {"generator", "discriminator"}),
    (lambda: image_gan_script(ImageGanSettings(filters=4)), {"generator", "discriminator"}),
    (lambda: rbm_script(RbmSettings(hidden_units=8)), {"rbm"}),
    (lambda: dbn_script(DbnSettings(hidden=(8, 4), pretrain_epochs=1)), {"dbn", "frozen", "mlp"}),
], ids=["autoencoder", "point-gan", "image-gan", "rbm", "dbn"])
def test_the_script_trains_reports_and_saves_models_that_load_safely(tmp_path: Path, source, models):
    result = run_script(source(), tmp_path, "--epochs", "1", "--save", "trained")
    assert result.returncode == 0, result.stderr[-2000:]
    reported = re.findall(r"(?:error|accuracy|loss|energy|fake|real) (-?\d+\.\d+)", result.stdout)
    assert reported and all(np.isfinite(float(value)) for value in reported)
    assert {path.stem for path in (tmp_path / "trained").glob("*.keras")} == models
    for name in models:
        keras.models.load_model(tmp_path / "trained" / f"{name}.keras", safe_mode=True, compile=False)
