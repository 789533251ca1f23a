"""The CNN lab's exported script: it runs, builds the app's model and loads the app's data."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from engine.training.optimizers import OPTIMIZERS, OptimizerConfig, build_optimizer, optimizer_code
from engine.vision.cnn import PRESETS, build_cnn
from engine.vision.cnn_export import export_script
from engine.vision.cnn_lab import CnnLabSettings
from tests.engine.scripts import run_script, script_namespace


@pytest.mark.parametrize("preset", ["Small CNN", "Inception block", "Residual block"])
def test_the_script_builds_the_apps_model_with_the_same_initial_weights(preset):
    settings = CnnLabSettings(image_size=PRESETS[preset].image_size, layers=PRESETS[preset].layers, seed=3)
    shape = (settings.image_size, settings.image_size, 1)
    written = script_namespace(export_script(settings))["build_model"](shape, 10)
    built = build_cnn(shape, settings.layers, 10, seed=3)
    assert written.count_params() == built.count_params()
    assert [layer.name for layer in written.layers] == [layer.name for layer in built.layers]
    for mine, theirs in zip(written.get_weights(), built.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_script_trains_and_reports_the_test_accuracy(tmp_path: Path):
    result = run_script(export_script(CnnLabSettings()), tmp_path, "--epochs", "2", "--save", "trained")
    assert result.returncode == 0, result.stderr[-2000:]
    saved = keras.models.load_model(tmp_path / "trained" / "cnn.keras", safe_mode=True)
    assert saved.count_params() == build_cnn((8, 8, 1), CnnLabSettings().layers, 10, seed=0).count_params()
    accuracy = float(result.stdout.split("accuracy: ")[-1].split()[0])
    assert 0.0 <= accuracy <= 1.0 and "Total params" in result.stdout


def test_a_setup_on_uploaded_images_reads_a_folder_of_class_folders(tmp_path: Path):
    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        (tmp_path / "images" / name).mkdir(parents=True)
        for index in range(6):
            pixels = rng.integers(0, 255, (10, 10), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / "images" / name / f"{index}.png")
    source = export_script(CnnLabSettings(dataset="upload"))
    refused = run_script(source, tmp_path, "--epochs", "1")
    assert refused.returncode != 0 and "--folder" in refused.stderr
    result = run_script(source, tmp_path, "--epochs", "1", "--folder", str(tmp_path / "images"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "test loss:" in result.stdout


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_written_optimizer_is_the_one_the_app_builds(name):
    config = OptimizerConfig(name, 0.02, 0.7)
    written = eval(optimizer_code(config), {"keras": keras})  # noqa: S307 - our own generated code
    built = build_optimizer(config)
    ignored = {"name"}
    assert ({key: value for key, value in written.get_config().items() if key not in ignored}
            == {key: value for key, value in built.get_config().items() if key not in ignored})
