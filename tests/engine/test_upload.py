import numpy as np
import pytest

from engine.data.upload import MAX_UPLOAD_BYTES, parse_points_csv


def rows(count, label=lambda index: index % 2):
    return "".join(f"{index * 0.1},{-index * 0.2},{label(index)}\n" for index in range(count))


def test_a_header_and_two_integer_classes_give_binary_classification():
    parsed = parse_points_csv(("x1,x2,label\n" + rows(12)).encode())
    assert parsed.problem == "binary" and parsed.num_classes == 2
    assert parsed.points.shape == (12, 2) and parsed.points.dtype == np.float32
    np.testing.assert_array_equal(parsed.labels, np.arange(12) % 2)


def test_minus_one_and_one_labels_become_classes_zero_and_one():
    parsed = parse_points_csv(rows(12, lambda index: 1 if index % 2 else -1).encode())
    assert parsed.class_names == ("-1", "1")
    np.testing.assert_array_equal(parsed.labels, np.arange(12) % 2)


def test_text_labels_and_four_classes_give_multiclass():
    parsed = parse_points_csv(rows(12, lambda index: "abcd"[index % 4]).encode())
    assert parsed.problem == "multiclass" and parsed.class_names == ("a", "b", "c", "d")


def test_real_valued_labels_give_regression():
    parsed = parse_points_csv(rows(12, lambda index: index * 0.37).encode())
    assert parsed.problem == "regression" and parsed.labels.dtype == np.float32


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty"),
    (b"x" * (MAX_UPLOAD_BYTES + 1), "Expected at most 2 MB"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (rows(3).encode(), "Found 3 data rows. Expected at least 10"),
    ((rows(11) + "1,2\n").encode(), "Row 12 has 2 columns. Expected 3"),
    ((rows(11) + "one,2,1\n").encode(), "A coordinate is not a number"),
    ((rows(11) + "nan,2,1\n").encode(), "Row 12 has a NaN or infinite coordinate"),
    (rows(12, lambda index: 1).encode(), "Only one class"),
    (rows(12, lambda index: "abcdefg"[index % 7]).encode(), "Found 7 classes. Expected at most 5"),
    ((rows(11) + "1,2,inf\n").encode(), "A label is NaN or infinite"),
    ((rows(11) + "1,2,4e38\n").encode(), "A label is larger than 1e\\+15"),  # finite, but inf in float32
])
def test_bad_files_get_a_message_that_says_what_is_wrong(content, message):
    with pytest.raises(ValueError, match=message):
        parse_points_csv(content)


def test_forced_problem_types_are_checked():
    with pytest.raises(ValueError, match="Regression needs numeric labels"):
        parse_points_csv(rows(12, lambda index: "ab"[index % 2]).encode(), "regression")
    with pytest.raises(ValueError, match="Found 12 classes"):
        parse_points_csv(rows(12, lambda index: index * 0.37).encode(), "classification")
