"""LIME: superpixels and the linear fit, checked against a classifier whose answer is known."""

import numpy as np
import pytest

from engine.vision.lime import explain, superpixels


def test_superpixels_cover_the_image_with_ids_in_reading_order():
    image = np.random.default_rng(0).random((8, 8))
    segments = superpixels(image, 10, seed=1)
    assert segments.shape == (8, 8)
    assert sorted(np.unique(segments)) == list(range(10))
    first_seen = [int(np.flatnonzero(segments.ravel() == segment)[0]) for segment in range(10)]
    assert first_seen == sorted(first_seen)


def test_superpixels_follow_brightness_when_position_matters_little():
    image = np.zeros((8, 8))
    image[:, 2] = 1.0  # a vertical stroke
    segments = superpixels(image, 2, seed=0, compactness=0.01)
    assert len(np.unique(segments[:, 2])) == 1
    assert segments[0, 2] not in segments[:, [0, 1, 3, 4, 5, 6, 7]]


def test_superpixels_refuse_more_segments_than_pixels():
    with pytest.raises(ValueError, match="Expected 2 to 9 superpixels"):
        superpixels(np.zeros((3, 3)), 12)


def _linear_classifier(pixel_weights: np.ndarray):
    """Class 1's probability is 0.1 + Σ pixel_weight · pixel; class 0 takes the rest."""
    def predict(images: np.ndarray) -> np.ndarray:
        score = 0.1 + np.tensordot(images[..., 0], pixel_weights, axes=([1, 2], [0, 1]))
        return np.column_stack([1 - score, score])
    return predict


def test_weights_recover_each_superpixels_contribution_to_a_linear_classifier():
    rng = np.random.default_rng(3)
    image = rng.random((6, 6, 1)).astype(np.float32)
    pixel_weights = rng.normal(0, 0.01, (6, 6))
    result = explain(image, _linear_classifier(pixel_weights), target=1, num_samples=400, num_segments=8,
                     seed=5, ridge_alpha=1e-9)
    contribution = [float(np.sum(image[..., 0] * pixel_weights * (result.segments == segment)))
                    for segment in range(8)]
    np.testing.assert_allclose(result.weights, contribution, atol=1e-5)
    assert result.intercept == pytest.approx(0.1, abs=1e-5)
    assert result.score == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(result.pixel_weights(), np.asarray(contribution)[result.segments], rtol=1e-6)


def test_the_same_seed_gives_the_same_explanation_and_another_seed_another():
    image = np.random.default_rng(0).random((8, 8, 1)).astype(np.float32)
    predict = _linear_classifier(np.random.default_rng(1).normal(0, 0.01, (8, 8)))
    first, again = (explain(image, predict, 1, num_samples=100, seed=2) for _ in range(2))
    other = explain(image, predict, 1, num_samples=100, seed=3)
    np.testing.assert_array_equal(first.weights, again.weights)
    assert not np.array_equal(first.segments, other.segments) or not np.array_equal(first.weights, other.weights)


def test_scoring_in_batches_gives_the_same_explanation_and_reports_each_batch():
    image = np.random.default_rng(0).random((8, 8, 1)).astype(np.float32)
    linear = _linear_classifier(np.random.default_rng(1).normal(0, 0.01, (8, 8)))
    batches, reports = [], []

    def predict(images):
        batches.append(len(images))
        return linear(images)

    whole = explain(image, linear, 1, num_samples=130, seed=2)
    batched = explain(image, predict, 1, num_samples=130, seed=2, batch_size=50,
                      report=lambda fraction, text: reports.append((fraction, text)))
    np.testing.assert_allclose(batched.weights, whole.weights, rtol=1e-6)
    assert batches == [50, 50, 30]
    assert [fraction for fraction, _ in reports] == pytest.approx([50 / 130, 100 / 130, 1.0])
    assert reports[-1][1] == "130 of 130 perturbed copies scored"


def test_hidden_superpixels_take_the_background_value():
    seen = []
    image = np.full((4, 4, 1), 0.5, np.float32)

    def predict(images):
        seen.append(images)
        return np.tile([[0.5, 0.5]], (len(images), 1))

    explain(image, predict, 0, num_samples=20, num_segments=4, background=-1.0)
    copies = seen[0]
    np.testing.assert_array_equal(copies[0], image)  # the first copy is the image itself
    assert set(np.unique(copies)) <= {0.5, -1.0} and (copies == -1.0).any()


@pytest.mark.parametrize("kwargs, message", [
    (dict(num_samples=5), "Expected 10 to"),
    (dict(target=7), "Expected class 0 to 1"),
])
def test_bad_requests_are_refused_with_a_message(kwargs, message):
    image = np.zeros((4, 4, 1), np.float32)
    arguments = dict(image=image, predict=lambda x: np.tile([[0.5, 0.5]], (len(x), 1)), target=0, num_segments=4)
    with pytest.raises(ValueError, match=message):
        explain(**{**arguments, **kwargs})
