"""Inside the cell: our trace of a trained layer equals Keras's output; features and tracking units by hand."""

import dataclasses

import numpy as np
import pytest

from engine.sequence.inside import QUANTITIES, correlation_with, text_features, trace_text, tracking_units
from engine.sequence.language_model import LanguageModelSettings, character_data, corpus_text, make_run

SMALL = LanguageModelSettings(text_characters=3000, units=12, embedding_size=5, sequence_length=20)


@pytest.fixture(scope="module", params=["lstm", "gru", "simple_rnn"])
def trained(request):
    settings = dataclasses.replace(SMALL, cell=request.param)
    characters = character_data(corpus_text(settings), settings)
    run = make_run(settings, characters)
    run.advance(2)
    return run, characters


def test_our_trace_of_the_trained_layer_is_the_keras_layers_output(trained):
    run, characters = trained
    codes = characters.data.x_val[:1]
    text = characters.vocabulary.decode(codes[0])
    trace = trace_text(run, characters.vocabulary, text)
    assert list(trace.quantities) == list(QUANTITIES[trace.cell])
    layer_name = next(layer.name for layer in run.model.layers if hasattr(layer, "cell"))
    (keras_states,) = run.layer_outputs(codes, (layer_name,))
    np.testing.assert_allclose(trace.quantities["hidden"], keras_states[0], rtol=1e-4, atol=1e-5)
    for name, values in trace.quantities.items():
        assert values.shape == (20, 12)
        if name.endswith("gate"):
            assert values.min() >= 0 and values.max() <= 1


def test_features_follow_the_text_character_by_character():
    features = text_features('a "b c" (d)\nef')
    np.testing.assert_array_equal(features["quotes"], [0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(features["brackets"], [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(features["line"], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2])
    np.testing.assert_array_equal(features["space"], [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])


def test_the_tracking_unit_is_the_one_that_correlates_most():
    feature = np.array([0, 0, 1, 1, 0, 1, 0, 0], float)
    rng = np.random.default_rng(0)
    values = rng.normal(size=(8, 5))
    values[:, 3] = -2 * feature + 0.01 * rng.normal(size=8)  # unit 3 follows the feature, sign flipped
    correlations = correlation_with(values, feature)
    assert int(np.argmax(np.abs(correlations))) == 3 and correlations[3] < -0.99
    for unit in range(5):
        assert correlations[unit] == pytest.approx(np.corrcoef(values[:, unit], feature)[0, 1])
    assert correlation_with(values, np.ones(8)) is None


def test_tracking_units_name_a_unit_per_varying_feature(trained):
    run, characters = trained
    trace = trace_text(run, characters.vocabulary, characters.validation_text[:400])
    found = tracking_units(trace)
    assert found and [abs(item.correlation) for item in found] == sorted((abs(item.correlation) for item in found),
                                                                         reverse=True)
    assert all(0 <= item.unit < 12 and -1 <= item.correlation <= 1 for item in found)
    with pytest.raises(ValueError, match="not in the text the model learned"):
        trace_text(run, characters.vocabulary, "ünïcödé")
