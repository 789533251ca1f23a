"""Autoencoders and VAEs: the KL formula, shapes, sampling, live β and noise, training."""

import dataclasses

import numpy as np
import pytest

from engine.generative.autoencoder import (
    AutoencoderSettings,
    interpolate_codes,
    kl_divergence,
    latent_grid,
    make_run,
    run_settings,
    sample_codes,
)
from engine.vision.image_data import load_image_dataset


@pytest.fixture(scope="module")
def trained_vae(digits):
    run = make_run(AutoencoderSettings(), digits)
    run.advance(40)
    return run


def test_the_closed_form_kl_matches_a_monte_carlo_estimate():
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(3, 4)).astype(np.float32)
    log_variance = rng.normal(scale=0.5, size=(3, 4)).astype(np.float32)
    closed = np.asarray(kl_divergence(mean, log_variance))
    # E_q[log q(z) - log p(z)] with z ~ q = N(mean, σ²), per example, summed over dimensions.
    sigma = np.exp(0.5 * log_variance)
    z = mean + sigma * rng.standard_normal((200_000, 3, 4))
    log_q = -0.5 * (((z - mean) / sigma) ** 2 + log_variance + np.log(2 * np.pi))
    log_p = -0.5 * (z ** 2 + np.log(2 * np.pi))
    estimate = (log_q - log_p).sum(axis=-1).mean(axis=0)
    np.testing.assert_allclose(closed, estimate, rtol=0.02, atol=0.02)
    assert np.asarray(kl_divergence(np.zeros((1, 2)), np.zeros((1, 2)))).tolist() == [0.0]  # q is the prior


@pytest.mark.parametrize("kind, architecture", [("vae", "dense"), ("vae", "conv"), ("autoencoder", "dense"),
                                                ("autoencoder", "conv")])
def test_every_model_encodes_decodes_and_trains_without_nan(digits, kind, architecture):
    settings = AutoencoderSettings(kind=kind, architecture=architecture, latent_dim=3)
    run = make_run(settings, digits)
    result = run.advance(3)
    assert result.status == "ready" and run.epoch == 3
    assert all(np.isfinite(values).all() for values in run.history.values())
    assert ("kl_loss" in run.history) == (kind == "vae")
    means, log_variances = run.model.encode_images(digits.x_test[:5])
    assert means.shape == (5, 3)
    assert (log_variances is not None and log_variances.shape == (5, 3)) == (kind == "vae")
    images = run.model.decode_codes(means)
    assert images.shape == (5, 8, 8, 1) and images.min() >= 0 and images.max() <= 1
    np.testing.assert_allclose(run.predict(digits.x_test[:5]), images, atol=1e-5)  # call() decodes the mean code


def test_training_beats_drawing_the_average_digit_every_time(digits, trained_vae):
    # The reference: predict each pixel's training mean, scored by the same summed cross-entropy.
    mean = np.clip(digits.x_train.mean(axis=0), 1e-7, 1 - 1e-7)
    x = digits.x_test
    baseline = -(x * np.log(mean) + (1 - x) * np.log(1 - mean)).sum(axis=(1, 2, 3)).mean()
    assert trained_vae.history["val_reconstruction_loss"][-1] < 0.9 * baseline
    assert trained_vae.history["kl_loss"][-1] > 0


def test_a_latent_grid_is_decoded_in_one_batch_equal_to_one_by_one(trained_vae):
    codes = latent_grid(extent=2.0, steps=4)
    assert codes.shape == (16, 2)
    np.testing.assert_allclose(codes[0], [-2.0, 2.0])  # top left
    np.testing.assert_allclose(codes[-1], [2.0, -2.0])  # bottom right
    grid = trained_vae.model.decode_codes(codes)
    singles = np.concatenate([trained_vae.model.decode_codes(code[None]) for code in codes])
    np.testing.assert_allclose(grid, singles, atol=1e-5)
    with pytest.raises(ValueError, match="at least 2 steps"):
        latent_grid(2.0, 1)


def test_samples_from_the_prior_repeat_with_their_seed(trained_vae):
    first, again, other = (sample_codes(6, 2, seed) for seed in (3, 3, 4))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    np.testing.assert_array_equal(trained_vae.model.decode_codes(first), trained_vae.model.decode_codes(again))


def test_interpolation_runs_from_one_code_to_the_other():
    start, end = np.array([0.0, 1.0], np.float32), np.array([2.0, -1.0], np.float32)
    path = interpolate_codes(start, end, 5)
    np.testing.assert_allclose(path[[0, 2, 4]], [start, [1.0, 0.0], end])


def test_beta_and_noise_change_live_survive_a_reset_and_keep_the_compiled_chunk(digits):
    settings = AutoencoderSettings()
    run = make_run(settings, digits)
    run.advance(2)
    chunk = run._chunk_function  # noqa: SLF001  (the compiled chunk is reused: no retracing)
    changes = run.update_settings(run_settings(dataclasses.replace(settings, beta=0.0, noise=0.3)))
    assert changes == ["model options"]
    run.advance(1)
    assert run._chunk_function is chunk  # noqa: SLF001
    assert float(run.model.beta.numpy()) == 0.0 and float(run.model.noise.numpy()) == pytest.approx(0.3)
    assert run.history["loss"][-1] == pytest.approx(run.history["reconstruction_loss"][-1])  # β = 0: no KL term
    run.reset()
    assert float(run.model.beta.numpy()) == 0.0 and float(run.model.noise.numpy()) == pytest.approx(0.3)


def test_the_same_seed_gives_the_same_model_and_training(digits):
    first, second = make_run(AutoencoderSettings(seed=5), digits), make_run(AutoencoderSettings(seed=5), digits)
    first.advance(2)
    second.advance(2)
    assert first.history == second.history


@pytest.mark.parametrize("changes, message", [
    (dict(latent_dim=1), "2 to 64"), (dict(beta=float("nan")), "β between"), (dict(noise=2.0), "noise level"),
    (dict(hidden_units=0), "hidden units"), (dict(kind="gan"), "Unknown model"),
])
def test_impossible_settings_are_refused_in_words(changes, message):
    with pytest.raises(ValueError, match=message):
        AutoencoderSettings(**changes)


def test_shapes_the_model_cannot_handle_are_explained(digits):
    with pytest.raises(ValueError, match="squeezes nothing"):
        make_run(AutoencoderSettings(latent_dim=64), digits)
    odd = load_image_dataset("digits", 10, seed=0)
    with pytest.raises(ValueError, match="multiples of 4"):
        make_run(AutoencoderSettings(architecture="conv"), odd)
