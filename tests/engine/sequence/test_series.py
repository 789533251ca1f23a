"""Series generators, the learner's CSV and the time-ordered windows."""

import numpy as np
import pytest

from engine.sequence.series import (
    MAX_STEPS,
    SERIES,
    make_series,
    make_windows,
    read_series_csv,
)


@pytest.mark.parametrize("name", SERIES)
def test_every_generator_gives_its_length_in_float32_and_is_repeatable_by_seed(name):
    series = make_series(name, 300, seed=4)
    assert series.shape == (300,) and series.dtype == np.float32 and np.isfinite(series).all()
    np.testing.assert_array_equal(series, make_series(name, 300, seed=4))
    noisy = make_series(name, 300, noise=0.5, seed=1)
    assert not np.array_equal(noisy, make_series(name, 300, noise=0.5, seed=2))


def test_the_generators_have_the_shapes_they_claim():
    sine = make_series("sine", 200)
    np.testing.assert_allclose(sine[:150], sine[50:200], atol=1e-5)  # period 50
    saw = make_series("sawtooth", 120)
    assert saw[0] == pytest.approx(-1) and saw[39] == pytest.approx(1) and saw[40] == pytest.approx(-1)
    noisy = make_series("noisy_sine", 5000, seed=0)
    assert np.std(noisy - make_series("sine", 5000)) == pytest.approx(0.3, rel=0.05)  # its default noise
    walk = make_series("random_walk", 5000, noise=2.0, seed=3)
    assert np.std(np.diff(walk)) == pytest.approx(2.0, rel=0.05)


def test_absurd_lengths_names_and_noise_are_refused_in_words():
    with pytest.raises(ValueError, match="Expected a series of 20 to 100,000 steps"):
        make_series("sine", MAX_STEPS + 1)
    with pytest.raises(ValueError, match="Unknown series 'square'. Expected one of: sine"):
        make_series("square")
    with pytest.raises(ValueError, match="noise level of 0 or more"):
        make_series("sine", 100, noise=-1.0)


def test_windows_pair_each_past_with_its_future_and_split_in_time_order():
    series = np.arange(100, dtype=np.float32)
    windows = make_windows(series, window=5, horizon=2, validation_fraction=0.2)
    assert windows.split == 80
    back = windows.original_units
    # each pair: five consecutive values in, the next two out
    np.testing.assert_allclose(back(windows.x_train[0, :, 0]), [0, 1, 2, 3, 4], atol=1e-4)
    np.testing.assert_allclose(back(windows.y_train[0]), [5, 6], atol=1e-4)
    # every training target before the split, every validation target after it
    assert back(windows.y_train).max() == pytest.approx(79, abs=1e-3)
    assert back(windows.y_val).min() == pytest.approx(80, abs=1e-3)
    assert back(windows.x_val[0, :, 0])[0] == pytest.approx(75, abs=1e-3)  # validation inputs may reach back
    assert len(windows.x_train) == 80 - 5 - 2 + 1 and len(windows.x_val) == 20 - 2 + 1
    # standardised with the training part only
    assert windows.mean == pytest.approx(np.arange(80).mean()) and windows.scale == pytest.approx(np.arange(80).std())


def test_a_window_longer_than_the_series_is_refused_with_the_numbers():
    with pytest.raises(ValueError, match="A window of 90 steps and a horizon of 1 need more data: the series has 100"):
        make_windows(np.zeros(100), window=90)
    with pytest.raises(ValueError, match="at least 1 step"):
        make_windows(np.zeros(100), window=0)
    flat = make_windows(np.full(50, 3.0), window=4)  # a flat series: no division by a zero spread
    assert np.isfinite(flat.x_train).all() and flat.scale == 1.0


def test_a_csv_keeps_its_numeric_columns_under_their_header_names():
    rows = "\n".join(f"2024-01-{day % 28 + 1:02d},{day * 0.5},{day ** 2},x" for day in range(30))
    table = read_series_csv(("date,price,volume,note\n" + rows).encode())
    assert table.names == ("price", "volume")
    np.testing.assert_allclose(table.column("volume")[:3], [0, 1, 4])
    with pytest.raises(ValueError, match="No column 'date' in the file. Expected one of: price, volume"):
        table.column("date")
    headless = read_series_csv("\n".join(str(value) for value in range(25)).encode())
    assert headless.names == ("column 1",) and len(headless.column("column 1")) == 25


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty"),
    (b"\xff\xfe\x00binary", "not UTF-8 text"),
    (b"a\n1\n2\n3", "Found 3 data rows. Expected 20 to 100,000"),
    (("a,b\n" + "\n".join("x,nan" for _ in range(30))).encode(), "No column has a finite number in every row"),
    (("a\n" + "\n".join("1e400" for _ in range(30))).encode(), "No column has a finite number"),
    (b"1\n" * 3_000_000, "Expected at most 5 MB"),
])
def test_bad_csv_files_get_a_message(data, message):
    with pytest.raises(ValueError, match=message):
        read_series_csv(data)
