"""The convolution lab in headless Chromium: typing a weight changes the output."""

import pytest

from tests.browser.conftest import only, wait_until_idle

pytestmark = pytest.mark.browser


def output_heatmap(page) -> str:
    """The feature map as Chromium drew it (the heatmap's image data)."""
    return page.locator(".st-key-cv_output_chart image").first.get_attribute("href") or ""


def test_editing_a_kernel_cell_changes_the_output_image(server, page):
    page.goto(f"{server}/convolution_lab?image=Course+example+3%C3%973&padding=same&pixel=1,1,0")
    wait_until_idle(page)
    page.get_by_text("One pixel, worked by hand").wait_for()
    page.get_by_text("= 2", exact=False).first.wait_for()
    before = output_heatmap(page)
    assert before
    # The grid is drawn on a canvas: click the cell (row 2, column 3), type, press Enter.
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    row_height = 35
    grid.click(position={"x": box["width"] * 5 / 6, "y": row_height * 1.5 + row_height})
    page.wait_for_timeout(300)  # the grid takes focus before it accepts keys
    page.keyboard.type("5")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "before => { const image = document.querySelector('.st-key-cv_output_chart image');"
        " return image && image.getAttribute('href') !== before; }", arg=before)
    wait_until_idle(page)
    page.get_by_text("= 11", exact=False).first.wait_for()  # 2 − 2·3 + 5·3 at the centre pixel
    # The kernel is the learner's own now: the preset no longer claims it.
    page.get_by_text("Your own weights: edit any cell.").wait_for()
    assert page.locator(".st-key-cv_preset input[role=combobox]").input_value() == "Custom"
    # A visit to another page keeps the edit.
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Home", exact=True).click()
    page.get_by_role("heading", name="Deep Learning Playground").wait_for()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Convolution lab", exact=True).click()
    wait_until_idle(page)
    page.get_by_text("One pixel, worked by hand").wait_for()
    page.get_by_text("= 11", exact=False).first.wait_for()


def test_clicking_the_feature_map_works_out_that_pixel(server, page):
    page.goto(f"{server}/convolution_lab?image=Digit+8%C3%978")  # Sobel x, valid: a 6×6 map
    wait_until_idle(page)
    page.get_by_text("TensorFlow's output at row 0, column 0").wait_for()
    plot_area = page.locator(".st-key-cv_output_chart .nsewdrag").first
    box = plot_area.bounding_box()
    plot_area.click(position={"x": box["width"] * 4.5 / 6, "y": box["height"] * 2.5 / 6})
    page.get_by_text("TensorFlow's output at row 2, column 4").wait_for()


def test_uploads_become_the_image_or_get_a_message(server, page):
    import io

    from PIL import Image

    page.goto(f"{server}/convolution_lab")
    wait_until_idle(page)
    upload = only(page.locator('[data-testid="stFileUploaderDropzoneInput"]'))
    upload.set_input_files(files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not really a png"}])
    # The reason stands under the uploader, and the refused file does not stay in it.
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("notes.png was not used: This file is not an image", exact=False).wait_for()
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSidebar\"]').innerText"
                           ".includes('notes.png\\n')")
    assert page.locator('[data-testid="stFileUploaderFile"]').count() == 0
    buffer = io.BytesIO()
    Image.new("RGBA", (900, 300), (255, 0, 0, 128)).save(buffer, format="PNG")
    upload.set_input_files(files=[{"name": "wide.png", "mimeType": "image/png", "buffer": buffer.getvalue()}])
    page.get_by_text("Scaled down from 900×300 to 512×171", exact=False).wait_for()
    page.get_by_text("Transparent areas drawn on white", exact=False).wait_for()
    assert page.get_by_text("This file is not an image").count() == 0
