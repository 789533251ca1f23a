"""Transfer learning: class splits, pre-training, and the four fine-tuning modes."""

import dataclasses

import numpy as np
import pytest

from engine.vision.transfer import (
    MODES,
    PRETRAIN_OPTIMIZER,
    TransferSettings,
    from_query_params,
    frozen_layers,
    imagenet_task,
    make_run,
    pretrain,
    split_classes,
    to_query_params,
    trainable_parameters,
)


@pytest.fixture(scope="module")
def experiment(digits):
    settings = TransferSettings(pretrain_epochs=8)
    data = split_classes(digits, settings)
    return settings, data, pretrain(settings, data)


def test_the_split_keeps_all_source_images_and_a_few_labelled_target_images(digits):
    settings = TransferSettings(source_classes=(0, 1, 2, 3, 4), labelled_per_class=3)
    data = split_classes(digits, settings)
    assert data.source_names == ("0", "1", "2", "3", "4") and data.target_names == ("5", "6", "7", "8", "9")
    assert len(data.source.x_train) == np.isin(digits.y_train, [0, 1, 2, 3, 4]).sum()
    assert data.target.y_train.shape == (15, 5)
    np.testing.assert_array_equal(data.target.y_train.sum(axis=0), [3] * 5)  # three per class, renumbered
    assert len(data.target.x_val) == np.isin(digits.y_test, [5, 6, 7, 8, 9]).sum()
    fives = digits.x_test[digits.y_test == 5]
    np.testing.assert_array_equal(data.target.x_val[data.target.y_val.argmax(axis=1) == 0], fives)


@pytest.mark.parametrize("source, message", [
    ((), r"Choose at least two classes to pre-train on \(0 chosen\)"),
    ((0,), r"Choose at least two classes to pre-train on \(1 chosen\)"),
    (tuple(range(9)), r"Leave at least two classes out of pre-training \(1 left\)"),
    ((0, 12), r"Expected pre-training classes from 0 to 9. Received: \(0, 12\)"),
])
def test_a_split_without_two_classes_on_each_side_is_refused(digits, source, message):
    with pytest.raises(ValueError, match=message):
        split_classes(digits, TransferSettings(source_classes=source))


def test_pretraining_learns_the_source_classes(experiment):
    _, _, pretrained = experiment
    assert pretrained.accuracy >= 0.9
    assert "output" not in pretrained.weights and "layer_1" in pretrained.weights


def test_frozen_layers_per_mode(experiment):
    settings, data, _ = experiment
    frozen = frozen_layers(settings, data)  # layers with weights: layer_1, layer_3 (conv), layer_6 (dense)
    assert frozen == {"head": {"layer_1", "layer_3", "layer_6"}, "last": {"layer_1", "layer_3"},
                      "all": set(), "scratch": set()}
    two = frozen_layers(dataclasses.replace(settings, unfreeze_last=2), data)
    assert two["last"] == {"layer_1"}
    with pytest.raises(ValueError, match="Choose 1 to 2"):
        frozen_layers(dataclasses.replace(settings, unfreeze_last=3), data)


def test_fine_tuning_starts_from_the_pretrained_weights_except_from_scratch(experiment):
    settings, data, pretrained = experiment
    group = make_run(settings, data, pretrained)
    assert list(group.runs) == list(settings.modes()) == ["head", "last", "all", "scratch"]
    source_kernel = pretrained.weights["layer_1"][0]
    for mode in ("head", "last", "all"):
        np.testing.assert_array_equal(group.runs[mode].model.get_layer("layer_1").get_weights()[0], source_kernel)
    assert not np.allclose(group.runs["scratch"].model.get_layer("layer_1").get_weights()[0], source_kernel)
    heads = [run.model.get_layer("output").get_weights()[0] for run in group.runs.values()]
    for head in heads[1:]:
        np.testing.assert_array_equal(head, heads[0])  # the same new head everywhere


def test_only_unfrozen_layers_change_while_fine_tuning(experiment):
    settings, data, pretrained = experiment
    group = make_run(settings, data, pretrained)
    counts = trainable_parameters(group)
    assert counts["head"] == 128 * 5 + 5
    assert counts["last"] == counts["head"] + (2 * 2 * 64) * 128 + 128
    assert counts["all"] == counts["scratch"] == group.runs["all"].model.count_params()
    before = {mode: [layer.get_weights() for layer in run.model.layers] for mode, run in group.runs.items()}
    group.advance(3)
    assert group.epoch == 3 and all(run.epoch == 3 for run in group.runs.values())

    def changed(mode: str, name: str) -> bool:
        model = group.runs[mode].model
        index = [layer.name for layer in model.layers].index(name)
        return any(not np.array_equal(old, new) for old, new in zip(before[mode][index], model.layers[index].get_weights(),
                                                                    strict=True))

    assert [changed("head", name) for name in ("layer_1", "layer_6", "output")] == [False, False, True]
    assert [changed("last", name) for name in ("layer_1", "layer_3", "layer_6", "output")] == [False, False, True, True]
    assert all(changed("all", name) for name in ("layer_1", "layer_3", "layer_6", "output"))


def test_a_fine_tuning_group_resets_to_the_pretrained_weights(experiment):
    settings, data, pretrained = experiment
    group = make_run(settings, data, pretrained)
    group.advance(2)
    group.reset()
    assert group.epoch == 0
    np.testing.assert_array_equal(group.runs["all"].model.get_layer("layer_1").get_weights()[0],
                                  pretrained.weights["layer_1"][0])


def test_settings_survive_a_share_link_and_bad_values_are_named():
    settings = TransferSettings(source_classes=(0, 2, 4, 6, 8), labelled_per_class=2, unfreeze_last=2, seed=4,
                                imagenet=True)
    assert from_query_params(to_query_params(settings)) == (settings, [])
    restored, warnings = from_query_params({"labelled": "5000", "source": "x"})
    assert restored.labelled_per_class == 100 and restored.source_classes == (0, 1, 2, 3, 4)
    assert len(warnings) == 2


def test_pretraining_ignores_the_fine_tuning_settings(experiment):
    settings, _, _ = experiment
    varied = dataclasses.replace(settings, labelled_per_class=2, unfreeze_last=2, imagenet=True, batch_size=8,
                                 optimizer=dataclasses.replace(PRETRAIN_OPTIMIZER, learning_rate=0.1))
    assert varied.pretraining_only() == settings.pretraining_only()
    assert dataclasses.replace(settings, seed=1).pretraining_only() != settings.pretraining_only()


def test_the_imagenet_run_trains_a_new_head_on_backbone_features(experiment, backbone_home, monkeypatch):
    from engine.vision.backbone import FEATURES, find_weights

    monkeypatch.setenv("KERAS_HOME", str(backbone_home))
    settings, data, pretrained = experiment
    settings = dataclasses.replace(settings, imagenet=True)
    with pytest.raises(ValueError, match="needs the backbone's features"):
        make_run(settings, data, pretrained)
    features = imagenet_task(data, find_weights()[0])
    assert features.x_train.shape == (len(data.target.x_train), FEATURES)
    assert features.x_val.shape == (len(data.target.x_val), FEATURES)
    np.testing.assert_array_equal(features.y_val, data.target.y_val)
    group = make_run(settings, data, pretrained, features)
    assert list(group.runs) == list(MODES) == list(settings.modes())
    assert trainable_parameters(group)["imagenet"] == FEATURES * 5 + 5
    group.advance(2)
    assert group.runs["imagenet"].epoch == 2 and np.isfinite(group.history["imagenet/val_accuracy"]).all()
