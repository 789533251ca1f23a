"""CNN lab: build a convolutional network from a layer list, train it live, and look inside it."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine.data.image_folders import ZipImages, read_zip_images, zip_dataset
from engine.data.image_sets import ImageDataset
from engine.jobs import Report
from engine.training.metrics import confusion_matrix
from engine.training.trainer import Trainer
from engine.vision.cnn import layer_table
from engine.vision.cnn_export import export_script
from engine.vision.cnn_lab import (
    UPLOAD,
    CnnLabSettings,
    Saliency,
    conv_layer_names,
    feature_maps,
    from_query_params,
    make_run,
    misclassified,
    observe,
    run_settings,
    saliency,
    to_query_params,
)
from engine.vision.lime import LimeExplanation, explain
from ui.canvas import live_chart, live_metrics
from ui.cnn_controls import (
    LimeOptions,
    architecture_controls,
    image_choice,
    lime_controls,
    seed_widgets,
    settings_from_widgets,
    sidebar_controls,
)
from ui.feed import Metric
from ui.figures import confusion_figure, curves_figure
from ui.jobs import job_result, start_job
from ui.lessons import lesson
from ui.links import open_lab, page_section, section_param, stop_on_bad_input, write_url
from ui.live import (
    between_chunks,
    lab_trainer,
    live_fragment,
    network_position,
    run_controls,
    run_message,
    still_current,
)
from ui.models import export_buttons, layer_table_view
from ui.text import literal
from ui.vision_data import cached_dataset
from ui.vision_figures import maps_grid_figure, saliency_figure

LAB = "cnn"
LIME_BATCH = 50  # LIME's perturbed copies scored per call on the trainer's worker: Pause gets in between
SECTIONS = ("Inside the network", "Mistakes", "Export")


def current_dataset(settings: CnnLabSettings) -> ImageDataset | None:
    """The chosen images: a built-in set (shared), or this session's zip (kept in the session only).

    A zip is decoded once (a progress bar shows it; leaving or changing anything meanwhile stops
    the decoding there), or refused once; a new image size or seed only resizes and splits what
    was decoded.
    """
    if settings.dataset != UPLOAD:
        return cached_dataset(settings.dataset, settings.image_size, settings.seed)
    upload = st.session_state.get("cnn_zip_file")
    if upload is None:
        return None
    decoded = st.session_state.get("cnn_zip_images")
    if decoded is None or decoded[0] != upload.file_id:
        st.session_state.pop("cnn_zip_images", None)  # the previous zip's images go before the next one's come
        bar = st.progress(0.0, text=f"Checking {literal(upload.name)}…")
        try:
            images: ZipImages | str = read_zip_images(upload.data, lambda done, total: bar.progress(
                done / total, text=f"Decoding {literal(upload.name)}: image {done + 1:,} of {total:,}"))
        except ValueError as error:
            images = str(error)  # kept too: a refused zip is not checked again on every rerun
        bar.empty()
        st.session_state["cnn_zip_images"] = decoded = (upload.file_id, images)
    if isinstance(decoded[1], str):
        raise ValueError(decoded[1])
    key = (upload.file_id, settings.image_size, settings.seed)
    cached = st.session_state.get("cnn_zip_dataset")
    if cached is None or cached[0] != key:
        dataset = zip_dataset(decoded[1], settings.image_size, settings.seed, name=f"{upload.name} ({upload.file_id})")
        st.session_state["cnn_zip_dataset"] = cached = (key, dataset)
    return cached[1]


def trainer_for(settings: CnnLabSettings, dataset: ImageDataset) -> tuple[Trainer, bool]:
    """This session's CNN trainer, rebuilt when the data or the layers change."""
    return lab_trainer(
        LAB, (*settings.structure(), dataset.name),
        lambda: make_run(settings, dataset), observe, run_settings(settings),
    )


def model_table(settings: CnnLabSettings, dataset: ImageDataset) -> None:
    layer_table_view(layer_table(dataset.x_train.shape[1:], settings.layers, len(dataset.class_names)))


def live_views(trainer: Trainer, dataset: ImageDataset) -> None:
    """Epoch, curves, first-layer filters and the confusion matrix; redrawn while playing."""
    live_fragment(trainer, "cnn", lambda snapshot: _draw_views(snapshot, dataset))


