"""The devices TensorFlow sees, asked once per process (pages redraw often; the answer does not change)."""

from __future__ import annotations

import streamlit as st


@st.cache_data(show_spinner=False)
def cached_device_report():
    """``engine.device.device_report()``, cached (imports TensorFlow on first use)."""
    from engine.device import device_report

    return device_report()
