"""Sequence to sequence: the coded pairs, attention weights that sum to 1, greedy and beam writing, links."""

import dataclasses

import numpy as np
import pytest

from engine.sequence.seq2seq import (
    Seq2SeqObserver,
    Seq2SeqSettings,
    attention_weights,
    beams,
    from_query_params,
    greedy,
    make_run,
    pair_data,
    to_query_params,
)

SMALL = Seq2SeqSettings(length=5, units=16, embedding_size=8)


@pytest.fixture(scope="module")
def trained():
    pairs = pair_data(SMALL)
    group = make_run(SMALL, pairs)
    group.advance(6)
    return group, pairs


def test_a_row_is_the_source_then_start_then_the_answer_shifted_by_one():
    pairs = pair_data(SMALL)
    row, answer = pairs.data.x_train[0], pairs.data.y_train[0]
    assert pairs.source_length == pairs.target_length == 5
    assert row[5] == pairs.start
    np.testing.assert_array_equal(row[6:], answer[:-1])
    assert pairs.answer_text(answer) == pairs.source_text(row)[::-1]  # the reversal task
    dates = pair_data(dataclasses.replace(SMALL, task="dates"))
    assert dates.target_length == 10 and len(dates.answer_text(dates.data.y_val[0])) == 10


def test_attention_weights_sum_to_one_over_the_source_at_every_output_step(trained):
    group, pairs = trained
    weights = attention_weights(group.runs["attention"], pairs.data.x_val[:7])
    assert weights.shape == (7, 5, 5) and (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-5)


def test_greedy_writing_feeds_back_what_a_step_by_step_loop_picks(trained):
    group, pairs = trained
    run = group.runs["plain"]
    rows = pairs.data.x_val[:9].copy()
    written = greedy(run, pairs, rows)
    rows[:, pairs.source_length + 1:] = 0
    for step in range(pairs.target_length):  # the same, one full-model call per step
        picks = run.predict(rows)[:, step].argmax(axis=-1)
        np.testing.assert_array_equal(written[:, step], picks)
        if step + 1 < pairs.target_length:
            rows[:, pairs.source_length + step + 1] = picks


def test_beam_search_with_one_beam_is_greedy_and_wider_beams_are_no_less_likely(trained):
    group, pairs = trained
    run, row = group.runs["attention"], pairs.data.x_val[3]
    (single, probability), = beams(run, pairs, row, 1)
    assert single == pairs.answer_text(greedy(run, pairs, row[None])[0])
    wide = beams(run, pairs, row, 4)
    assert len(wide) == 4 and wide[0][1] >= probability - 1e-9
    assert [p for _, p in wide] == sorted((p for _, p in wide), reverse=True)
    with pytest.raises(ValueError, match="beam width from 1 to 16"):
        beams(run, pairs, row, 17)


def test_the_view_scores_whole_answers_and_draws_the_example(trained):
    group, pairs = trained
    view = Seq2SeqObserver(pairs, example=2)(group)
    assert set(view.exact) == {"attention", "plain"} and all(0 <= value <= 1 for value in view.exact.values())
    assert view.truth == pairs.answer_text(pairs.data.y_val[2]) and view.source == pairs.source_text(pairs.data.x_val[2])
    assert view.weights.shape == (5, 5) and len(view.source_tokens) == 5 and len(view.written_tokens) == 5
    np.testing.assert_allclose(view.weights.sum(axis=-1), 1.0, rtol=1e-5)


def test_attention_learns_longer_reversals_than_the_plain_model_in_the_same_budget():
    settings = Seq2SeqSettings(length=14, units=48)
    pairs = pair_data(settings)
    group = make_run(settings, pairs)
    group.advance(12)
    view = Seq2SeqObserver(pairs)(group)
    assert view.exact["attention"] > 0.8 and view.exact["attention"] > view.exact["plain"] + 0.3


def test_links_round_trip_and_bad_values_are_clamped():
    settings = Seq2SeqSettings(task="sort", length=12, units=32, embedding_size=8, example=4, beam_width=5, seed=2)
    assert from_query_params(to_query_params(settings)) == (settings, [])
    restored, warnings = from_query_params({"length": "500", "task": "translate"})
    assert restored.length == 20 and restored.task == "reverse" and len(warnings) == 2