def _draw_views(snapshot, dataset: ImageDataset) -> None:
    """One frame of the live views."""
    live_metrics(_metrics, "cnn_metrics", snapshot)
    run_message(snapshot)
    live_chart(lambda shown: curves_figure(shown.history, ("loss", "accuracy"), 0.0, False), "cnn_curves", snapshot)
    view = snapshot.view
    if view is None:
        return
    filters, matrix = st.columns(2)
    with filters:
        if view.first_filters is not None:
            kernels = view.first_filters[:, :, 0, :]
            st.markdown(f"**First-layer filters** ({kernels.shape[2]} kernels, {kernels.shape[0]}×"
                        f"{kernels.shape[1]}): what the network learned to look for")
            live_chart(_filters, "cnn_filters", snapshot, config={"displayModeBar": False})
    with matrix:
        st.markdown("**Confusion matrix** (test images)")
        live_chart(lambda shown: confusion_figure(confusion_matrix(dataset.y_test, shown.view.test_predictions,
                                                                   len(dataset.class_names)), dataset.class_names),
                   "cnn_confusion", snapshot, config={"displayModeBar": False})


def _metrics(snapshot) -> list[Metric]:
    """The epoch, the losses and the test accuracy."""
    latest = snapshot.latest
    return [Metric("Epoch", f"{snapshot.epoch:,}"),
            Metric("Train loss", f"{latest['loss']:.4f}" if "loss" in latest else "–"),
            Metric("Test loss", f"{latest['val_loss']:.4f}" if "val_loss" in latest else "–"),
            Metric("Test accuracy", f"{latest['val_accuracy']:.1%}" if "val_accuracy" in latest else "–")]


def _filters(snapshot):
    """The first 16 first-layer kernels (first input channel)."""
    kernels = snapshot.view.first_filters[:, :, 0, :16]
    return maps_grid_figure(kernels, [f"filter {index}" for index in range(kernels.shape[2])])


@dataclass(frozen=True)
class Explanation:
    """What the inside view shows for one image and network state: saliency, Grad-CAM and LIME."""

    key: tuple
    position: tuple[int, int, int]
    epoch: int
    maps: Saliency
    lime: LimeExplanation


def explanation(trainer: Trainer, image: np.ndarray, options: LimeOptions, refreshed: bool) -> Explanation | None:
    """The image's explanation, worked out in the background, and again only when it would show something new.

    Saliency and LIME's hundreds of predictions run as a background job whose batches go
    through the trainer's worker between chunks (``LIME_BATCH`` copies a call), so Pause, Step
    and every control answer meanwhile, and a progress bar shows how far it got; the last
    explanation of the same image and settings stays on the page until the new one is ready.
    While the run plays the explanation stays as it was (the caption says at which epoch)
    until Refresh; paused, a new step or reset, another image or other LIME settings explain
    it again. None until there is one for this image and these settings.
    """
    snapshot = trainer.snapshot()
    key = (image_key(image), options)
    stored: Explanation | None = st.session_state.get("cnn_explanation")
    pending = st.session_state.get("cnn_explaining")  # (key, position) of the job under way
    current = stored is not None and stored.key == key and still_current(stored.position, snapshot)
    coming = pending is not None and pending[0] == key and still_current(pending[1], snapshot)
    if refreshed or not (current or coming):
        position, epoch = network_position(snapshot), snapshot.epoch

        def work(report: Report) -> Explanation:
            maps = trainer.call(lambda run: saliency(run, image))
            lime = explain(image, lambda copies: trainer.call(lambda run: run.predict(copies)), maps.target,
                           options.num_samples, options.num_segments, options.seed, batch_size=LIME_BATCH,
                           report=report)
            return Explanation(key, position, epoch, maps, lime)

        start_job("cnn_explain", work)
        st.session_state["cnn_explaining"] = (key, position)
    done = job_result("cnn_explain", "Explaining the network (saliency, Grad-CAM and LIME)")
    if done is not None and done is not stored:
        st.session_state["cnn_explanation"] = stored = done
        st.session_state.pop("cnn_explaining", None)
    return stored if stored is not None and stored.key == key else None


def explanation_view(explained: Explanation, image: np.ndarray, label: int | None, class_names: tuple[str, ...],
                     options: LimeOptions) -> None:
    """What the network says about the image, and why: saliency, Grad-CAM and LIME side by side."""
    result, lime = explained.maps, explained.lime
    names = [literal(name) for name in class_names]  # folder names of a zip are the user's text
    said = f"the network says **{names[result.target]}** ({result.probabilities[result.target]:.0%})"
    truth = f"True class **{names[label]}**; " if label is not None else "For this image "
    st.markdown(truth + said + ".")
    st.plotly_chart(saliency_figure(image[:, :, 0], result.gradient, result.grad_cam, result.probabilities,
                                    class_names, lime.pixel_weights()), key="cnn_saliency")
    if result.grad_cam_layer:
        st.caption(f"Grad-CAM uses {result.grad_cam_layer}, the last convolutional layer.")
    st.caption(f"LIME: {options.num_samples} perturbed copies, {len(lime.weights)} superpixels, seed {options.seed}; "
               f"blue regions raise the probability of {names[result.target]}, orange ones lower it. "
               f"The linear fit explains {lime.score:.0%} of the variation (R²).")


