"""Drawings and photos of digits become inputs shaped like the training images."""

import numpy as np
import pytest

from engine.vision.digit_input import prepare_digit


def _canvas(height: int = 200, width: int = 200) -> np.ndarray:
    """An RGBA canvas: black background, opaque, with a white bar drawn off-centre."""
    canvas = np.zeros((height, width, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[20:120, 30:50, :3] = 255
    return canvas


def test_a_drawing_is_cropped_centred_and_scaled_to_the_input_size():
    result = prepare_digit(_canvas(), 8)
    assert result.image.shape == (8, 8, 1) and result.image.dtype == np.float32
    assert result.image.max() == pytest.approx(1.0) and result.image.min() >= 0.0
    assert not result.inverted
    assert result.box == (20, 30, 120, 50)
    columns = result.image[:, :, 0].sum(axis=0)
    centre = (columns * np.arange(8)).sum() / columns.sum()
    assert centre == pytest.approx(3.5, abs=0.3)  # the off-centre bar lands in the middle
    rows = result.image[:, :, 0].sum(axis=1)
    assert rows[0] < 0.1 * rows.max() and rows[-1] < 0.1 * rows.max()  # a margin above and below


def test_dark_ink_on_paper_is_inverted_to_match_the_training_images():
    photo = np.full((60, 40, 3), 230.0)
    photo[10:50, 18:22] = 20.0
    result = prepare_digit(photo, 16)
    assert result.inverted
    assert result.image[8, 8, 0] > 0.5 and result.image[0, 0, 0] == 0.0


def test_polarity_can_be_forced():
    photo = np.full((20, 20), 0.9)
    photo[5:15, 9:11] = 0.1
    assert not prepare_digit(photo, 8, invert=False).inverted


def test_the_same_drawing_at_another_scale_gives_nearly_the_same_input():
    small = prepare_digit(_canvas(200, 200), 8).image
    big_canvas = np.zeros((400, 400, 4), np.uint8)
    big_canvas[40:240, 60:100, :3] = 255
    np.testing.assert_allclose(prepare_digit(big_canvas, 8).image, small, atol=0.1)


@pytest.mark.parametrize("pixels, message", [
    (np.zeros((10, 10, 4)), "blank"),
    (np.zeros((0, 5)), "empty"),
    (np.full((4, 4), np.nan), "NaN"),
    (np.zeros((4, 4, 2, 2)), "Expected a grayscale"),
])
def test_unusable_images_are_refused_with_a_message(pixels, message):
    with pytest.raises(ValueError, match=message):
        prepare_digit(pixels, 8)
