"""LinkReader: any text in a link gives a usable value and a warning, never an exception."""

import pytest

from engine.links import LinkReader


@pytest.mark.parametrize("raw", ["inf", "1e999", "-inf", "nan", "4,inf", "", "x", "4,,2"])
def test_a_whole_number_list_of_any_text_gives_a_usable_list(raw):
    reader = LinkReader({"layers": raw})
    values = reader.int_list("layers", (4, 2), 1, 8, max_length=6)
    assert all(isinstance(value, int) and 1 <= value <= 8 for value in values)
    assert values == () if raw == "" else reader.warnings or values == (4, 2)


def test_a_finite_list_is_clamped_and_a_non_finite_one_falls_back_with_a_warning():
    reader = LinkReader({"a": "0,3,99", "b": "1e999"})
    assert reader.int_list("a", (4,), 1, 8, max_length=6) == (1, 3, 8)
    assert reader.int_list("b", (4, 2), 1, 8, max_length=6) == (4, 2)
    assert len(reader.warnings) == 2 and "finite" in reader.warnings[1]
