"""The character language model: its data, its stepped writing against the full Keras model, beams, links."""

import dataclasses
import math

import numpy as np
import pytest

from engine.sequence.language_model import (
    UPLOAD,
    LanguageModelSettings,
    beam_continuations,
    build_language_model,
    character_data,
    corpus_text,
    from_query_params,
    make_run,
    model_layers,
    to_query_params,
    validation_perplexity,
    write,
)
from engine.training.contract import READY

SMALL = LanguageModelSettings(text_characters=4000, units=16, embedding_size=6, sequence_length=20, layers=2)


@pytest.fixture(scope="module")
def trained():
    characters = character_data(corpus_text(SMALL), SMALL)
    run = make_run(SMALL, characters)
    run.advance(3)
    return run, characters


def longer_model(run, settings, vocabulary_size: int, length: int):
    """The run's network rebuilt for sequences of ``length`` characters, with its current weights."""
    model = build_language_model(length, tuple(model_layers(settings, vocabulary_size)), seed=0)
    model.set_weights(run.weights())
    return model


def test_targets_are_the_next_characters_and_validation_follows_the_training_text():
    characters = character_data(corpus_text(SMALL), SMALL)
    data, vocabulary = characters.data, characters.vocabulary
    assert data.x_train.shape[1] == SMALL.sequence_length == data.y_train.shape[1]
    first = vocabulary.decode(data.x_train[0])
    assert first == characters.training_text[:20] and vocabulary.decode(data.y_train[0]) == characters.training_text[1:21]
    np.testing.assert_array_equal(data.x_train[1][0], data.y_train[0][-1])  # sequences run on without overlap
    assert len(characters.training_text) == 4000
    assert corpus_text(SMALL).startswith(characters.training_text + characters.validation_text)
    assert vocabulary.decode(data.x_val[0]) == characters.validation_text[:20]
    short = character_data("the cat sat on the mat. " * 100, SMALL)  # 2,400 characters, fewer than asked for
    assert len(short.validation_text) == round(2400 / 11) and len(short.training_text) == 2400 - round(2400 / 11)


def test_training_lowers_the_validation_loss_and_perplexity_is_e_to_it(trained):
    run, _ = trained
    assert run.status == READY
    losses = run.history["val_loss"]
    assert losses[-1] < losses[0]
    assert validation_perplexity(run.history) == pytest.approx(math.exp(losses[-1]))
    assert validation_perplexity({}) is None


def test_the_stepped_network_gives_the_full_models_next_character_distribution(trained):
    run, characters = trained
    prompt = characters.vocabulary.decode(characters.data.x_val[1])  # exactly one sequence long
    written = write(run, characters.vocabulary, prompt, 1, None, 0)
    full = run.predict(characters.data.x_val[1:2])[0, -1]
    top = np.argsort(-full)[:len(written.next_characters)]
    assert [character for character, _ in written.next_characters] == [characters.vocabulary.characters[i] for i in top]
    np.testing.assert_allclose([probability for _, probability in written.next_characters], full[top], rtol=1e-4,
                               atol=1e-6)


def test_greedy_writing_picks_what_the_full_model_finds_likeliest_at_every_step(trained):
    run, characters = trained
    vocabulary = characters.vocabulary
    written = write(run, vocabulary, "The ", 12, None, 0)
    model = longer_model(run, SMALL, vocabulary.size, 4 + 12)
    probabilities = model.predict(vocabulary.encode("The " + written.text)[None].astype(np.float32), verbose=0)[0]
    picks = probabilities[3:-1].argmax(axis=-1)  # after "The " and after each written character
    assert vocabulary.decode(picks) == written.text
    np.testing.assert_allclose(written.probabilities, probabilities[3:-1].max(axis=-1), rtol=1e-4, atol=1e-6)


def test_sampling_repeats_with_its_seed_and_draws_as_often_as_the_temperature_says(trained):
    run, characters = trained
    vocabulary = characters.vocabulary
    first, again = (write(run, vocabulary, "in ", 60, 1.5, 7) for _ in range(2))
    assert first.text == again.text and len(first.text) == 60
    assert write(run, vocabulary, "in ", 60, 1.5, 8).text != first.text
    likeliest, probability = write(run, vocabulary, "in ", 1, None, 0).next_characters[0]
    draws = 400

    def share(temperature: float) -> float:
        return sum(write(run, vocabulary, "in ", 1, temperature, seed).text == likeliest
                   for seed in range(draws)) / draws

    spread = 4 * math.sqrt(probability * (1 - probability) / draws)
    assert abs(share(1.0) - probability) < spread  # T = 1: the model's own probabilities
    assert share(0.25) > probability + spread  # a low temperature favours the likeliest character


def test_beam_search_keeps_the_likeliest_continuations_scored_by_the_full_model(trained):
    run, characters = trained
    vocabulary = characters.vocabulary
    beams = beam_continuations(run, vocabulary, "The ", 6, 3)
    assert len(beams) == 3 and [p for _, p in beams] == sorted((p for _, p in beams), reverse=True)
    assert beam_continuations(run, vocabulary, "The ", 6, 1)[0][0] == write(run, vocabulary, "The ", 6, None, 0).text
    model = longer_model(run, SMALL, vocabulary.size, 4 + 6)
    for text, probability in beams:
        codes = vocabulary.encode("The " + text)
        steps = model.predict(codes[None].astype(np.float32), verbose=0)[0]
        expected = np.prod([steps[3 + index, codes[4 + index]] for index in range(6)])
        assert probability == pytest.approx(expected, rel=1e-3)
    assert beams[0][1] >= beam_continuations(run, vocabulary, "The ", 6, 1)[0][1]  # a wider beam finds at least as likely


def test_prompts_and_temperatures_that_cannot_work_are_explained(trained):
    run, characters = trained
    with pytest.raises(ValueError, match="not in the text the model learned: '€'"):
        write(run, characters.vocabulary, "a €", 5, 0.5, 0)
    with pytest.raises(ValueError, match="Type a prompt"):
        write(run, characters.vocabulary, "", 5, 0.5, 0)
    with pytest.raises(ValueError, match="temperature above 0"):
        write(run, characters.vocabulary, "a", 5, 0.0, 0)
    with pytest.raises(ValueError, match="Upload a plain text file"):
        corpus_text(dataclasses.replace(SMALL, corpus=UPLOAD))
    with pytest.raises(ValueError, match="too few for sequences of 200"):
        character_data("abcdefgh" * 60, dataclasses.replace(SMALL, sequence_length=200))


def test_links_round_trip_with_the_prompt_and_bad_values_are_clamped():
    settings = LanguageModelSettings(cell="gru", units=64, layers=2, sequence_length=80, temperature=1.2, beam_width=8,
                                     prompt="def f(x):\n    return", seed=4)
    assert from_query_params(to_query_params(settings)) == (settings, [])
    restored, warnings = from_query_params({"temp": "0", "cell": "transformer", "units": "1e9"})
    assert restored.temperature == 0.05 and restored.cell == "lstm" and restored.units == 512
    assert len(warnings) == 3
