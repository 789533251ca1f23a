"""Click through the app as a person would, in headless Chromium."""

import time
import urllib.parse

import pytest

from tests.browser.conftest import (
    TIMEOUT_MS,
    chart_line,
    epoch,
    play_until_epoch,
    press,
    running_server,
    wait_for_epoch,
    wait_until_idle,
)
from tests.pages.test_pages import points_csv

pytestmark = pytest.mark.browser


def loss_curve(page) -> str:
    return chart_line(page, "pg_curves")


def test_home_page_shows_the_labs_and_the_device(server, page):
    page.goto(server)
    wait_until_idle(page)
    page.get_by_role("heading", name="Deep Learning Playground").wait_for()
    page.get_by_text("Network Playground").first.wait_for()
    page.get_by_text("TensorFlow", exact=False).first.wait_for()


def test_play_trains_live_and_pause_stops(server, page):
    page.goto(f"{server}/network_playground")
    wait_until_idle(page)
    first_epoch, first_curve = play_until_epoch(page, 50), loss_curve(page)
    time.sleep(1.5)
    assert epoch(page) > first_epoch  # the counter moves by itself: live updates
    assert loss_curve(page) != first_curve  # and so does the loss chart
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_until_idle(page)
    time.sleep(0.5)
    stopped_epoch, stopped_curve = epoch(page), loss_curve(page)
    time.sleep(1.5)
    assert epoch(page) == stopped_epoch
    assert loss_curve(page) == stopped_curve


def test_a_share_link_as_the_servers_first_request_opens_inside_the_app(page):
    # Streamlit runs a pages/ file on its own when a fresh server's first request names it;
    # the page must still get app.py's navigation and the link's settings.
    with running_server() as url:
        page.goto(f"{url}/network_playground?data=xor&layers=3&activations=relu")
        wait_until_idle(page)
        page.get_by_text("2 inputs → 3 → 1 output", exact=False).wait_for()
        navigation = page.locator('[data-testid="stSidebarNav"]')
        assert "Networks" in navigation.inner_text()  # the section header only app.py defines
        assert page.title() == "Deep Learning Playground"  # app.py's page config


def test_an_uploaded_csv_becomes_the_data_and_trains(server, page):
    page.goto(f"{server}/network_playground")
    wait_until_idle(page)
    page.get_by_role("button", name="Play", exact=True).wait_for()
    page.get_by_text("Upload your own points (CSV)").click()
    upload = page.locator(".st-key-pg_upload_file input[type=file]")
    upload.set_input_files(files=[{"name": "circle.csv", "mimeType": "text/csv", "buffer": points_csv()}])
    page.wait_for_function(
        "() => document.querySelector('.st-key-pg_data input[role=combobox]').value === 'Uploaded CSV'")
    wait_until_idle(page)
    press(page, "Step")
    wait_for_epoch(page, 1)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "2 inputs → 4 → 2 → 1 output" in page.locator("body").inner_text()


def test_the_play_row_network_output_and_curves_fit_one_1440_by_900_screen(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(f"{server}/network_playground")
        wait_until_idle(page)
        press(page, "Step")
        wait_for_epoch(page, 1)
        for key in ("pg_network", "pg_boundary", "pg_curves"):
            page.locator(f".st-key-{key} .main-svg").first.wait_for()
        boxes = {name: page.locator(selector).first.bounding_box() for name, selector in (
            ("Play", ".st-key-pg_play button"), ("network", ".st-key-pg_network"),
            ("output", ".st-key-pg_boundary"), ("curves", ".st-key-pg_curves"))}
        for name, box in boxes.items():
            assert box["y"] >= 0 and box["y"] + box["height"] <= 900, (name, box)  # nothing below the fold
    finally:
        context.close()


def test_markup_in_a_share_link_shows_as_text_and_fetches_nothing(server, page):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url)
            if (urllib.parse.urlparse(request.url).hostname or "").endswith("evil.example") else None)
    hostile = "[Reset your password](https://evil.example/login) ![x](https://evil.example/p.png) www.evil.example"
    page.goto(f"{server}/network_playground?{urllib.parse.urlencode({'lr': hostile})}")
    wait_until_idle(page)
    page.get_by_text("[Reset your password]", exact=False).first.wait_for()  # the brackets show: no link
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator('img[src*="evil.example"]').count() == 0
    assert fetched == []
