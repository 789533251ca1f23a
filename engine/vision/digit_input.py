"""Turn a drawing or a photo of a digit into the input a CNN trained on the data set expects.

The training images are light ink on a dark background, the digit centred and filling most
of a small square. A drawing on the canvas (white on black) or a photo of dark ink on paper
becomes that in five steps: grayscale, ink made light (photos are inverted when their border
is light), cropped to the ink, padded to a centred square with a margin, and resized with
anti-aliasing to the network's input size, brightest pixel = 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.image_sets import resize_images
from engine.data.images import to_grayscale

INK_THRESHOLD = 0.2  # of the brightness range: fainter pixels count as background when cropping


@dataclass(frozen=True)
class DigitInput:
    """A prepared image and what was done to it.

    Attributes:
        image: (size, size, 1) float32 in [0, 1], ready for the network.
        inverted: whether dark ink on a light background was flipped.
        box: (top, left, bottom, right) of the ink in the source image.
    """

    image: np.ndarray
    inverted: bool
    box: tuple[int, int, int, int]


def prepare_digit(pixels: np.ndarray, image_size: int, invert: bool | None = None,
                  margin: float = 0.15) -> DigitInput:
    """A network input from (height, width) or (height, width, channels) pixels of any range.

    Args:
        pixels: grayscale, RGB or RGBA (alpha is ignored; the canvas paints its background).
        image_size: the network's input side.
        invert: force ink polarity; None decides from the border (light border = paper).
        margin: empty border added around the ink, as a share of the square's side.

    Raises:
        ValueError: for an empty, blank (one colour) or non-finite image.
    """
    gray = _grayscale(pixels)
    if gray.size == 0:
        raise ValueError("The image is empty. Draw a digit or upload a picture of one.")
    if not np.isfinite(gray).all():
        raise ValueError("The image contains NaN or infinite values.")
    low, high = float(gray.min()), float(gray.max())
    if high - low < 1e-6:
        raise ValueError("The image is blank (one colour): draw a digit first.")
    gray = (gray - low) / (high - low)
    if invert is None:
        border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        invert = bool(np.median(border) > 0.5)
    if invert:
        gray = 1.0 - gray
    rows = np.flatnonzero((gray > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((gray > INK_THRESHOLD).any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    ink = gray[top:bottom, left:right]
    side = max(ink.shape)
    padded_side = int(np.ceil(side / (1.0 - 2.0 * margin)))
    square = np.zeros((padded_side, padded_side), np.float32)
    row, col = (padded_side - ink.shape[0]) // 2, (padded_side - ink.shape[1]) // 2
    square[row:row + ink.shape[0], col:col + ink.shape[1]] = ink
    image = resize_images(square[None, :, :, None], image_size)[0]
    image = image / max(float(image.max()), 1e-6)
    return DigitInput(image.astype(np.float32), invert, (int(top), int(left), int(bottom), int(right)))


def _grayscale(pixels: np.ndarray) -> np.ndarray:
    values = np.asarray(pixels, dtype=np.float64)
    if values.ndim == 3 and values.shape[2] in (3, 4):
        values = to_grayscale(values[:, :, :3])[:, :, 0]
    elif values.ndim == 3 and values.shape[2] == 1:
        values = values[:, :, 0]
    if values.ndim != 2:
        raise ValueError(f"Expected a grayscale, RGB or RGBA image. Received an array of shape {values.shape}.")
    return values
