"""Deep Learning Playground: the entry point (navigation only).

Run with ``streamlit run app.py``.
"""

from pathlib import Path

import streamlit as st

from ui.catalogue import lab_at
from ui.runtime import keep_keras_state, start_warmup


def page(path: str, default: bool = False) -> st.Page:
    """The page at ``path``, titled as the catalogue names it."""
    lab = lab_at(path)
    return st.Page(path, title=lab.title, icon=lab.icon, default=default)


st.set_page_config(page_title="Deep Learning Playground", page_icon=":material/neurology:", layout="wide")
st.html(Path(__file__).parent / "assets" / "app.css")  # style only: takes no room on the page
keep_keras_state()
start_warmup()
st.navigation({
    "Start": [page("pages/home.py", default=True)],
    "Networks": [page("pages/network_playground.py")],
    "Vision": [page("pages/convolution_lab.py"), page("pages/cnn_lab.py"), page("pages/transfer_learning.py")],
    "Generative": [page("pages/autoencoder_lab.py"), page("pages/gan_lab.py"), page("pages/image_gan.py"),
                   page("pages/rbm_lab.py")],
    "Agents": [page("pages/rl_lab.py")],
    "Hardware": [page("pages/hardware.py")],
}).run()
