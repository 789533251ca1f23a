"""Images for the vision labs: bundled samples and validated uploads, as float32 arrays.

Every image comes back as an (height, width, 3) float32 array in its own units: 0–255 for
photos and uploads, 0–16 for the 8×8 digit, small integers for the course's 3×3 example.
Keeping the units means the arithmetic a learner reads ("240 × −1") is the arithmetic the
convolution did. Uploads are checked before Pillow decodes them (bytes, then pixels, so a
decompression bomb is refused from its header) and normalised: EXIF rotation applied,
transparency flattened onto white, palette, 16-bit, CMYK and grey images turned into RGB,
only the first frame of an animation kept, and big images scaled down to a working size.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

ASSETS = Path(__file__).resolve().parent.parent.parent / "assets" / "images"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the server refuses larger files first (.streamlit/config.toml)
MAX_UPLOAD_PIXELS = 40_000_000  # a 8000×5000 photo; anything bigger is refused unopened
WORKING_SIDE = 512  # longest side the lab computes on; larger images are scaled down
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF")
REDUCIBLE_MODES = ("L", "LA", "RGB", "RGBA", "CMYK", "I", "F")  # modes Pillow's reduce() averages meaningfully


@dataclass(frozen=True)
class LoadedImage:
    """An image ready for the lab.

    Attributes:
        pixels: (height, width, 3) float32 values in ``value_range``.
        value_range: (low, high) of the units the pixels are in, for display.
        notes: what was changed on the way in (rotation, scaling, colour conversion).
    """

    pixels: np.ndarray
    value_range: tuple[float, float] = (0.0, 255.0)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SampleImage:
    """A bundled image: a short description and how to load it."""

    description: str
    load: Callable[[], LoadedImage]


def _sklearn_photo(name: str) -> LoadedImage:
    from sklearn.datasets import load_sample_image

    image = Image.fromarray(load_sample_image(name))
    return _to_working_size(image, image.size, WORKING_SIDE, [])


def _asset(name: str, value_range: tuple[float, float] = (0.0, 255.0), divisor: float = 1.0) -> LoadedImage:
    with Image.open(ASSETS / name) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float32) / divisor
    return LoadedImage(pixels=pixels, value_range=value_range)


def _course_example() -> LoadedImage:
    grid = np.array([[3, 2, 1], [1, 2, 3], [1, 1, 1]], dtype=np.float32)
    return LoadedImage(pixels=np.repeat(grid[:, :, None], 3, axis=2), value_range=(0.0, 3.0))


SAMPLE_IMAGES: dict[str, SampleImage] = {
    "Digit 8×8": SampleImage(
        "A handwritten 3 from scikit-learn's digits, in its own units (0–16): small enough to "
        "follow every multiplication.", lambda: _asset("digit_8x8.png", (0.0, 16.0), divisor=15)),
    "Course example 3×3": SampleImage(
        "The 3×3 grid [[3,2,1],[1,2,3],[1,1,1]]: with Sobel x and no padding it gives one number, 2.",
        _course_example),
    "Shapes": SampleImage(
        "A square, a disc, a triangle and stripes on a plain background: edges in every direction.",
        lambda: _asset("shapes.png")),
    "Checkerboard": SampleImage(
        "Black and white squares: only horizontal and vertical edges.", lambda: _asset("checkerboard.png")),
    "China (photo)": SampleImage("A photo of a temple roof that scikit-learn ships.",
                                 lambda: _sklearn_photo("china.jpg")),
    "Flower (photo)": SampleImage("A photo of a flower that scikit-learn ships.",
                                  lambda: _sklearn_photo("flower.jpg")),
}


def load_sample(name: str) -> LoadedImage:
    """A bundled image by name (a key of ``SAMPLE_IMAGES``)."""
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"Unknown sample image {name!r}. Expected one of: {', '.join(SAMPLE_IMAGES)}.")
    return SAMPLE_IMAGES[name].load()


def load_upload(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_UPLOAD_PIXELS,
                working_side: int = WORKING_SIDE) -> LoadedImage:
    """Decode an uploaded PNG, JPEG, WebP, BMP or GIF into an RGB image at most ``working_side`` across.

    A large image is made smaller while it decodes (a JPEG in its decoder, by up to 8 each way; other
    formats by whole-pixel averaging right after), so a 40-megapixel photo costs a fraction of a
    second rather than the seconds a full-size conversion and resize took.

    Raises:
        ValueError: empty, too many bytes or pixels, not an image, an unsupported format, or
            a damaged file; the message says which and what to do.
    """
    with _open_checked(data, max_bytes, max_pixels) as image:
        width, height = image.size
        notes: list[str] = []
        frames = getattr(image, "n_frames", 1)
        if frames > 1:
            notes.append(f"Animated {image.format}: using its first of {frames} frames.")
        try:
            image.seek(0)
            _draft(image, working_side)
            image.load()
            rgb = _to_rgb(_reduce(image, working_side), notes)
        except (OSError, ValueError, SyntaxError) as error:
            raise ValueError(f"The image could not be decoded (damaged or truncated file): {error}") from None
    return _to_working_size(rgb, (width, height), working_side, notes)


def decoded_pixels(data: bytes, working_side: int = WORKING_SIDE, max_bytes: int = MAX_UPLOAD_BYTES,
                   max_pixels: int = MAX_UPLOAD_PIXELS) -> int:
    """How many pixels ``load_upload`` decodes for ``data`` (read from its header: nothing is decoded).

    A JPEG counts at the reduced size its decoder produces; other formats at full size.
    Raises the same ``ValueError`` as ``load_upload`` for anything it would refuse unopened.
    """
    with _open_checked(data, max_bytes, max_pixels) as image:
        _draft(image, working_side)
        return image.size[0] * image.size[1]


def _open_checked(data: bytes, max_bytes: int, max_pixels: int) -> Image.Image:
    """The image in ``data``, opened (its header read, nothing decoded) once it passed every check."""
    if not data:
        raise ValueError("The file is empty. Choose a PNG, JPEG, WebP, BMP or GIF image.")
    if len(data) > max_bytes:
        raise ValueError(f"The file is {len(data) / 2**20:.1f} MB; images up to {max_bytes / 2**20:.0f} MB are accepted.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        if isinstance(error, UnidentifiedImageError):
            raise ValueError("This file is not an image Pillow can read. Choose a PNG, JPEG, WebP, BMP or GIF.") from None
        raise ValueError("This image declares more pixels than is safe to open.") from None
    width, height = image.size
    problem = ""
    if image.format not in ACCEPTED_FORMATS:
        problem = f"{image.format} images are not accepted. Choose a PNG, JPEG, WebP, BMP or GIF."
    elif width * height > max_pixels:
        problem = f"The image is {width}×{height} pixels; at most {max_pixels / 1e6:.0f} megapixels are accepted."
    elif width < 1 or height < 1:
        problem = "The image has no pixels."
    if problem:
        image.close()
        raise ValueError(problem)
    return image


def _draft(image: Image.Image, side: int) -> None:
    """Have a JPEG decoder scale the image down (by 2, 4 or 8) while keeping its longest side at least ``side``."""
    if image.format == "JPEG":
        scale = side / max(image.size)
        if scale < 1:
            image.draft(image.mode, (math.ceil(image.size[0] * scale), math.ceil(image.size[1] * scale)))


def _reduce(image: Image.Image, side: int) -> Image.Image:
    """A decoded image averaged down by a whole factor while its longest side stays at least ``side``.

    Pixel-averaging is cheap, and what is left for the careful resize is small. Palette, 1-bit and
    16-bit images are left as they are (averaging palette indices would mix unrelated colours).
    """
    factor = max(image.size) // side
    if factor < 2 or image.mode not in REDUCIBLE_MODES:
        return image
    return image.reduce(factor)


def _to_rgb(image: Image.Image, notes: list[str]) -> Image.Image:
    """Upright, opaque, 8-bit RGB, noting every conversion."""
    rotated = ImageOps.exif_transpose(image)
    if rotated is not image and image.getexif().get(0x0112, 1) != 1:
        notes.append("Rotated upright as its EXIF orientation asks.")
    image = rotated
    mode = image.mode
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        notes.append("Palette colours expanded to RGB.")
        mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        high = 65535.0 if mode.startswith("I;16") or values.max() > 255 else 255.0
        grey = np.clip(values / high * 255.0, 0, 255).astype(np.uint8)
        notes.append(f"{'16-bit' if high > 255 else 'High-precision'} grey values scaled to 0–255.")
        return Image.fromarray(grey).convert("RGB")
    if mode == "CMYK":
        notes.append("CMYK (print) colours converted to RGB.")
        return image.convert("RGB")
    if mode in ("RGBA", "LA", "PA") or (mode in ("RGB", "L") and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        notes.append("Transparent areas drawn on white.")
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _to_working_size(image: Image.Image, original: tuple[int, int], side: int, notes: list[str]) -> LoadedImage:
    """``image`` (``original`` pixels when it was opened) with its longest side at most ``side``."""
    width, height = image.size
    if max(width, height) > side:
        scale = side / max(width, height)
        image = image.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.LANCZOS)
    if max(original) > side:
        notes.append(f"Scaled down from {original[0]}×{original[1]} to {image.size[0]}×{image.size[1]} pixels "
                     "to stay interactive.")
    return LoadedImage(pixels=np.asarray(image, dtype=np.float32), notes=notes)


def to_grayscale(pixels: np.ndarray) -> np.ndarray:
    """Luma of an (H, W, 3) image (ITU-R BT.601 weights), as (H, W, 1) in the same units.

    A grey image (three equal channels) keeps its exact values, so small integers stay integers.
    """
    if np.array_equal(pixels[:, :, 0], pixels[:, :, 1]) and np.array_equal(pixels[:, :, 0], pixels[:, :, 2]):
        return pixels[:, :, :1].astype(np.float32)
    weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return (pixels @ weights)[:, :, None].astype(np.float32)
