"""Autoencoders and VAEs: the KL formula, shapes, sampling, live β and noise, training."""

import dataclasses

import numpy as np
import pytest

from engine.data.image_sets import load_image_dataset
from engine.generative.autoencoder import (
    NUM_SHOWN,
    AutoencoderSettings,
    decode,
    from_query_params,
    interpolate_images,
    latent_map,
    make_run,
    new_samples,
    observe,
    run_settings,
    to_query_params,
)
from engine.generative.codes import interpolate_codes, latent_grid, sample_codes
from engine.generative.latent_model import kl_divergence
from engine.training.contract import READY


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
    assert result.status == READY and run.epoch == 3
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
    chunk = run._compiled  # noqa: SLF001  (the compiled chunk is reused: no retracing)
    changes = run.update_settings(run_settings(dataclasses.replace(settings, beta=0.0, noise=0.3)))
    assert changes == ["model options"]
    run.advance(1)
    assert run._compiled is chunk  # noqa: SLF001
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
    (dict(latent_dim=1), "2 to 64"), (dict(beta=float("nan")), "β from 0 to 20"), (dict(noise=2.0), "noise level"),
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


def test_the_live_view_shows_the_fed_images_their_reconstructions_and_every_test_code(digits):
    settings = AutoencoderSettings(latent_dim=4, noise=0.5)
    run = make_run(settings, digits)
    run.advance(2)
    view = observe(run)
    np.testing.assert_array_equal(view.originals, digits.x_test[:NUM_SHOWN])
    assert not np.allclose(view.inputs, view.originals) and view.inputs.min() >= 0 and view.inputs.max() <= 1
    np.testing.assert_allclose(view.reconstructions, run.predict(view.inputs), atol=1e-5)
    assert view.points.shape == (len(digits.x_test), 2) and 0 < view.variance_kept <= 1


def test_the_latent_map_decodes_its_plane_and_picked_codes(trained_vae):
    found = latent_map(trained_vae, steps=5)
    assert found.codes.shape == (len(trained_vae.data.x_val), 2) and found.extent >= 3.0
    assert found.manifold.shape == (5 * 8, 5 * 8)
    corner = decode(trained_vae, np.array([-found.extent, found.extent]))
    np.testing.assert_allclose(found.manifold[:8, :8], corner[:, :, 0], atol=1e-5)  # top left tile


def test_interpolation_starts_and_ends_at_the_two_images_codes(trained_vae):
    path = interpolate_images(trained_vae, 3, 7, steps=4)
    codes, _ = trained_vae.model.encode_images(trained_vae.data.x_val[[3, 7]])
    np.testing.assert_allclose(path[[0, -1]], trained_vae.model.decode_codes(codes), atol=1e-5)
    with pytest.raises(ValueError, match="test image numbers"):
        interpolate_images(trained_vae, 0, 10_000, steps=4)


def test_new_samples_use_the_prior_for_a_vae_and_fitted_codes_otherwise(digits, trained_vae):
    np.testing.assert_allclose(new_samples(trained_vae, 6, seed=1),
                               trained_vae.model.decode_codes(sample_codes(6, 2, 1)), atol=1e-6)
    plain = make_run(AutoencoderSettings(kind="autoencoder"), digits)
    plain.advance(2)
    images = new_samples(plain, 6, seed=1)
    assert images.shape == (6, 8, 8, 1)
    np.testing.assert_array_equal(images, new_samples(plain, 6, seed=1))


def test_links_round_trip_and_clamp_bad_values():
    settings = AutoencoderSettings(kind="autoencoder", architecture="conv", latent_dim=7, beta=0.5, noise=0.2, seed=3)
    assert from_query_params(to_query_params(settings)) == (settings, [])
    clamped, warnings = from_query_params({"latent": "99", "model": "gan", "beta": "nan"})
    assert clamped.latent_dim == 64 and clamped.kind == "vae" and clamped.beta == 1.0
    assert len(warnings) == 3
