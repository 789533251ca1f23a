"""The forecasting race's exported script: the app's series, windows and models; it runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from engine.sequence.export import forecasting_script, language_model_script
from engine.sequence.forecast import SERIES_CHOICES, UPLOAD, ForecastSettings, build_forecaster, series_values
from engine.sequence.language_model import (
    LanguageModelSettings,
    build_language_model,
    character_data,
    corpus_text,
    model_layers,
)
from tests.engine.scripts import run_script, script_namespace

SETTINGS = ForecastSettings(num_steps=300, window=10, horizon=2, cells=("simple_rnn", "gru"), units=5, layers=2,
                            dropout=0.1, seed=3)


@pytest.mark.parametrize("series", [name for name in SERIES_CHOICES if name != UPLOAD])
def test_the_script_makes_the_apps_series(series):
    settings = dataclasses.replace(SETTINGS, series=series, noise=0.2 if series == "sawtooth" else 0.0)
    script = script_namespace(forecasting_script(settings, series_values(settings)))
    np.testing.assert_array_equal(script["load_series"](), series_values(settings))


def test_an_uploaded_column_travels_in_the_script_as_numbers():
    settings = dataclasses.replace(SETTINGS, series=UPLOAD)
    column = np.random.default_rng(0).normal(size=120).astype(np.float32) * 1000
    script = script_namespace(forecasting_script(settings, column))
    np.testing.assert_allclose(script["load_series"](), column, rtol=1e-6)


def test_the_scripts_windows_and_models_are_the_apps():
    values = series_values(SETTINGS)
    script = script_namespace(forecasting_script(SETTINGS, values))
    windows = script["make_windows"](values, SETTINGS.window, SETTINGS.horizon, SETTINGS.validation_share)
    assert windows.x_train.shape[1:] == (10, 1) and windows.y_val.shape[1] == 2
    for cell in SETTINGS.cells:
        written = script["build_model"](cell)
        built = build_forecaster(SETTINGS.window, cell, SETTINGS.units, SETTINGS.layers, SETTINGS.dropout,
                                 SETTINGS.horizon, SETTINGS.seed)
        assert [layer.name for layer in written.layers] == [layer.name for layer in built.layers]
        for mine, theirs in zip(written.get_weights(), built.get_weights(), strict=True):
            np.testing.assert_array_equal(mine, theirs)


def test_the_script_races_every_cell_and_saves_them(tmp_path: Path):
    result = run_script(forecasting_script(SETTINGS, series_values(SETTINGS)), tmp_path, "--epochs", "2", "--save",
                        "trained")
    assert result.returncode == 0, result.stderr[-2000:]
    raced = [line.split(":")[0] for line in result.stdout.splitlines() if "validation MSE" in line]
    assert raced == ["simple_rnn", "gru"]
    assert {path.stem for path in (tmp_path / "trained").glob("*.keras")} == {"simple_rnn", "gru"}


LANGUAGE = LanguageModelSettings(text_characters=3000, units=12, embedding_size=5, sequence_length=20, seed=2,
                                 prompt="The ")


def test_the_language_models_script_has_the_apps_text_vocabulary_sequences_and_network():
    characters = character_data(corpus_text(LANGUAGE), LANGUAGE)
    script = script_namespace(language_model_script(LANGUAGE, characters))
    used = script["load_text"]()
    assert used == characters.training_text + characters.validation_text
    vocabulary = script["Vocabulary"].of(used)
    assert vocabulary.characters == characters.vocabulary.characters
    x_train, y_train = script["sequences"](vocabulary.encode(used)[:script["TRAINING_CHARACTERS"]])
    np.testing.assert_array_equal(x_train, characters.data.x_train)
    np.testing.assert_array_equal(y_train, characters.data.y_train)
    written = script["build_model"](vocabulary.size)
    built = build_language_model(20, tuple(model_layers(LANGUAGE, vocabulary.size)), LANGUAGE.seed)
    for mine, theirs in zip(written.get_weights(), built.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_an_uploaded_text_travels_in_the_language_models_script(tmp_path: Path):
    settings = dataclasses.replace(LANGUAGE, corpus="upload", prompt="the ")
    story = "the cat sat on the mat. the dog sat on the log. " * 60
    characters = character_data(corpus_text(settings, story), settings)
    source = language_model_script(settings, characters)
    assert script_namespace(source)["load_text"]() == story[:len(characters.training_text) +
                                                            len(characters.validation_text)]
    result = run_script(source, tmp_path, "--epochs", "1", "--save", "trained")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "validation perplexity" in result.stdout and (tmp_path / "trained" / "char_language_model.keras").exists()
