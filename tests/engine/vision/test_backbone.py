"""The ImageNet backbone: found only locally, features checked against Keras's own model."""

import numpy as np
import pytest

from engine.vision.backbone import DOWNLOAD_COMMAND, FEATURES, INPUT_SIZE, WIDTH, find_weights, imagenet_features


def test_missing_weights_are_reported_with_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    path, message = find_weights()
    assert path is None
    assert str(tmp_path / "models") in message and DOWNLOAD_COMMAND in message


def test_the_weights_file_is_found_in_the_keras_cache(backbone_home, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(backbone_home))
    path, message = find_weights()
    assert path is not None and path.parent == backbone_home / "models" and message == ""


def test_features_equal_the_keras_model_on_the_same_preprocessing(backbone_home, monkeypatch):
    import keras
    import tensorflow as tf

    monkeypatch.setenv("KERAS_HOME", str(backbone_home))
    path, _ = find_weights()
    images = np.random.default_rng(0).random((20, 8, 8, 1)).astype(np.float32)
    counts = []
    features = imagenet_features(images, path, batch_size=8, done=counts.append)  # three batches, the last one short
    assert features.shape == (20, FEATURES) and np.isfinite(features).all()
    assert counts == [8, 16, 20]  # the progress a background job shows
    reference = keras.applications.MobileNetV2(input_shape=(INPUT_SIZE, INPUT_SIZE, 3), alpha=WIDTH,
                                               include_top=False, weights=str(path), pooling="avg")
    rgb = tf.image.grayscale_to_rgb(tf.image.resize(images, (INPUT_SIZE, INPUT_SIZE)))
    expected = keras.applications.mobilenet_v2.preprocess_input(rgb.numpy() * 255.0)
    np.testing.assert_allclose(features, reference.predict(expected, verbose=0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(imagenet_features(images[:3], path), features[:3], rtol=1e-5, atol=1e-5)


def test_a_file_that_is_not_the_weights_gets_a_message(tmp_path):
    broken = tmp_path / "weights.h5"
    broken.write_bytes(b"not an HDF5 file")
    with pytest.raises(ValueError, match="does not hold MobileNetV2's weights"):
        imagenet_features(np.zeros((2, 8, 8, 1), np.float32), broken)


def test_images_of_the_wrong_shape_are_refused(backbone_home):
    with pytest.raises(ValueError, match=r"\(n, height, width, 1 or 3\)"):
        imagenet_features(np.zeros((2, 8, 8), np.float32), backbone_home / "unused.h5")
