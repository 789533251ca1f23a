"""Home: what the playground is, one card per lab, and the devices TensorFlow trains on.

This page must appear fast, so it never imports TensorFlow itself: the device panel fills
in once the background warm-up (``ui.runtime``) has imported it.
"""

from __future__ import annotations

import streamlit as st

from ui.catalogue import HOME, sections
from ui.devices import cached_device_report
from ui.live import session_runs
from ui.runtime import enter_page, page_fragment, warmed_up


def device_panel() -> None:
    """TensorFlow and Keras versions, devices, and where training runs."""

    def panel() -> None:
        if not warmed_up.is_set():
            st.caption("Detecting devices while TensorFlow loads…")
            return
        report = cached_device_report()
        st.markdown(f"**TensorFlow** {report.tensorflow_version} · **Keras** {report.keras_version}")
        for device in report.devices:
            st.markdown(f"- `{device.name}` ({device.kind}){' — ' + device.details if device.details else ''}")
        if report.has_gpu:
            st.success(f"Training runs on the GPU ({report.training_device}), with memory growth enabled.")
        else:
            st.info(f"No GPU visible: training runs on the CPU ({report.cpu_count} cores). "
                    "See the README for GPU support.")
        st.caption(report.platform)

    page_fragment(panel, None if warmed_up.is_set() else 1.0)


enter_page()
session_runs()  # this browser's run id joins the URL: a reload here keeps the labs' runs
st.title("Deep Learning Playground")
st.markdown(
    "Learn deep learning by changing it and watching what happens. Every lab here trains real "
    "Keras models while you watch: drag a slider, press **Play**, and see the loss fall, the "
    "decision boundary bend and each neuron find its job. Everything runs on this machine, "
    "offline, and any setup can be shared as a link."
)
cards, device = st.columns([2, 1])
with cards:
    st.subheader("Labs")
    for section, labs in sections().items():
        if HOME in labs:
            continue
        st.markdown(f"**{section}**")
        for lab in labs:
            with st.container(border=True):
                st.page_link(lab.path, label=lab.title, icon=lab.icon)
                st.caption(lab.description)
with device:
    st.subheader("Device")
    with st.container(border=True):
        device_panel()
