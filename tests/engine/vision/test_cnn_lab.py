"""The CNN lab on the shared training run: it learns the digits, and its views have the right shapes."""

import numpy as np
import pytest

from engine.data.image_sets import DATASETS, load_image_dataset
from engine.vision.cnn import PRESETS
from engine.vision.cnn_lab import (
    CnnLabSettings,
    conv_layer_names,
    feature_maps,
    grad_cam_layer_name,
    make_run,
    misclassified,
    observe,
    saliency,
)


@pytest.fixture(scope="module")
def trained(digits):
    run = make_run(CnnLabSettings(), digits)
    run.advance(30)
    return run


def test_the_default_cnn_reaches_95_percent_on_the_digits_within_30_epochs(trained):
    assert trained.epoch == 30 and max(trained.history["val_accuracy"]) >= 0.95


def test_observe_gives_test_predictions_and_first_filters(trained, digits):
    view = observe(trained)
    assert view.test_probabilities.shape == (len(digits.y_test), 10)
    np.testing.assert_allclose(view.test_probabilities.sum(axis=1), 1.0, atol=1e-4)
    assert view.first_filters.shape == (3, 3, 1, 16)
    wrong = misclassified(view, digits.y_test)
    assert all(view.test_predictions[index] != digits.y_test[index] for index in wrong)
    confidence = view.test_probabilities[wrong, view.test_predictions[wrong]]
    assert list(confidence) == sorted(confidence, reverse=True)


def test_feature_maps_and_saliency_have_the_image_shape_and_are_finite(trained, digits):
    names = conv_layer_names(trained)
    assert names == ["layer_1", "layer_2", "layer_3"]
    assert feature_maps(trained, digits.x_test[0], "layer_2").shape == (4, 4, 16)
    result = saliency(trained, digits.x_test[0])
    assert result.gradient.shape == result.grad_cam.shape == (8, 8)
    assert np.isfinite(result.gradient).all() and np.isfinite(result.grad_cam).all()
    assert result.gradient.max() == pytest.approx(1.0) and result.grad_cam.min() >= 0
    assert result.target == int(result.probabilities.argmax()) and result.grad_cam_layer == "layer_3"
    assert saliency(trained, digits.x_test[0], target=3).target == 3


def test_digits_load_offline_split_and_resized(digits):
    assert digits.x_train.shape[1:] == (8, 8, 1) and len(digits.x_train) + len(digits.x_test) == 1797
    assert 0 <= digits.x_train.min() and digits.x_train.max() <= 1 and digits.note == ""
    big = load_image_dataset("digits", 32, seed=0)
    assert big.x_train.shape[1:] == (32, 32, 1) and big.x_train.max() <= 1


def test_a_failed_download_falls_back_to_the_digits_with_a_note(monkeypatch):
    import keras

    def offline():
        raise OSError("no network")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    dataset = load_image_dataset("mnist", 16)
    assert dataset.name == "digits" and dataset.x_train.shape[1:] == (16, 16, 1)
    assert "MNIST digits 28×28 could not be loaded (OSError: no network)" in dataset.note
    with pytest.raises(ValueError, match="Unknown image data set"):
        load_image_dataset("cifar", 8)
    assert set(DATASETS) == {"digits", "mnist", "fashion_mnist"}


@pytest.mark.parametrize("preset", list(PRESETS))
def test_grad_cam_uses_the_last_convolution_not_a_pooling_after_it(preset):
    spec = PRESETS[preset]
    run = make_run(CnnLabSettings(layers=spec.layers, image_size=spec.image_size),
                   load_image_dataset("digits", spec.image_size, seed=0))
    last = max(index for index, layer in enumerate(spec.layers, start=1)
               if layer.kind in ("conv2d", "inception", "residual"))
    assert grad_cam_layer_name(run) == f"layer_{last}"
