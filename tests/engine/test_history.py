import numpy as np
import pytest

from engine.training.history import downsample_history, smooth_ema


def test_ema_matches_tensorboards_debiased_formula():
    values = [1.0, 3.0, 2.0]
    weight = 0.5
    # average_t = w * average_{t-1} + (1 - w) * v_t, divided by 1 - w**t
    expected = [0.5 / 0.5, (0.25 + 1.5) / 0.75, (0.875 + 1.0) / 0.875]
    np.testing.assert_allclose(smooth_ema(values, weight), expected)
    np.testing.assert_allclose(smooth_ema(values, 0.0), values)
    with pytest.raises(ValueError, match="smoothing weight in \\[0, 1\\)"):
        smooth_ema(values, 1.0)


def test_downsampling_keeps_first_and_last_epochs_and_aligns_series():
    history = {"loss": list(range(10_000)), "val_loss": list(range(10_000, 20_000))}
    sampled = downsample_history(history, max_points=100)
    assert len(sampled["epoch"]) <= 100
    assert sampled["epoch"][0] == 1 and sampled["epoch"][-1] == 10_000
    np.testing.assert_array_equal(sampled["loss"], sampled["epoch"] - 1)
    np.testing.assert_array_equal(sampled["val_loss"], sampled["epoch"] + 9_999)
    short = downsample_history({"loss": [0.5, 0.4]})
    np.testing.assert_array_equal(short["epoch"], [1, 2])
