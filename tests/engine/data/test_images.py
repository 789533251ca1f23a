"""Images: bundled samples and every kind of upload, good and bad."""

import io
import struct

import numpy as np
import pytest
from PIL import Image

from engine.data.images import SAMPLE_IMAGES, WORKING_SIDE, decoded_pixels, load_sample, load_upload, to_grayscale


def encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("name", list(SAMPLE_IMAGES))
def test_every_sample_loads_offline_as_rgb_in_its_units(name):
    image = load_sample(name)
    assert image.pixels.ndim == 3 and image.pixels.shape[2] == 3 and image.pixels.dtype == np.float32
    assert max(image.pixels.shape[:2]) <= WORKING_SIDE
    assert image.value_range[0] <= image.pixels.min() and image.pixels.max() <= image.value_range[1]


def test_the_digit_keeps_its_0_to_16_values_and_the_course_example_its_integers():
    digit = to_grayscale(load_sample("Digit 8×8").pixels)
    assert digit.shape == (8, 8, 1) and digit.max() <= 16 and np.array_equal(digit, digit.round())
    course = to_grayscale(load_sample("Course example 3×3").pixels)[:, :, 0]
    np.testing.assert_array_equal(course, [[3, 2, 1], [1, 2, 3], [1, 1, 1]])


@pytest.mark.parametrize("format", ["PNG", "JPEG", "WEBP", "BMP", "GIF"])
def test_every_accepted_format_decodes(format):
    image = Image.new("RGB", (20, 10), (200, 100, 50))
    loaded = load_upload(encode(image, format))
    assert loaded.pixels.shape == (10, 20, 3)


def test_exif_rotation_is_applied():
    image = Image.new("RGB", (30, 10), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    loaded = load_upload(encode(image, "JPEG", exif=exif.tobytes()))
    assert loaded.pixels.shape[:2] == (30, 10) and any("EXIF" in note for note in loaded.notes)


def test_transparency_is_drawn_on_white():
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    loaded = load_upload(encode(image, "PNG"))
    np.testing.assert_array_equal(loaded.pixels[0, 0], [255, 255, 255])
    assert any("white" in note for note in loaded.notes)


def test_palette_16_bit_and_cmyk_become_rgb():
    palette = Image.new("P", (4, 4), 3)
    assert load_upload(encode(palette, "PNG")).pixels.shape == (4, 4, 3)
    deep = Image.fromarray(np.full((4, 4), 65535, dtype=np.uint16))
    loaded = load_upload(encode(deep, "PNG"))
    assert loaded.pixels.max() == 255 and any("16-bit" in note for note in loaded.notes)
    cmyk = Image.new("CMYK", (4, 4), (0, 255, 255, 0))  # pure red in print colours
    loaded = load_upload(encode(cmyk, "JPEG"))
    assert loaded.pixels[0, 0, 0] > 200 and loaded.pixels[0, 0, 1] < 60


def test_an_animated_gif_uses_its_first_frame():
    frames = [Image.new("RGB", (6, 6), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    loaded = load_upload(data)
    assert loaded.pixels[0, 0, 0] > 200 and any("first of 2 frames" in note for note in loaded.notes)


def test_big_images_are_scaled_down_and_say_so():
    loaded = load_upload(encode(Image.new("RGB", (2000, 1000)), "PNG"))
    assert loaded.pixels.shape == (256, 512, 3)
    assert "Scaled down from 2000×1000 to 512×256" in loaded.notes[-1]


def test_a_40_megapixel_jpeg_decodes_reduced_and_still_looks_the_same():
    """The decoder scales it by 8 (1000×625 decoded, not 40 million pixels); the picture is unchanged."""
    left_dark = Image.new("RGB", (8000, 4999), (240, 240, 240))
    left_dark.paste((10, 10, 10), (0, 0, 4000, 4999))
    data = encode(left_dark, "JPEG")
    assert decoded_pixels(data) == 1000 * 625
    loaded = load_upload(data)
    assert loaded.pixels.shape == (320, 512, 3)
    assert loaded.pixels[:, :250].mean() < 30 and loaded.pixels[:, 262:].mean() > 220
    assert "Scaled down from 8000×4999 to 512×320" in loaded.notes[-1]


def test_a_big_png_is_averaged_down_before_its_conversions_and_keeps_its_orientation():
    image = Image.new("RGBA", (3000, 1000), (0, 0, 0, 255))
    image.paste((255, 255, 255, 0), (0, 0, 1500, 1000))  # transparent left half: drawn on white
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view: the left half becomes the top half
    data = encode(image, "PNG", exif=exif.tobytes())
    assert decoded_pixels(data) == 3000 * 1000  # PNG has no reduced decoding: it counts in full
    loaded = load_upload(data)
    assert loaded.pixels.shape == (512, 171, 3)
    assert loaded.pixels[:250].mean() > 250 and loaded.pixels[262:].mean() < 5
    assert any("EXIF" in note for note in loaded.notes) and any("white" in note for note in loaded.notes)


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares a huge size (a decompression bomb) with no real pixels."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"hello, not an image", "not an image"),
    (b"\x00" * (11 * 1024 * 1024), "up to 10 MB"),
    (png_header_claiming(50_000, 50_000), "more pixels than is safe|megapixels"),
    (png_header_claiming(9000, 5000), "megapixels"),
])
def test_bad_uploads_are_refused_with_a_message(data, message):
    with pytest.raises(ValueError, match=message):
        load_upload(data)


def test_a_truncated_file_is_reported_as_damaged():
    data = encode(Image.new("RGB", (64, 64), (10, 20, 30)), "PNG")
    with pytest.raises(ValueError, match="damaged or truncated"):
        load_upload(data[: len(data) // 2])


def test_a_tiff_is_refused_by_format():
    with pytest.raises(ValueError, match="TIFF images are not accepted"):
        load_upload(encode(Image.new("RGB", (4, 4)), "TIFF"))
