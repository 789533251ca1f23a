"""Deep Learning Playground: the entry point (navigation only).

Run with ``streamlit run app.py``.
"""

import streamlit as st

from ui.runtime import keep_keras_state, start_warmup

st.set_page_config(page_title="Deep Learning Playground", page_icon="🧠", layout="wide")
keep_keras_state()
start_warmup()
st.navigation({
    "Start": [st.Page("pages/home.py", title="Home", icon="🏠", default=True)],
    "Networks": [st.Page("pages/network_playground.py", title="Network Playground", icon="🕸️")],
    "Vision": [
        st.Page("pages/convolution_lab.py", title="Convolution lab", icon="🔲"),
        st.Page("pages/cnn_lab.py", title="CNN lab", icon="🧩"),
        st.Page("pages/transfer_learning.py", title="Transfer learning", icon="🔁"),
    ],
    "Generative": [
        st.Page("pages/autoencoder_lab.py", title="Autoencoders and VAEs", icon="🌀"),
        st.Page("pages/gan_lab.py", title="GAN lab (2-D)", icon="⚔️"),
        st.Page("pages/image_gan.py", title="Image GAN", icon="🖼️"),
        st.Page("pages/rbm_lab.py", title="RBMs and deep belief nets", icon="🎲"),
    ],
    "Agents": [st.Page("pages/rl_lab.py", title="Reinforcement learning", icon="🕹️")],
    "Hardware": [st.Page("pages/hardware.py", title="GPU vs CPU", icon="⚡")],
}).run()
