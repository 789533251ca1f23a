"""Toy sequence tasks: their answers are what they claim, and a seed repeats them."""

import datetime

import numpy as np
import pytest

from engine.sequence.toy_tasks import (
    PAD,
    TOKEN_TASKS,
    make_adding_problem,
    make_dates,
    make_delayed_recall,
    make_reversal,
    make_sorting,
)


def test_the_adding_problem_marks_two_steps_one_in_each_half_and_sums_them():
    inputs, targets = make_adding_problem(500, 40, seed=1)
    assert inputs.shape == (500, 40, 2) and targets.shape == (500,)
    markers = inputs[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :20].sum(axis=1) == 1) and np.all(markers[:, 20:].sum(axis=1) == 1)
    np.testing.assert_allclose(targets, (inputs[:, :, 0] * markers).sum(axis=1), rtol=1e-6)
    baseline = np.mean((targets - 1.0) ** 2)  # always guessing 1: about 1/6
    assert 0.12 < baseline < 0.22
    np.testing.assert_array_equal(inputs, make_adding_problem(500, 40, seed=1)[0])


def test_delayed_recall_asks_for_the_first_symbol():
    codes, targets = make_delayed_recall(300, delay=15, seed=2, symbols=5)
    assert codes.shape == (300, 16) and codes.max() < 5
    np.testing.assert_array_equal(targets, codes[:, 0])
    with pytest.raises(ValueError, match="Expected 2 to 64 symbols"):
        make_delayed_recall(10, symbols=1)


def test_reversal_and_sorting_answer_their_rows():
    reversed_rows = make_reversal(50, 6, seed=3)
    sorted_rows = make_sorting(50, 6, seed=3)
    for index in range(50):
        row = reversed_rows.source_text(index)
        assert len(row) == 6 and reversed_rows.target_text(index) == row[::-1]
        assert sorted_rows.target_text(index) == "".join(sorted(sorted_rows.source_text(index)))
    assert reversed_rows.source_tokens[0] == PAD and set(reversed_rows.source_tokens[1:]) <= set("0123456789")


def test_dates_in_every_format_answer_their_iso_form():
    pairs = make_dates(400, seed=4)
    assert pairs.targets.shape == (400, 10)
    for index in range(400):
        answer = datetime.date.fromisoformat(pairs.target_text(index))
        source = pairs.source_text(index)
        assert str(answer.year) in source and 1950 <= answer.year <= 2049
        assert str(answer.day) in source.replace(f"{answer.year}", "")
    assert {pairs.source_text(index)[:1].isdigit() for index in range(400)} == {True, False}  # numbers and words
    assert (pairs.sources == 0).any()  # shorter sources padded with code 0


@pytest.mark.parametrize("name", TOKEN_TASKS)
def test_token_tasks_share_a_signature_and_repeat_by_seed(name):
    first, again = TOKEN_TASKS[name](30, 10, 7), TOKEN_TASKS[name](30, 10, 7)
    np.testing.assert_array_equal(first.sources, again.sources)
    np.testing.assert_array_equal(first.targets, again.targets)
    assert first.sources.dtype == np.int32 and len(first.sources) == 30


def test_absurd_sizes_are_refused():
    with pytest.raises(ValueError, match="Expected 1 to 100,000 samples"):
        make_reversal(0)
    with pytest.raises(ValueError, match="Expected sequences of 2 to 500 steps"):
        make_adding_problem(10, 1000)
