"""Code helpers: fitted-Gaussian sampling, the 2-D projection and image tiling, against NumPy references."""

import numpy as np
import pytest

from engine.generative.codes import MAX_SAMPLES, project_2d, sample_codes, sample_like, tile_images


def test_sampling_like_the_codes_matches_their_mean_and_covariance():
    rng = np.random.default_rng(1)
    codes = rng.multivariate_normal([3.0, -1.0], [[2.0, 0.8], [0.8, 1.0]], size=5000)
    samples = sample_like(codes, MAX_SAMPLES, seed=2)
    assert samples.shape == (MAX_SAMPLES, 2) and samples.dtype == np.float32
    np.testing.assert_allclose(samples.mean(axis=0), [3.0, -1.0], atol=0.25)
    np.testing.assert_allclose(np.cov(samples, rowvar=False), [[2.0, 0.8], [0.8, 1.0]], atol=0.35)
    np.testing.assert_array_equal(sample_like(codes, 5, seed=2), sample_like(codes, 5, seed=2))


@pytest.mark.parametrize("count", [0, MAX_SAMPLES + 1])
def test_sample_counts_are_bounded(count):
    with pytest.raises(ValueError, match="samples"):
        sample_codes(count, 2, seed=0)


def test_two_number_codes_are_their_own_map_and_longer_ones_keep_their_main_directions():
    codes = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    points, kept = project_2d(codes)
    np.testing.assert_array_equal(points, codes)
    assert kept == 1.0
    rng = np.random.default_rng(0)
    flat = rng.normal(size=(400, 2)) * [5.0, 2.0]  # all the spread in a plane inside 6 dimensions
    longer = np.concatenate([flat, np.zeros((400, 4))], axis=1) @ np.linalg.qr(rng.normal(size=(6, 6)))[0]
    points, kept = project_2d(longer)
    assert kept == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(np.abs(np.corrcoef(points[:, 0], flat[:, 0])[0, 1]), 1.0, atol=1e-6)


def test_tiles_place_each_image_in_its_cell_with_blank_gaps():
    images = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3, 1)
    sheet = tile_images(images, columns=3)
    assert sheet.shape == (2 * 2 + 1, 3 * 3 + 2)
    np.testing.assert_array_equal(sheet[0:2, 4:7], images[1, :, :, 0])
    np.testing.assert_array_equal(sheet[3:5, 4:7], images[4, :, :, 0])
    assert np.isnan(sheet[2]).all() and np.isnan(sheet[3:5, 8:]).all()  # the gap row and the missing sixth tile
