"""The CNN lab in headless Chromium: classify a drawn or uploaded digit, and train on a zip of your own images."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.browser.conftest import draw_stroke, press, wait_for_epoch, wait_until_idle

pytestmark = pytest.mark.browser


def _choose_image_source(server, page, source: str, prompt: str) -> None:
    """Open the CNN lab, train one epoch, and pick where the explained image comes from."""
    page.goto(f"{server}/cnn_lab")
    wait_until_idle(page)
    press(page, "Step")
    page.get_by_text(source, exact=True).click()
    page.get_by_text(prompt).wait_for()


def _explained(page) -> None:
    """The chosen image is classified, with saliency maps, and nothing failed."""
    page.get_by_text("For this image the network says").wait_for()
    # the verdict's text can land a moment before Plotly has drawn the saliency chart beside it
    page.locator(".st-key-cnn_saliency .main-svg").first.wait_for()
    assert page.locator(".st-key-cnn_saliency .main-svg").count() > 0
    assert "Traceback" not in page.content()


def test_a_digit_drawn_on_the_canvas_is_classified_and_explained(server, page):
    _choose_image_source(server, page, "Draw one", "Draw a digit in the black square")
    draw_stroke(page, "cnn_canvas", [(112, 50 + step * 6) for step in range(21)])  # a vertical stroke, a "1"
    _explained(page)
    page.get_by_text("The network sees your drawing cropped to its ink").wait_for()
    assert page.get_by_text("Draw a digit in the black square").count() == 0


def test_an_uploaded_picture_of_a_digit_is_classified_and_explained(server, page):
    _choose_image_source(server, page, "Upload one", "Upload a picture")
    paper = np.full((120, 90), 235, np.uint8)  # a dark "1" on light paper
    paper[15:105, 40:52] = 25
    picture = io.BytesIO()
    Image.fromarray(paper).save(picture, "JPEG")
    upload = page.locator(".st-key-cnn_digit_upload input[type=file]")
    upload.set_input_files(files=[{"name": "one.jpg", "mimeType": "image/jpeg", "buffer": picture.getvalue()}])
    _explained(page)
    page.get_by_text("light and dark were swapped").wait_for()


VERTICAL = "[vertical](https:evil.example) <b>v"  # a folder name with markup (no slash): shown as text


def _digits_zip() -> bytes:
    """Two classes drawn as images: a vertical bar and a horizontal bar, six each."""
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, axis in ((VERTICAL, 0), ("horizontal", 1)):
            for index in range(6):
                pixels = np.zeros((16, 16), np.uint8)
                offset = 4 + int(rng.integers(0, 8))
                if axis == 0:
                    pixels[2:14, offset:offset + 2] = 255
                else:
                    pixels[offset:offset + 2, 2:14] = 255
                image = io.BytesIO()
                Image.fromarray(pixels).save(image, "PNG")
                archive.writestr(f"bars/{name}/{index}.png", image.getvalue())
        archive.writestr("bars/notes.txt", "not an image")
    return buffer.getvalue()


def test_a_zip_of_class_folders_becomes_the_training_data(server, page):
    page.goto(f"{server}/cnn_lab")
    wait_until_idle(page)
    page.get_by_text("Your images", exact=True).click()
    upload = page.locator(".st-key-cnn_zip input[type=file]")
    upload.set_input_files(files=[{"name": "bars.zip", "mimeType": "application/zip", "buffer": _digits_zip()}])
    page.wait_for_function("() => document.body.innerText.includes("
                           "'Skipped 1 file(s) that are not usable images: bars/notes.txt')")
    wait_until_idle(page)
    press(page, "Step")
    wait_for_epoch(page, 1)
    page.get_by_text("class horizontal").first.wait_for()  # the confusion matrix names the folders
    page.get_by_text(f"class {VERTICAL}").first.wait_for()  # as they are, tags and brackets included
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert "Traceback" not in page.content()
