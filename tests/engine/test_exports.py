"""Exports: every lab's trained models save as .keras files that load back in safe mode and compute the same."""

from __future__ import annotations

import io
import zipfile

import keras
import numpy as np
import pytest

from engine.data.image_sets import load_image_dataset
from engine.generative import autoencoder, image_gan, point_gan, rbm
from engine.generative.targets import make_target
from engine.rl.run import AgentRun
from engine.rl.settings import AgentSettings
from engine.training.exports import history_csv, model_file
from engine.vision import cnn_lab


def loaded(content: bytes, tmp_path, name: str = "model.keras") -> keras.Model:
    path = tmp_path / name
    path.write_bytes(content)
    return keras.models.load_model(path, safe_mode=True, compile=False)


def members(content: bytes, tmp_path) -> dict[str, keras.Model]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name.removesuffix(".keras"): loaded(archive.read(name), tmp_path, name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def digits():
    return load_image_dataset("digits", 8)


def test_a_cnn_saves_as_one_keras_file_that_predicts_as_the_run_does(digits, tmp_path):
    run = cnn_lab.make_run(cnn_lab.CnnLabSettings(), digits)
    run.advance(1)
    model = loaded(model_file(run), tmp_path)
    images = digits.x_test[:5]
    np.testing.assert_allclose(model(images), run.model(images), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lab", ["autoencoder", "point_gan", "image_gan", "rbm"])
def test_custom_models_save_their_parts_as_plain_keras_models(lab, digits, tmp_path):
    if lab == "autoencoder":
        run, parts = autoencoder.make_run(autoencoder.AutoencoderSettings(), digits), {"encoder", "decoder"}
    elif lab == "point_gan":
        run = point_gan.make_run(point_gan.PointGanSettings(), make_target("ring", 0))
        parts = {"generator", "discriminator"}
    elif lab == "image_gan":
        run, parts = image_gan.make_run(image_gan.ImageGanSettings(), digits), {"generator", "discriminator"}
    else:
        pixels = rbm.flatten(digits.x_train)
        run, parts = rbm.make_run(rbm.RbmSettings(), pixels, pixels[:20]), {"rbm"}
    run.advance(1)
    saved = members(model_file(run, zipped=len(parts) > 1), tmp_path) if len(parts) > 1 else {
        "rbm": loaded(model_file(run), tmp_path)}
    assert set(saved) == parts
    for name, model in saved.items():
        probe = np.random.default_rng(0).random((3, *model.input_shape[1:]), dtype=np.float32)
        original = run.keras_models()[name]
        np.testing.assert_allclose(model(probe), original(probe), rtol=1e-5, atol=1e-6)
    if lab == "rbm":  # the plain model is the RBM's own mean-field reconstruction
        probe = rbm.flatten(digits.x_test[:4])
        np.testing.assert_allclose(saved["rbm"](probe), run.model(probe), rtol=1e-5, atol=1e-6)


def test_a_deep_agent_saves_its_networks_and_a_table_agent_has_none(tmp_path):
    deep = AgentRun(AgentSettings(agent="dqn"))
    assert set(deep.keras_models()) == {"q"}  # the target network is a copy, not trained
    assert loaded(model_file(deep), tmp_path).count_params() == deep.keras_models()["q"].count_params()
    critic = AgentRun(AgentSettings(agent="actor_critic"))
    assert set(members(model_file(critic, zipped=True), tmp_path)) == {"policy", "critic"}
    with pytest.raises(ValueError, match="2 models"):
        model_file(critic)
    table = AgentRun(AgentSettings(environment="FrozenLake-v1", agent="q_learning"))
    with pytest.raises(ValueError, match="no Keras model"):
        model_file(table)


def test_the_history_is_one_row_per_epoch_with_every_series(digits):
    run = cnn_lab.make_run(cnn_lab.CnnLabSettings(), digits)
    run.advance(2)
    lines = history_csv(run).splitlines()
    names = list(run.history)
    assert lines[0] == ",".join(["epoch", *names]) and len(lines) == 3
    assert [float(value) for value in lines[2].split(",")[1:]] == pytest.approx(
        [run.history[name][1] for name in names], rel=1e-5)
