"""Reading a user's CSV of 2-D points (``x1,x2,label``), with messages instead of tracebacks.

Uploads come from strangers on a shared server, so everything is checked: size, shape,
numbers, finiteness, and whether the labels fit a classification or a regression problem.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

MAX_UPLOAD_BYTES = 2_000_000
MAX_UPLOAD_ROWS = 5000
MIN_UPLOAD_ROWS = 10
MAX_CLASSES = 5
# Models train in 32-bit floats (largest 3.4e38): a value they square and sum over thousands of
# rows must stay far below that, or it turns into inf after it was checked as finite.
MAX_ABS_VALUE = 1e15


@dataclass(frozen=True)
class UploadedPoints:
    """A validated upload.

    Attributes:
        points: (n, 2) float32 coordinates.
        labels: (n,) int64 class ids 0..k-1, or float32 regression targets.
        problem: "binary", "multiclass" or "regression".
        num_classes: number of classes (1 for regression).
        class_names: original label text of each class id (empty for regression).
    """

    points: np.ndarray
    labels: np.ndarray
    problem: str
    num_classes: int
    class_names: tuple[str, ...] = ()


def parse_points_csv(data: bytes, problem: str = "auto") -> UploadedPoints:
    """Parse CSV bytes into validated points and labels.

    Args:
        data: the file's bytes; a header row ``x1,x2,label`` is optional.
        problem: "auto" infers classification when labels are few integers, else
            regression; "classification" or "regression" forces one.

    Raises:
        ValueError: with a message that says what was wrong and how to fix it.
    """
    if problem not in ("auto", "classification", "regression"):
        raise ValueError(f"Unknown problem type {problem!r}. Expected auto, classification or regression.")
    text = uploaded_text(data, MAX_UPLOAD_BYTES, "a CSV file of x1,x2,label rows")
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if rows and not is_number(rows[0][0]):
        rows = rows[1:]  # a header row
    if len(rows) < MIN_UPLOAD_ROWS:
        raise ValueError(f"Found {len(rows)} data rows. Expected at least {MIN_UPLOAD_ROWS}.")
    if len(rows) > MAX_UPLOAD_ROWS:
        raise ValueError(f"Found {len(rows)} data rows. Expected at most {MAX_UPLOAD_ROWS}.")
    for number, row in enumerate(rows, start=1):
        if len(row) != 3:
            raise ValueError(f"Row {number} has {len(row)} columns. Expected 3: x1,x2,label.")
    try:
        points = np.array([[float(row[0]), float(row[1])] for row in rows], dtype=np.float64)
    except ValueError as error:
        raise ValueError(f"A coordinate is not a number ({error}). Expected numeric x1 and x2.") from error
    bad_rows = np.flatnonzero(~np.isfinite(points).all(axis=1))
    if bad_rows.size:
        raise ValueError(
            f"Row {bad_rows[0] + 1} has a NaN or infinite coordinate. Expected finite numbers."
        )
    if np.abs(points).max() > 1e6:
        raise ValueError("Coordinates larger than 1e6 found. Expected values of a sensible scale.")
    label_text = [row[2].strip() for row in rows]
    return _labelled(points.astype(np.float32), label_text, problem)


def _labelled(points: np.ndarray, label_text: list[str], problem: str) -> UploadedPoints:
    """Decide the problem type from the label column and encode the labels for it."""
    numeric = all(is_number(text) for text in label_text)
    values = np.array([float(text) if numeric else 0.0 for text in label_text])
    if numeric and not np.isfinite(values).all():
        raise ValueError("A label is NaN or infinite. Expected finite labels.")
    if numeric and np.abs(values).max() > MAX_ABS_VALUE:
        raise ValueError(f"A label is larger than {MAX_ABS_VALUE:.0e} in size. Expected values a 32-bit model can "
                         "train on: rescale the column (for example to thousands or millions).")
    few_integers = numeric and np.all(values == np.round(values)) and len(np.unique(values)) <= MAX_CLASSES
    if problem == "regression" or (problem == "auto" and numeric and not few_integers):
        if not numeric:
            raise ValueError("Regression needs numeric labels. Found text labels.")
        if np.ptp(values) == 0:
            raise ValueError("Every label is the same value. Expected targets that vary.")
        return UploadedPoints(points, values.astype(np.float32), "regression", 1)
    classes = sorted(set(label_text), key=lambda text: (float(text) if numeric else 0, text))
    if len(classes) < 2:
        raise ValueError(f"Only one class ({classes[0]!r}) found. Expected at least two classes.")
    if len(classes) > MAX_CLASSES:
        raise ValueError(
            f"Found {len(classes)} classes. Expected at most {MAX_CLASSES}; "
            "or choose regression for a numeric target."
        )
    index = {name: i for i, name in enumerate(classes)}
    labels = np.array([index[text] for text in label_text], dtype=np.int64)
    kind = "binary" if len(classes) == 2 else "multiclass"
    return UploadedPoints(points, labels, kind, len(classes), tuple(classes))


def uploaded_text(data: bytes, max_bytes: int, expected: str) -> str:
    """An uploaded file's UTF-8 text (a byte-order mark dropped); ``ValueError`` when it is empty, too big or not text.

    ``expected`` says, in the messages, what a good file holds ("a CSV file of x1,x2,label rows").
    """
    if not data:
        raise ValueError(f"The file is empty. Expected {expected}.")
    if len(data) > max_bytes:
        raise ValueError(f"The file is {len(data) / 1e6:.1f} MB. Expected at most {max_bytes / 1e6:.0f} MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"The file is not text (not UTF-8 text). Expected {expected}.") from error


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a float (as a CSV cell or a link value does)."""
    try:
        float(text)
    except ValueError:
        return False
    return True
