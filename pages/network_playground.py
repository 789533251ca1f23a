"""Network Playground: train a small dense network on 2-D data and watch it learn, live."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from engine.data.features import FEATURES
from engine.data.planar import DATASETS
from engine.models.mlp import layer_table
from engine.playground.baseline import compare_with_sklearn
from engine.playground.export import export_script
from engine.playground.settings import UPLOAD, PlaygroundSettings, from_query_params, to_query_params
from engine.playground.task import hidden_layer_names, make_run, observe, output_units, prepare_data, run_settings
from engine.training.metrics import confusion_matrix, regression_scores
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.devices import cached_device_report
from ui.feed import Metric
from ui.figures import confusion_figure, curves_figure
from ui.jobs import job_result, start_job
from ui.lessons import lesson
from ui.links import open_lab, page_section, section_param, stop_on_bad_input, write_url
from ui.live import lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons, layer_table_view
from ui.playground_controls import (
    data_controls,
    network_controls,
    seed_widgets,
    settings_from_widgets,
    training_controls,
)
from ui.playground_figures import boundary_figure, network_figure

LAB = "playground"
DEFAULT_SPEED = "10 epochs per frame"  # at full speed the circle is solved before the first frame
SECTIONS = ("Compare with scikit-learn", "Export and share", "Model summary")


def read_link(params: dict[str, str]) -> tuple[PlaygroundSettings, list[str]]:
    """Settings from a share link; a link made with uploaded points opens on the circle."""
    settings, warnings = from_query_params(params)
    if settings.dataset == UPLOAD:
        warnings.append("This link was made with uploaded points, which links cannot carry: showing the circle.")
        settings = replace(settings, dataset="circle")
    return settings, warnings


def playground_data(settings: PlaygroundSettings):
    """The data for the current structure, kept in the session until the structure changes."""
    key = (settings.structure(), st.session_state.get("pg_upload_digest"))
    cached = st.session_state.get("pg_prepared")
    if cached is None or cached[0] != key:
        cached = (key, prepare_data(settings, st.session_state.get("pg_uploaded")))
        st.session_state["pg_prepared"] = cached
    return cached[1]


def trainer_for(settings: PlaygroundSettings, data) -> tuple[Trainer, bool]:
    """This session's playground trainer, rebuilt when data, features or layers change."""
    layers = hidden_layer_names(settings)

    def view(run):
        return observe(run, data, layers)

    return lab_trainer(
        LAB, (settings.structure(), st.session_state.get("pg_upload_digest")),
        lambda: make_run(settings, data), view, run_settings(settings),
    )


def view_options() -> dict:
    """How the live views draw: a row of toggles kept outside the redrawn part of the page (drawn below it).

    Widgets inside the live fragment would be re-sent with every frame; out here they cost
    nothing while training, and changing one redraws the page once.
    """
    test, discretize, smoothing, log_scale = st.columns([1, 1, 2, 1], vertical_alignment="center")
    return {
        "show_test": test.toggle("Show test points", key="pg_show_test", persist_state="session"),
        "discretize": discretize.toggle("Discretize output", key="pg_discretize", persist_state="session"),
        "smoothing": smoothing.slider("Curve smoothing", 0.0, 0.99, 0.0, 0.01, key="pg_smoothing",
                                      persist_state="session"),
        "log_scale": log_scale.toggle("Log-scale loss", key="pg_log", persist_state="session"),
    }


def live_views(trainer: Trainer, data, settings: PlaygroundSettings, options: dict) -> None:
    """Metrics, network diagram, output map and curves; redrawn on a timer while playing."""
    live_fragment(trainer, "pg", lambda snapshot: _draw_views(snapshot, data, settings, options))


def _draw_views(snapshot, data, settings: PlaygroundSettings, options: dict) -> None:
    """One frame of the live views: like TensorFlow Playground, the network, the output and the
    curves fit on one screen with the run controls above them."""
    device = cached_device_report().training_device
    live_metrics(lambda shown: _metrics(shown, data, device), "pg_metrics", snapshot)
    run_message(snapshot)
    view = snapshot.view
    if view is None:
        return
    left, right = st.columns([1.15, 1])
    labels = [FEATURES[name] for name in settings.features]
    live_chart(lambda shown: network_figure(labels, shown.view.feature_grids, shown.view.neuron_grids,
                                            shown.view.output_neuron_grid, shown.view.kernels, shown.view.biases,
                                            data.problem),
               "pg_network", snapshot, left, config={"displayModeBar": False})
    metrics = ("loss",) if data.problem == "regression" else ("loss", "accuracy")
    live_chart(lambda shown: curves_figure(shown.history, metrics, options["smoothing"], options["log_scale"],
                                           height=200),
               "pg_curves", snapshot, left, config={"displayModeBar": False})
    test = (data.test_points, data.test_labels) if options["show_test"] else None
    live_chart(lambda shown: boundary_figure(shown.view.output_grid, data.bounds, data.problem,
                                             (data.train_points, data.train_labels), test, options["discretize"],
                                             class_names=data.class_names, height=400),
               "pg_boundary", snapshot, right, config={"displayModeBar": False})
    _scores(view, data)


