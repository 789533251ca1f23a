"""A live view from an earlier page run never draws over a page that stopped before it."""

import pytest

from tests.browser.conftest import running_server, wait_for_rerun
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
LIGHT_APP_MS = 30_000  # the test page trains nothing: it answers within seconds even on a busy machine


def test_a_page_that_stops_early_keeps_its_message_while_the_old_view_ticks(page):
    with running_server(ROOT / "tests" / "browser" / "apps" / "stale_fragment.py") as url:
        page.goto(url)
        page.get_by_text("Live view at").wait_for()
        for _ in range(3):
            page.get_by_text("Stop early").click()
            wait_for_rerun(page)
            page.get_by_text("The page stopped here.").wait_for(timeout=LIGHT_APP_MS)
            page.wait_for_timeout(1500)  # ticks queued behind the page's run have been answered by now
            assert page.get_by_text("The page stopped here.").is_visible()
            assert not page.get_by_text("Live view at").is_visible()
            page.get_by_text("Stop early").click()
            page.get_by_text("Live view at").wait_for(timeout=LIGHT_APP_MS)
