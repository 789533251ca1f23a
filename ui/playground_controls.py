"""The playground's controls: widgets in, a ``PlaygroundSettings`` out.

Widget values live in ``st.session_state`` under ``pg_*`` keys. ``seed_widgets`` writes a
settings object into those keys (from a share link, once per session), and
``settings_from_widgets`` reads them back, so the two directions share one table of keys.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from engine.data.features import FEATURES, SCALINGS
from engine.data.planar import DATASETS
from engine.data.upload import parse_points_csv
from engine.fields import bounds, spec
from engine.models.mlp import ACTIVATIONS, INITIALIZERS, REGULARIZATIONS
from engine.playground.settings import LOSSES, UPLOAD, PlaygroundSettings
from engine.training.optimizers import MOMENTUM_OPTIMIZERS, OPTIMIZERS
from ui import links
from ui.lessons import lesson
from ui.text import literal

REGULARIZATION_RATES = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
SCALING_LABELS = {"none": "None", "standard": "Standardize (mean 0, sd 1)", "minmax": "Min-max to [-1, 1]"}
REGULARIZATION_LABELS = {"none": "None", "l1": "L1", "l2": "L2"}
LOSS_LABELS = {"auto": "Cross-entropy", "mse": "Squared error (classic playground)"}
REGRESSION_LOSS_LABELS = {"auto": "Squared error", "mse": "Squared error"}
DATASET_LABELS = {**{key: data.title for key, data in DATASETS.items()}, UPLOAD: "Uploaded CSV"}
LAYER_KEYS = ("layers", "activations", "dropout")  # one row of widgets per hidden layer


def seed_widgets(settings: PlaygroundSettings) -> None:
    """Set every control's value from settings (before the widgets are drawn).

    The network's layers are rows of widgets (units, activation, dropout per layer); noise is in percent.
    """
    network = settings.network
    links.seed_widgets("pg", settings, skip=LAYER_KEYS)
    state = st.session_state
    state.update(pg_noise=int(round(settings.noise * 100)), pg_num_layers=len(network.hidden_units))
    for index, (units, activation, rate) in enumerate(
        zip(network.hidden_units, network.activations, network.dropout_rates, strict=True)
    ):
        state[f"pg_units_{index}"], state[f"pg_activation_{index}"], state[f"pg_dropout_{index}"] = units, activation, rate


def _regenerate() -> None:
    st.session_state["pg_seed"] = int(st.session_state.get("pg_seed", 1)) + 1


def data_controls() -> None:
    """Data set, noise, size, split, seed, upload, features and scaling (in the sidebar)."""
    with st.sidebar:
        st.header("Data", help=lesson("playground", "data"))
        options = list(DATASET_LABELS) if "pg_uploaded" in st.session_state else list(DATASETS)
        st.selectbox("Data set", options, format_func=DATASET_LABELS.__getitem__, key="pg_data", persist_state="session")
        st.slider("Noise (%)", 0, int(bounds(PlaygroundSettings, "noise")[1] * 100), key="pg_noise", persist_state="session")
        st.slider("Points", *bounds(PlaygroundSettings, "points"), key="pg_points", persist_state="session", step=10,
                  disabled=st.session_state.get("pg_data") == UPLOAD)
        st.slider("Training share (%)", *bounds(PlaygroundSettings, "train"), key="pg_train", persist_state="session", step=5)
        seed_column, button_column = st.columns([2, 1], vertical_alignment="bottom")
        seed_column.number_input("Seed", *bounds(PlaygroundSettings, "seed"), key="pg_seed",
                                 persist_state="session", help="Fixes the points and the initial weights.")
        button_column.button("New", icon=":material/casino:", on_click=_regenerate, key="pg_regenerate",
                             help="Regenerate with the next seed")
        with st.expander("Upload your own points (CSV)"):
            _upload_control()
        st.header("Features", help=lesson("playground", "features"))
        st.multiselect("Inputs", list(FEATURES), format_func=FEATURES.__getitem__, key="pg_features", persist_state="session")
        st.selectbox("Scaling", SCALINGS, format_func=SCALING_LABELS.__getitem__, key="pg_scaling", persist_state="session")


def _upload_control() -> None:
    st.caption("Rows of `x1,x2,label`; integer labels (at most 5 classes) mean classification, "
               "other numbers regression. Up to 5,000 rows.")
    st.file_uploader("CSV file", type=["csv", "txt"], key="pg_upload_file", on_change=_read_upload)
    st.radio("Labels are", ["auto", "classification", "regression"], horizontal=True, key="pg_upload_problem",
             persist_state="session", on_change=_read_upload)
    if st.session_state.get("pg_upload_error"):
        st.error(literal(st.session_state["pg_upload_error"]))


def _read_upload() -> None:
    """Read a newly chosen CSV (a callback: it runs before the data set box is drawn, so it may switch it).

    A refused file leaves the points in use as they were and says why.
    """
    state = st.session_state
    file = state.get("pg_upload_file")
    if file is None:
        return
    content = file.getvalue()
    problem = state.get("pg_upload_problem", "auto")
    digest = hashlib.sha256(content + problem.encode()).hexdigest()[:16]
    if state.get("pg_upload_digest") == digest:
        return
    try:
        uploaded = parse_points_csv(content, problem)
    except ValueError as error:
        state["pg_upload_error"] = f"Could not use {file.name}: {error}"
        return
    state.update(pg_uploaded=uploaded, pg_upload_digest=digest, pg_data=UPLOAD, pg_upload_error="")


def training_controls(num_train: int, problem: str) -> None:
    """Loss, optimizer, learning rate, momentum, batching and stopping (in the sidebar).

    ``problem`` names the loss as it will be: a regression always uses squared error.
    """
    labels = REGRESSION_LOSS_LABELS if problem == "regression" else LOSS_LABELS
    with st.sidebar:
        st.header("Training", help=lesson("playground", "training"))
        st.selectbox("Loss", LOSSES, format_func=labels.__getitem__, key="pg_loss", persist_state="session",
                     disabled=problem == "regression", help=lesson("playground", "loss"))
        st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.__getitem__, key="pg_optimizer",
                     persist_state="session")
        st.select_slider("Learning rate", with_current(LEARNING_RATES, "pg_lr"), key="pg_lr", persist_state="session")
        st.slider("Momentum (Adam's β₁)", *bounds(PlaygroundSettings, "momentum"), key="pg_momentum", persist_state="session", step=0.01,
                  disabled=st.session_state.get("pg_optimizer") not in MOMENTUM_OPTIMIZERS)
        st.session_state["pg_batch"] = min(int(st.session_state.get("pg_batch", 10)), num_train)
        st.slider("Batch size", 1, max(2, num_train), key="pg_batch",
                  persist_state="session", help="The right end is the full batch.")
        st.toggle("Shuffle every epoch", key="pg_shuffle", persist_state="session")
        st.number_input("Early stopping patience (epochs, 0 = off)", *bounds(PlaygroundSettings, "patience"), key="pg_patience",
                        persist_state="session", step=10)
        st.number_input("Stop at epoch (0 = never)", *bounds(PlaygroundSettings, "max_epochs"), key="pg_max_epochs",
                        persist_state="session", step=100)
        st.header("Regularization", help=lesson("playground", "regularization"))
        st.selectbox("Penalty", REGULARIZATIONS, format_func=REGULARIZATION_LABELS.__getitem__, key="pg_reg",
                     persist_state="session")
        st.select_slider("Penalty rate", with_current(REGULARIZATION_RATES, "pg_reg_rate"), key="pg_reg_rate",
                         persist_state="session",
                         disabled=st.session_state.get("pg_reg") == "none")
        st.toggle("Batch normalization", key="pg_batchnorm", persist_state="session")
        st.selectbox("Weight initializer", INITIALIZERS, key="pg_init", persist_state="session")


def with_current(options: list, key: str) -> list:
    """The preset values plus the current one (a share link may carry any value), of the options' type."""
    current = st.session_state.get(key)
    return sorted(set(options) | ({type(options[0])(current)} if current is not None else set()))


