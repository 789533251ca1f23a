"""The transfer lab's exported script: same split, same network, same frozen layers; it runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.data.image_sets import load_image_dataset
from engine.vision.cnn import build_cnn
from engine.vision.transfer import TransferSettings, frozen_layers, split_classes
from engine.vision.transfer_export import transfer_script
from tests.engine.scripts import run_script, script_namespace

SETTINGS = TransferSettings(source_classes=(1, 3, 5, 7), labelled_per_class=3, pretrain_epochs=2, unfreeze_last=2,
                            seed=4)


def test_the_script_splits_the_classes_and_builds_the_network_as_the_app_does():
    dataset = load_image_dataset(SETTINGS.dataset, SETTINGS.image_size, SETTINGS.seed)
    data = split_classes(dataset, SETTINGS)
    script = script_namespace(transfer_script(SETTINGS, data))
    x_train, y_train, x_test, y_test, names = script["load_data"]()
    source, target = script["split_classes"](x_train, y_train, x_test, y_test, len(names))
    for mine, theirs in ((source, data.source), (target, data.target)):
        np.testing.assert_allclose(mine[0], theirs.x_train, atol=1e-6)
        np.testing.assert_array_equal(mine[1], theirs.y_train)
        np.testing.assert_array_equal(mine[3], theirs.y_val)
    assert script["FROZEN"] == {mode: sorted(names) for mode, names in frozen_layers(SETTINGS, data).items()}
    shape = x_train.shape[1:]
    written, built = script["build_model"](shape, 6), build_cnn(shape, SETTINGS.layers, 6, SETTINGS.seed)
    for mine, theirs in zip(written.get_weights(), built.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_script_pretrains_fine_tunes_every_mode_and_saves_them(tmp_path: Path):
    data = split_classes(load_image_dataset("digits", 8, SETTINGS.seed), SETTINGS)
    result = run_script(transfer_script(SETTINGS, data), tmp_path, "--epochs", "2", "--save", "trained")
    assert result.returncode == 0, result.stderr[-2000:]
    trained = {line.split(":")[0]: line for line in result.stdout.splitlines() if "weights trained" in line}
    assert set(trained) == {"head", "last", "all", "scratch"}
    weights = {mode: int(line.split("(")[1].split(" ")[0].replace(",", "")) for mode, line in trained.items()}
    assert weights["head"] < weights["last"] < weights["all"] == weights["scratch"]  # frozen layers train nothing
    assert {path.stem for path in (tmp_path / "trained").glob("*.keras")} == {"pretrained", *trained}
