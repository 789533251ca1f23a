"""2-D targets: shapes, mode coverage on known samples, user points from a drawing or a CSV."""

import string

import numpy as np
import pytest

from engine.generative.targets import (
    LINK_POINTS,
    MIN_CUSTOM_POINTS,
    TARGETS,
    check_points,
    decode_points,
    encode_points,
    ink_mask,
    make_target,
    mode_coverage,
    points_from_csv,
    points_from_mask,
)


@pytest.mark.parametrize("name", [name for name in TARGETS if name != "custom"])
def test_every_built_in_target_fits_the_square_and_repeats_with_its_seed(name):
    target = make_target(name, seed=3)
    assert target.points.shape == (512, 2) and target.points.dtype == np.float32
    assert np.abs(target.points).max() < 1.3
    np.testing.assert_array_equal(target.points, make_target(name, seed=3).points)
    assert (target.modes is not None) == (name in ("ring", "grid"))


def test_coverage_counts_the_modes_a_sample_reaches():
    ring = make_target("ring", seed=0)
    assert mode_coverage(ring.points, ring.modes, ring.mode_std).covered == 8  # the data covers itself
    two_modes = np.repeat(ring.modes[:2], 100, axis=0)  # everything on two centres: collapse
    collapsed = mode_coverage(two_modes, ring.modes, ring.mode_std)
    assert (collapsed.covered, collapsed.num_modes, collapsed.near_share, collapsed.fraction) == (2, 8, 1.0, 0.25)
    far = mode_coverage(np.zeros((50, 2), np.float32), ring.modes, ring.mode_std)  # all at the centre: near none
    assert far.covered == 0 and far.near_share == 0.0
    few = np.concatenate([np.repeat(ring.modes[:7], 40, axis=0), ring.modes[7:8]])  # one stray point on mode 8
    assert mode_coverage(few, ring.modes, ring.mode_std).covered == 7


def test_a_drawing_becomes_points_with_y_up():
    mask = np.zeros((10, 20), bool)
    mask[0, 0] = mask[9, 19] = True
    points = points_from_mask(mask, max_points=100, seed=0)
    np.testing.assert_allclose(points, [[-0.95, 0.9], [0.95, -0.9]])
    assert len(points_from_mask(np.ones((50, 50), bool), max_points=30, seed=0)) == 30


def test_ink_is_the_stroke_not_the_opaque_background():
    # The canvas returns its white background opaque: only the blue stroke is ink.
    drawing = np.zeros((20, 30, 4), np.uint8)
    drawing[:, :, :] = (255, 255, 255, 255)
    drawing[2:4, 3:9] = (8, 119, 189, 255)
    drawing[10, 10] = (250, 252, 255, 255)  # anti-aliasing noise near white is not ink
    mask = ink_mask(drawing)
    assert mask.sum() == 12 and mask[2:4, 3:9].all()
    points = points_from_mask(mask, max_points=600, seed=0)
    assert points[:, 0].max() < -0.35 and points[:, 1].min() > 0.5  # the top-left corner only


def test_points_travel_in_a_link_compactly_and_come_back_within_a_step():
    points = make_target("spiral", seed=0).points
    points = points / np.abs(points).max()
    text = encode_points(points)
    assert len(text) <= 4 * LINK_POINTS // 3 * 2 + 4 and set(text) <= set(string.ascii_letters + string.digits + "-_")
    back = decode_points(text)
    assert back.shape == (len(points), 2)
    np.testing.assert_allclose(back, points, atol=1 / 255 + 1e-6)
    many = np.random.default_rng(0).uniform(-1, 1, (2000, 2))
    assert len(decode_points(encode_points(many))) == LINK_POINTS


@pytest.mark.parametrize("text, message", [("***", "format"), ("AAAA", "cut short"), ("AAA", "at least 10")])
def test_bad_link_points_are_refused_in_words(text, message):
    with pytest.raises(ValueError, match=message):
        decode_points(text)


def test_a_csv_is_read_with_its_header_and_fitted_to_the_square():
    rows = "x,y\n" + "\n".join(f"{10 + i},{100 + 2 * i}" for i in range(12))
    points = points_from_csv(rows.encode())
    assert points.shape == (12, 2)
    assert points[:, 1].min() == pytest.approx(-1) and points[:, 1].max() == pytest.approx(1)
    assert points[:, 0].max() - points[:, 0].min() == pytest.approx(1)  # one scale for both axes


@pytest.mark.parametrize("data, message", [
    (b"", "empty"), (b"\xff\xfe\x00binary", "not text"), (b"x,y\n1,2\n3,4\n", "at least 10"),
    (b"1,2\n3,four\n", "Row 3"), (("1,2\n" * 5 + "nan,1\n" * 6).encode(), "NaN or infinite"),
    (("1,2\n" * 5 + "1e300,1\n" * 6).encode(), "larger than 1e\\+15"),  # finite, but inf in float32
])
def test_bad_files_get_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message):
        points_from_csv(data)


def test_too_few_drawn_points_are_refused():
    with pytest.raises(ValueError, match=f"at least {MIN_CUSTOM_POINTS} points"):
        check_points(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="Draw or upload"):
        make_target("custom", seed=0)
