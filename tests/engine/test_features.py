import numpy as np
import pytest

from engine.data.features import FEATURES, apply_scaler, fit_scaler, make_features, make_grid, padded_bounds


def test_feature_map_matches_each_formula_in_the_requested_order():
    points = np.array([[1.0, 2.0], [-3.0, 0.5]], dtype=np.float32)
    features = make_features(points, list(FEATURES))
    x1, x2 = points[:, 0], points[:, 1]
    expected = np.stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)], axis=1)
    np.testing.assert_allclose(features, expected, rtol=1e-6)
    np.testing.assert_allclose(make_features(points, ["x2_squared", "x1"]), np.stack([x2**2, x1], axis=1))


def test_feature_map_refuses_unknown_and_empty_feature_lists():
    with pytest.raises(ValueError, match="Unknown features \\['x3'\\]"):
        make_features(np.zeros((1, 2)), ["x3"])
    with pytest.raises(ValueError, match="at least one input feature"):
        make_features(np.zeros((1, 2)), [])


def test_scalers_fit_on_training_data_and_reproduce_sklearn():
    features = np.random.default_rng(0).normal(3.0, 2.0, (50, 3)).astype(np.float32)
    standard = apply_scaler(fit_scaler(features, "standard"), features)
    np.testing.assert_allclose(standard.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(standard.std(axis=0), 1, atol=1e-4)
    minmax = apply_scaler(fit_scaler(features, "minmax"), features)
    np.testing.assert_allclose(minmax.min(axis=0), -1, atol=1e-6)
    np.testing.assert_allclose(minmax.max(axis=0), 1, atol=1e-6)
    assert fit_scaler(features, "none") is None
    with pytest.raises(ValueError, match="Unknown scaling 'log'"):
        fit_scaler(features, "log")


def test_grid_rows_run_bottom_to_top_so_reshaped_results_are_images():
    grid = make_grid((-1.0, 1.0, -2.0, 2.0), 3)
    assert grid.shape == (9, 2)
    image_y = grid[:, 1].reshape(3, 3)
    np.testing.assert_allclose(image_y[:, 0], [-2, 0, 2])  # first row is the bottom
    np.testing.assert_allclose(grid[:3, 0], [-1, 0, 1])


def test_padded_bounds_surround_the_points():
    bounds = padded_bounds(np.array([[0.0, 10.0], [4.0, 20.0]]))
    assert bounds == pytest.approx((-0.4, 4.4, 9.0, 21.0))