def image_key(image: np.ndarray) -> tuple:
    """What tells one image from another in a cache key (its pixels' digest and its shape)."""
    return hashlib.sha1(image.tobytes()).hexdigest(), image.shape


def inside_tab(trainer: Trainer, dataset: ImageDataset) -> None:
    """Saliency, Grad-CAM, LIME and feature maps for a test image, a drawing or an upload."""
    st.markdown(lesson("cnn", "inside"))
    chosen = image_choice(dataset)
    if chosen.image is None:
        (st.error if chosen.refused else st.info)(chosen.message)
        return
    if chosen.message:
        st.caption(chosen.message)
    image = chosen.image
    with st.expander("LIME settings", expanded=False):
        st.markdown(lesson("cnn", "lime"))
        options = lime_controls(dataset.image_size)
    snapshot = trainer.snapshot()
    note, refresh = st.columns([4, 1], vertical_alignment="center")
    refreshed = refresh.button("Refresh", icon=":material/refresh:", key="cnn_refresh_inside", width="stretch",
                               help="Explain the network as it is now (it is also explained again whenever "
                                    "training stops).")
    explained = explanation(trainer, image, options, refreshed)
    if explained is not None:
        note.caption(f"Explained for the network as it was at epoch {explained.epoch:,}"
                     + (": training goes on, so press **Refresh** to explain the current network." if snapshot.playing
                        else "."))
        explanation_view(explained, image, chosen.label, dataset.class_names, options)
    names = between_chunks(trainer, "cnn_layer_names", (), conv_layer_names, note=False)
    layer = st.selectbox("Layer", names, key="cnn_layer", persist_state="session") if names else None
    if layer:
        maps = between_chunks(trainer, "cnn_feature_maps", (image_key(image), layer),
                              lambda run: feature_maps(run, image, layer))
        shown = min(16, maps.shape[2])
        st.markdown(f"**Feature maps of {layer}**: {maps.shape[0]}×{maps.shape[1]}×{maps.shape[2]}"
                    + (f" (first {shown})" if shown < maps.shape[2] else ""))
        st.plotly_chart(maps_grid_figure(maps[:, :, :shown], [f"channel {channel}" for channel in range(shown)]),
                        key="cnn_maps", config={"displayModeBar": False})


def mistakes_tab(trainer: Trainer, dataset: ImageDataset) -> None:
    """The test images the network gets wrong, most confident mistakes first."""
    view = trainer.snapshot().view
    if view is None:
        return
    wrong = misclassified(view, dataset.y_test)
    st.markdown(f"**{np.sum(view.test_predictions != dataset.y_test)} of {len(dataset.y_test)} test images** "
                "are misclassified. The most confident mistakes:")
    if len(wrong):
        names = [html.escape(name) for name in dataset.class_names]  # Plotly reads tags in titles
        titles = [f"#{index}: {names[dataset.y_test[index]]} → {names[view.test_predictions[index]]}" for index in wrong]
        st.plotly_chart(maps_grid_figure(np.transpose(dataset.x_test[wrong, :, :, 0], (1, 2, 0)), titles,
                                         signed=False, annotate=False), key="cnn_mistakes",
                        config={"displayModeBar": False})


def main() -> None:
    open_lab("cnn", "CNN lab", lesson("cnn", "intro"), from_query_params, seed_widgets)
    sidebar_controls()
    st.subheader("Architecture", help=lesson("cnn", "architecture"))
    rows = architecture_controls()
    with stop_on_bad_input():
        settings = settings_from_widgets(rows)
        dataset = current_dataset(settings)
        if dataset is None:
            st.info("Upload a zip of class folders in the sidebar (Data → Your images), or pick a built-in data set.")
            st.stop()
        trainer, rebuilt = trainer_for(settings, dataset)
    if dataset.note:
        st.warning(literal(dataset.note))
    with st.expander("Layers, output shapes and parameters", expanded=False):
        model_table(settings, dataset)
    if rebuilt and st.session_state.get("cnn_seen_once"):
        st.caption("Rebuilt for the new data or layers: training starts again.")
    st.session_state["cnn_seen_once"] = True
    run_controls(trainer, "cnn")
    live_views(trainer, dataset)
    section = page_section("cnn", SECTIONS)
    if section == "Inside the network":
        inside_tab(trainer, dataset)
    elif section == "Mistakes":
        mistakes_tab(trainer, dataset)
    else:
        st.markdown(lesson("cnn", "export"))
        export_buttons("cnn", "cnn", trainer, script=lambda: export_script(settings))
    write_url({**to_query_params(settings), **section_param("cnn", SECTIONS)})


main()