def _metrics(snapshot, data, device: str) -> list[Metric]:
    """The row above the charts; ``device`` is where training runs."""
    latest = snapshot.latest
    metrics = [
        Metric("Epoch", f"{snapshot.epoch:,}"),
        Metric("Train loss", f"{latest['loss']:.4f}" if "loss" in latest else "–"),
        Metric("Test loss", f"{latest['val_loss']:.4f}" if "val_loss" in latest else "–"),
    ]
    if data.problem == "regression":
        scores = regression_scores(data.test_labels, snapshot.view.test_predictions) if snapshot.view else None
        metrics += [Metric("Test R²", f"{scores[0]:.3f}" if scores else "–"),
                    Metric("Test RMSE", f"{scores[1]:.3f}" if scores else "–")]
    else:
        metrics += [Metric("Train accuracy", f"{latest['accuracy']:.1%}" if "accuracy" in latest else "–"),
                    Metric("Test accuracy", f"{latest['val_accuracy']:.1%}" if "val_accuracy" in latest else "–")]
    return [*metrics, Metric("Epochs / s", f"{snapshot.epochs_per_second:,.0f}" if snapshot.playing else "–",
                             help=f"Training on {device}")]


def _scores(view, data) -> None:
    if data.problem == "regression":
        return
    # Drawn only while open: a hidden chart would still cost every browser a redraw per frame.
    expander = st.expander("Confusion matrix (test points)", key="pg_confusion_open", on_change="rerun")
    if expander.open:
        matrix = confusion_matrix(data.test_labels, view.test_predictions, data.num_classes)
        expander.plotly_chart(confusion_figure(matrix, data.class_names), key="pg_confusion")


def compare_tab(trainer: Trainer, settings: PlaygroundSettings, data) -> None:
    st.markdown(lesson("playground", "compare"))
    if st.button("Train scikit-learn's network on the same split", key="pg_compare"):
        start_job("pg_baseline", lambda report: (settings, compare_with_sklearn(settings, data, report=report)))
    stored = job_result("pg_baseline", "scikit-learn is training")
    if not stored:
        return
    if stored[0] != settings:
        st.caption("The settings changed since this comparison: train again to update it.")
    result = stored[1]
    snapshot = trainer.snapshot()
    ours, theirs = st.columns(2)
    with ours:
        ours_score = snapshot.latest.get("val_accuracy")
        if data.problem == "regression" and snapshot.view is not None:
            ours_score = regression_scores(data.test_labels, snapshot.view.test_predictions)[0]
        st.metric(f"Keras (epoch {snapshot.epoch}) test {result.score_name}",
                  _score_text(ours_score, result.score_name) if ours_score is not None else "–")
        if snapshot.view is not None:
            st.plotly_chart(boundary_figure(snapshot.view.output_grid, data.bounds, data.problem,
                                            (data.train_points, data.train_labels), None), key="pg_compare_ours")
    with theirs:
        st.metric(f"scikit-learn ({result.activation}, {result.seconds:.1f} s) test {result.score_name}",
                  _score_text(result.score, result.score_name))
        st.plotly_chart(boundary_figure(result.output_grid, data.bounds, data.problem,
                                        (data.train_points, data.train_labels), None), key="pg_compare_sklearn")
    if result.note:
        st.caption(result.note)


def _score_text(score: float, name: str) -> str:
    """Accuracy as a percentage, as the metrics row shows it; R² as a number."""
    return f"{score:.1%}" if name == "accuracy" else f"{score:.3f}"


def export_tab(trainer: Trainer, settings: PlaygroundSettings) -> None:
    st.markdown(lesson("playground", "export"))
    uploaded = st.session_state.get("pg_uploaded")
    export_buttons("pg", "playground", trainer, script=lambda: export_script(settings, uploaded))
    if settings.dataset == UPLOAD:
        st.warning("Links cannot carry uploaded points: the link opens with the circle data set instead.")
    base = st.context.url or ""
    st.markdown("**Share link**: every setting and the seed (same data, same initial weights).")
    st.code(f"{base}?{urlencode(to_query_params(settings))}", language=None)


def main() -> None:
    open_lab("pg", "Network Playground", lesson("playground", "intro"), read_link, seed_widgets)
    data_controls()
    network_controls()
    state = st.session_state
    uploaded = state.get("pg_uploaded")
    from_upload = state["pg_data"] == UPLOAD and uploaded is not None
    total = len(uploaded.points) if from_upload else state["pg_points"]
    problem = uploaded.problem if from_upload else DATASETS[state["pg_data"]].problem
    training_controls(num_train=max(1, round(total * state["pg_train"] / 100)), problem=problem)
    with stop_on_bad_input():
        settings = settings_from_widgets()
        data = playground_data(settings)
        trainer, rebuilt = trainer_for(settings, data)
    rows = layer_table(settings.network, len(settings.features), data.problem, data.num_classes)
    total_parameters = sum(row.parameters for row in rows)
    outputs = output_units(data)
    st.caption(
        f"{len(settings.features)} inputs → {' → '.join(map(str, settings.network.hidden_units)) or 'no hidden layer'}"
        f" → {outputs} output{'s' if outputs > 1 else ''} · {total_parameters:,} parameters"
        + (" · rebuilt for the new data, features or layers" if rebuilt and state.get("pg_seen_once") else "")
        + (f" · early stopping watches {len(data.validation_points)} training points held back as a validation "
           "split (the test points stay unseen)" if len(data.validation_points) else "")
    )
    state["pg_seen_once"] = True
    run_controls(trainer, "pg", default_speed=DEFAULT_SPEED)
    views = st.container()
    options = view_options()
    with views:
        live_views(trainer, data, settings, options)
    section = page_section("pg", SECTIONS)
    if section == "Compare with scikit-learn":
        compare_tab(trainer, settings, data)
    elif section == "Export and share":
        export_tab(trainer, settings)
    else:
        layer_table_view(rows)
    write_url({**to_query_params(settings), **section_param("pg", SECTIONS)})


main()
