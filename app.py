"""Deep Learning Playground: the entry point (navigation only).

Run with ``streamlit run app.py``. Streamlit finds the ``st.App`` below and serves this script
with the live feed's route beside it (``ui.feed``); each visit then runs the script as
``__main__``, which draws the navigation.
"""

from pathlib import Path

import streamlit as st

from ui.catalogue import HOME, sections
from ui.feed import feed_routes
from ui.runtime import keep_keras_state, start_warmup

PAGES = (  # every page, in navigation order; sections, titles and icons come from ui/catalogue.py
    "pages/home.py",
    "pages/network_playground.py",
    "pages/convolution_lab.py", "pages/cnn_lab.py", "pages/transfer_learning.py",
    "pages/autoencoder_lab.py", "pages/gan_lab.py", "pages/image_gan.py", "pages/rbm_lab.py",
    "pages/recurrence_unrolled.py", "pages/forecasting_race.py", "pages/char_language_model.py",
    "pages/inside_the_cell.py", "pages/character_embeddings.py",    "pages/vanishing_gradients.py", "pages/seq2seq_attention.py",
    "pages/rl_lab.py",
    "pages/hardware.py",
)


def main() -> None:
    """One run of the app: page set-up, then the chosen page inside the navigation."""
    st.set_page_config(page_title="Deep Learning Playground", page_icon=":material/neurology:", layout="wide")
    st.html(Path(__file__).parent / "assets" / "app.css")  # style only: takes no room on the page
    keep_keras_state()
    start_warmup()
    st.navigation({
        section: [st.Page(lab.path, title=lab.title, icon=lab.icon, default=lab is HOME) for lab in labs]
        for section, labs in sections(PAGES).items()
    }).run()


if __name__ == "__main__":
    main()
else:  # imported by the server (`streamlit run app.py`): Streamlit and the live feed's route
    app = st.App(__file__, routes=feed_routes(st.get_option("server.baseUrlPath")))
    start_warmup()  # as the server starts, not at its first visit: the first learner finds the networks compiled
