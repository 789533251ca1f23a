"""Kernel presets, typed-in values and normalisation."""

import numpy as np
import pytest

from engine.vision.kernels import PRESETS, embed_centred, make_preset, normalize_by_sum, parse_kernel, random_kernel


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_finite_and_blurs_keep_brightness(name):
    kernel = make_preset(name, 5, 3)
    assert kernel.dtype == np.float32 and np.isfinite(kernel).all()
    assert kernel.shape == (PRESETS[name].fixed_size or (5, 3))
    if name in ("Identity", "Box blur", "Gaussian blur", "Sharpen"):
        assert kernel.sum() == pytest.approx(1.0, abs=1e-6)
    if name.startswith(("Sobel", "Prewitt", "Scharr", "Outline")):
        assert kernel.sum() == 0  # edge detectors answer 0 on flat areas


def test_gaussian_is_symmetric_and_peaks_in_the_centre():
    kernel = make_preset("Gaussian blur", 5, 5)
    np.testing.assert_allclose(kernel, kernel.T, rtol=1e-6)
    assert kernel.argmax() == 12


def test_parse_kernel_accepts_numeric_text_and_names_the_bad_cell():
    np.testing.assert_array_equal(parse_kernel([["1", " -2.5"], [0, 3]]), [[1, -2.5], [0, 3]])
    for cells, message in (
        ([[1, "abc"]], r"Cell \(row 1, column 2\) is 'abc', not a number"),
        ([[1, None]], r"Cell \(row 1, column 2\) is empty"),
        ([[float("nan")]], "must be finite"),
        ([["inf"]], "must be finite"),
        ([[1e6]], "between −1000 and 1000"),
        ([[1, 2], [3]], "Row 2 has 1 cells"),
        ([], "empty"),
        ([[0] * 8], "from 1×1 to 7×7"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_kernel(cells)


def test_normalize_by_sum_leaves_edge_detectors_alone():
    box, note = normalize_by_sum(np.ones((3, 3), np.float32))
    assert box.sum() == pytest.approx(1.0) and "Divided by the sum of the weights, 9" in note
    sobel = make_preset("Sobel x")
    unchanged, note = normalize_by_sum(sobel)
    np.testing.assert_array_equal(unchanged, sobel)
    assert "sum to 0" in note


def test_random_kernels_are_seeded_small_integers():
    first, again = random_kernel(3, 5, seed=4), random_kernel(3, 5, seed=4)
    np.testing.assert_array_equal(first, again)
    assert first.shape == (3, 5) and set(np.unique(first)) <= set(range(-3, 4))
    assert not np.array_equal(first, random_kernel(3, 5, seed=5))


def test_embed_centred_keeps_the_centre_tap_in_the_centre():
    embedded = embed_centred(make_preset("Identity"), 5, 5)
    assert embedded[2, 2] == 1 and embedded.sum() == 1
    with pytest.raises(ValueError, match="Cannot fit"):
        embed_centred(np.ones((5, 5), np.float32), 3, 3)
