import numpy as np
import pytest

from engine.data.planar import DATASETS, DOMAIN, make_dataset, split_train_test


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset_has_the_documented_shapes_and_labels(name):
    spec = DATASETS[name]
    points, labels = make_dataset(name, 200, 0.1, seed=3)
    assert points.shape == (200, 2) and points.dtype == np.float32
    assert labels.shape == (200,)
    assert np.abs(points).max() < DOMAIN + 3  # noise may push a few points past the edge
    if spec.problem == "regression":
        assert labels.dtype == np.float32 and labels.std() > 0
    else:
        assert set(np.unique(labels)) == set(range(spec.num_classes))


@pytest.mark.parametrize("name", list(DATASETS))
def test_the_same_seed_gives_the_same_points_and_another_seed_others(name):
    first = make_dataset(name, 100, 0.2, seed=7)
    again = make_dataset(name, 100, 0.2, seed=7)
    other = make_dataset(name, 100, 0.2, seed=8)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_noiseless_circle_puts_class_one_inside_and_class_zero_outside():
    points, labels = make_dataset("circle", 400, 0.0, seed=0)
    radius = np.linalg.norm(points, axis=1)
    assert radius[labels == 1].max() <= 2.5 + 1e-5
    assert radius[labels == 0].min() >= 3.5 - 1e-5


def test_noiseless_xor_labels_follow_the_sign_of_the_product():
    points, labels = make_dataset("xor", 300, 0.0, seed=0)
    np.testing.assert_array_equal(labels, (points[:, 0] * points[:, 1] > 0).astype(int))


def test_plane_targets_follow_the_formula_without_noise():
    points, targets = make_dataset("plane", 50, 0.0, seed=0)
    np.testing.assert_allclose(targets, (points[:, 0] + points[:, 1]) / 10, atol=1e-6)


def test_sizes_and_names_are_checked_with_clear_messages():
    with pytest.raises(ValueError, match="Expected between 20 and 5000 points. Received: 1000000"):
        make_dataset("circle", 1_000_000, 0.0, 0)
    with pytest.raises(ValueError, match="Expected noise between 0 and 0.5"):
        make_dataset("circle", 100, 2.0, 0)
    with pytest.raises(ValueError, match="Unknown data set 'nope'. Expected one of: circle"):
        make_dataset("nope", 100, 0.0, 0)


def test_split_keeps_every_point_once_and_respects_the_fraction():
    points = np.arange(20, dtype=np.float32).reshape(10, 2)
    labels = np.arange(10)
    train_points, train_labels, test_points, test_labels = split_train_test(points, labels, 0.7, seed=1)
    assert len(train_points) == 7 and len(test_points) == 3
    assert sorted([*train_labels, *test_labels]) == list(range(10))
    np.testing.assert_array_equal(train_points[:, 0] / 2, train_labels)  # rows stay paired
    tiny = split_train_test(points[:2], labels[:2], 0.99, seed=1)
    assert len(tiny[0]) == 1 and len(tiny[2]) == 1
