"""Deep Learning Playground: the entry point (navigation only).

Run with ``streamlit run app.py``.
"""

from pathlib import Path

import streamlit as st

from ui.catalogue import HOME, sections
from ui.runtime import keep_keras_state, start_warmup

st.set_page_config(page_title="Deep Learning Playground", page_icon=":material/neurology:", layout="wide")
st.html(Path(__file__).parent / "assets" / "app.css")  # style only: takes no room on the page
keep_keras_state()
start_warmup()
PAGES = (  # every page, in navigation order; sections, titles and icons come from ui/catalogue.py
    "pages/home.py",
    "pages/network_playground.py",
    "pages/convolution_lab.py", "pages/cnn_lab.py", "pages/transfer_learning.py",
    "pages/autoencoder_lab.py", "pages/gan_lab.py", "pages/image_gan.py", "pages/rbm_lab.py",
    "pages/rl_lab.py",
    "pages/hardware.py",
)
st.navigation({
    section: [st.Page(lab.path, title=lab.title, icon=lab.icon, default=lab is HOME) for lab in labs]
    for section, labs in sections(PAGES).items()
}).run()
