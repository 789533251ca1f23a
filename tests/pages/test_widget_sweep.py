"""AppTest: every option of every select box and radio, chosen by widget as a learner does, then Step and Play.

A share link seeds every control before the page draws, so links never hit the states a
learner reaches by clicking: a control that appears only for some choices (a network's units
for a deep agent), a choice that another choice removes, a page left and come back to. These
tests drive the widgets themselves, in several orders, and fail on any exception.
"""

import random

import pytest
from streamlit.runtime.state.common import TESTING_KEY

from tests.pages.test_pages import PAGES, metric, open_page

LAB_PAGES = [page for page in PAGES if page != "home.py"]
ORDERS = ("forward", "backward", "shuffled")
LIGHT_OPTIONS = 2  # options tried per widget in the backward and shuffled sweeps (all of them forward)
# Choices that would download data on a machine with internet access: offline they fall back
# to the digits with a note (tested in the vision tests), so the sweep skips them.
DOWNLOADS = ("mnist", "fashion_mnist")


def choosers(app) -> dict[str, object]:
    """The page's keyed select boxes and radios right now, by key."""
    return {widget.key: widget for widget in [*app.selectbox, *app.radio] if widget.key}


def is_disabled(widget) -> bool:
    """Whether the page shows this widget greyed out, so a learner cannot change it."""
    return bool(getattr(widget.proto, "disabled", False))


def choose_options(app, key: str, order: str, rng: random.Random) -> None:
    """Pick options of one widget in turn, as a click does, checking every run.

    Forward: every option, first to last. Backward and shuffled: up to ``LIGHT_OPTIONS`` of
    them, last first or at random, so the three sweeps reach different combinations.
    """
    widget = choosers(app).get(key)
    if widget is None or is_disabled(widget):  # hidden or locked by an earlier choice
        return
    indexes = list(range(len(widget.options)))
    if order == "backward":
        indexes = indexes[::-1][:LIGHT_OPTIONS]
    elif order == "shuffled":
        indexes = rng.sample(indexes, min(LIGHT_OPTIONS, len(indexes)))
    for index in indexes:
        widget = choosers(app).get(key)
        if widget is None or is_disabled(widget) or index >= len(widget.options):
            return
        label = widget.options[index]
        if any(name in label.lower().replace("-", "_") for name in DOWNLOADS):
            continue
        click_option(app, widget, index)
        assert not app.exception, f"{key} → {label}: {app.exception}"


def click_option(app, widget, index: int) -> None:
    """Choose option ``index`` the way the browser does: by sending its label.

    AppTest maps a value through the page's ``format_func`` to find the label; sending the
    label itself needs that mapping to be the identity for this one run.
    """
    app.session_state[TESTING_KEY][widget.id] = str
    widget.set_value(widget.options[index]).run()


def train_a_little(app) -> None:
    """Step once, then Play and Pause, with whichever run buttons the page shows."""
    for button in app.button:
        if button.key and button.key.endswith("_step"):
            button.click().run()
            assert not app.exception, f"{button.key}: {app.exception}"
    for label in ("Play", "Pause"):  # one button, labelled by what a click does
        for button in app.button:
            if button.key and button.key.endswith("_play") and button.label == label:
                button.click().run()
                assert not app.exception, f"{button.key} ({label}): {app.exception}"


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("page", LAB_PAGES)
def test_every_choice_by_widget_then_training_raises_nothing(page, order):
    app = open_page(page)
    assert not app.exception, app.exception
    rng = random.Random(page)
    keys = sorted(choosers(app))
    if order == "backward":
        keys.reverse()
    elif order == "shuffled":
        rng.shuffle(keys)
    for key in keys:
        choose_options(app, key, order, rng)
    train_a_little(app)
    assert not app.exception, app.exception


# One setting per lab, changed by widget before the tour: (widget type, key, value).
TOUR_SETTINGS = {
    "network_playground.py": [("number_input", "pg_num_layers", 3), ("selectbox", "pg_data", "spiral")],
    "convolution_lab.py": [("selectbox", "cv_padding", "same")],
    "cnn_lab.py": [("select_slider", "cnn_batch", 64)],
    "transfer_learning.py": [("number_input", "tl_labelled", 3)],
    "autoencoder_lab.py": [("slider", "ae_latent", 4)],
    "gan_lab.py": [("selectbox", "gan_target", "spiral")],
    "image_gan.py": [("slider", "dcgan_noise", 8)],
    "rbm_lab.py": [("slider", "rbm_k", 3)],
    "rl_lab.py": [("selectbox", "rl_env", "Gridworld"), ("selectbox", "rl_agent", "q_learning")],
    "hardware.py": [("select_slider", "hw_matmul", 512)],
}


def test_settings_and_runs_survive_a_tour_of_every_page():
    app = open_page("home.py")
    for page, settings in TOUR_SETTINGS.items():
        app.switch_page(f"pages/{page}")
        app.run()
        for kind, key, value in settings:
            getattr(app, kind)(key=key).set_value(value).run()
            assert not app.exception, f"{page} {key}: {app.exception}"
        if page in ("network_playground.py", "rl_lab.py"):
            app.button(key="pg_step" if page == "network_playground.py" else "rl_step").click().run()
    for _ in range(2):
        for page in ["home.py", *LAB_PAGES]:
            app.switch_page(f"pages/{page}")
            app.run()
            assert not app.exception, f"{page}: {app.exception}"
            assert not app.error, f"{page}: {[item.value for item in app.error]}"
            for kind, key, value in TOUR_SETTINGS.get(page, []):
                assert getattr(app, kind)(key=key).value == value, (page, key)
            if page in ("network_playground.py", "rl_lab.py"):
                assert metric(app, "Epoch" if page == "network_playground.py" else "Episode") == "1"  # the same run