def network_controls() -> None:
    """Hidden layers, one row each: units, activation and dropout (in the sidebar, between data and training)."""
    with st.sidebar:
        st.header("Network", help=lesson("playground", "network"))
        num_layers = st.number_input("Hidden layers", 0, spec(PlaygroundSettings, "layers").max_length,
                                     key="pg_num_layers", persist_state="session")
        if not num_layers:
            st.caption("No hidden layer: the network is one weighted sum of the features (logistic or linear "
                       "regression).")
            return
        widths = [1, 1.5, 1]
        for column, title in zip(st.columns(widths), ("Units", "Activation", "Dropout"), strict=True):
            column.caption(title)
        for index in range(num_layers):
            st.session_state.setdefault(f"pg_units_{index}", 4)
            st.session_state.setdefault(f"pg_activation_{index}", "tanh")
            st.session_state.setdefault(f"pg_dropout_{index}", 0.0)
            units, activation, dropout = st.columns(widths)
            units.number_input(f"Layer {index + 1} units", *bounds(PlaygroundSettings, "layers"), key=f"pg_units_{index}",
                               persist_state="session", label_visibility="collapsed")
            activation.selectbox(f"Layer {index + 1} activation", ACTIVATIONS, key=f"pg_activation_{index}",
                                 persist_state="session", label_visibility="collapsed")
            dropout.number_input(f"Layer {index + 1} dropout", *bounds(PlaygroundSettings, "dropout"), step=0.05, key=f"pg_dropout_{index}",
                                 persist_state="session", label_visibility="collapsed",
                                 help="Share of this layer's neurons silenced at each training step.")


def settings_from_widgets() -> PlaygroundSettings:
    """Read the controls into settings; raises ``ValueError`` for an impossible combination."""
    state = st.session_state
    depth = range(int(state["pg_num_layers"]))
    rows = {"layers": tuple(int(state[f"pg_units_{index}"]) for index in depth),
            "activations": tuple(state[f"pg_activation_{index}"] for index in depth),
            "dropout": tuple(float(state[f"pg_dropout_{index}"]) for index in depth)}
    features = tuple(name for name in FEATURES if name in state["pg_features"])
    return links.settings_from_widgets("pg", PlaygroundSettings,
                                       {**rows, "noise": state["pg_noise"] / 100, "features": features})
