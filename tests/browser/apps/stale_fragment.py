"""A page whose slow live view redraws five times a second and whose other branch ends in ``st.stop()``.

The browser test flips the toggle while the view draws: the server starts the page's run only
when the view's run ends, so timer ticks sent meanwhile queue behind the page's run and must not
draw the old view over the message that run left (as on a loaded server).
"""

import time

import streamlit as st

from ui.runtime import enter_page, page_fragment

enter_page()
if st.toggle("Stop early", key="stop_early"):
    st.info("The page stopped here.")
    st.stop()


def slow_view() -> None:
    time.sleep(0.5)
    st.markdown(f"Live view at {time.monotonic():.1f} s")


page_fragment(slow_view, 0.2)
