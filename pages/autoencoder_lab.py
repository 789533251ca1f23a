"""Autoencoders and VAEs: squeeze images through a small code, watch them come back, explore the code space."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.data.image_sets import ImageDataset
from engine.generative.autoencoder import (
    IMAGE_SIZES,
    AutoencoderSettings,
    LatentMap,
    decode,
    from_query_params,
    interpolate_images,
    latent_map,
    make_run,
    new_samples,
    observe,
    run_settings,
    to_query_params,
)
from engine.generative.codes import MAX_SAMPLES
from engine.generative.export import autoencoder_script
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.autoencoder_controls import live_controls, seed_widgets, settings_from_widgets, sidebar_controls
from ui.canvas import live_chart, live_metrics
from ui.feed import Metric
from ui.figures import curves_figure
from ui.generative_figures import latent_map_figure, tiles_figure
from ui.lessons import lesson
from ui.links import open_lab, page_section, section_param, stop_on_bad_input, write_url
from ui.live import between_chunks, lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.vision_data import cached_dataset

LAB = "autoencoder"
NO_TOOLBAR = {"displayModeBar": False}
SECTIONS = ("Training", "Latent explorer", "Sample and interpolate")


def trainer_for(settings: AutoencoderSettings, dataset: ImageDataset) -> Trainer:
    """This session's autoencoder trainer, rebuilt when the data or the model's shape change."""
    trainer, _ = lab_trainer(LAB, settings.structure(), lambda: make_run(settings, dataset), observe,
                             run_settings(settings))
    return trainer


def _draw_training(snapshot: Snapshot, dataset: ImageDataset, settings: AutoencoderSettings) -> None:
    """One frame: scores, loss curves, reconstructions and the code map."""
    live_metrics(lambda shown: _metrics(shown, settings.variational), "ae_metrics", snapshot)
    run_message(snapshot)
    metrics = ("loss", "reconstruction_loss", "kl_loss") if settings.variational else ("reconstruction_loss",)
    live_chart(lambda shown: curves_figure(shown.history, metrics), "ae_curves", snapshot, config=NO_TOOLBAR)
    view = snapshot.view
    if view is None:
        return
    images, code_map = st.columns([3, 2])
    denoising = settings.noise > 0
    with images:
        st.markdown("**Test images and what comes back**" + (" (denoising: the model sees the noisy row)"
                                                               if denoising else ""))
        live_chart(lambda shown: _tiles(shown.view, denoising), "ae_tiles", snapshot, config=NO_TOOLBAR)
    with code_map:
        kept = "" if view.variance_kept == 1.0 else f" (first two principal components: {view.variance_kept:.0%} of the spread)"
        st.markdown(f"**The test images' codes**{kept}")
        axes = ("z₁", "z₂") if view.variance_kept == 1.0 else ("PC 1", "PC 2")
        live_chart(lambda shown: latent_map_figure(shown.view.points, dataset.y_test, dataset.class_names, axes,
                                                   height=340),
                   "ae_live_map", snapshot, config=NO_TOOLBAR)


def _metrics(snapshot: Snapshot, variational: bool) -> list[Metric]:
    """The epoch, the test losses and the speed."""
    latest = snapshot.latest
    metrics = [Metric("Epoch", f"{snapshot.epoch:,}"),
               Metric("Test reconstruction loss", f"{latest['val_reconstruction_loss']:.2f}"
                      if "val_reconstruction_loss" in latest else "–",
                      help="Cross-entropy summed over the pixels of an image, averaged over the test images.")]
    if variational:
        metrics.append(Metric("Test KL", f"{latest['val_kl_loss']:.2f}" if "val_kl_loss" in latest else "–",
                              help="How far the codes' Gaussians are from the prior N(0, I), in nats."))
    return [*metrics, Metric("Speed", f"{snapshot.epochs_per_second:.1f} epochs/s" if snapshot.playing else "–")]


def _tiles(view, denoising: bool):
    """Test images over their reconstructions (denoising: noisy input, output and clean target)."""
    rows = (view.inputs, view.reconstructions, view.originals) if denoising else (view.originals, view.reconstructions)
    names = ("noisy input", "output", "clean target") if denoising else ("test image", "reconstruction")
    return tiles_figure(np.concatenate(rows), len(view.originals), row_names=names)


def _code_keys(latent_dim: int) -> list[str]:
    return [f"ae_z_{index}" for index in range(latent_dim)]


def _pick_code() -> None:
    """A click on the latent map: a test image's code, or (2-D) the spot on the plane."""
    event = st.session_state.get("ae_map")
    points = event.selection.points if event else []
    codes = st.session_state.get("ae_map_codes")
    if not points or codes is None:
        return
    point = points[0]
    index = point.get("customdata")
    if isinstance(index, list):
        index = index[0] if index else None
    code = codes[int(index)] if index is not None else np.array([point["x"], point["y"]])
    for key, value in zip(_code_keys(len(code)), code, strict=False):
        st.session_state[key] = round(float(value), 2)


def explorer_tab(trainer: Trainer, dataset: ImageDataset, settings: AutoencoderSettings) -> None:
    """The encoded test set, the decoded plane (2-D), and a code picked by click or sliders, decoded."""
    st.markdown(lesson("autoencoder", "explorer"))
    found: LatentMap = between_chunks(trainer, "ae_map_kept", (), latent_map)
    st.session_state["ae_map_codes"] = found.codes
    keys = _code_keys(settings.latent_dim)
    for key in keys:  # clamp to this model's range before the sliders are drawn
        st.session_state[key] = float(np.clip(st.session_state.get(key, 0.0), -found.extent, found.extent))
    picked = np.array([st.session_state[key] for key in keys], np.float32)
    two_d = settings.latent_dim == 2
    chart, decoded = st.columns([3, 2])
    with chart:
        title = ("Click anywhere on the plane, or on a test image" if two_d
                 else f"First two principal components of the codes ({found.variance_kept:.0%} of the spread); "
                      "click a test image to load its code")
        st.caption(title)
        axes = ("z₁", "z₂") if two_d else ("PC 1", "PC 2")
        st.plotly_chart(
            latent_map_figure(found.points, dataset.y_test, dataset.class_names, axes, found.manifold,
                              found.extent if two_d else None, tuple(picked) if two_d else None),
            key="ae_map", on_select=_pick_code, selection_mode="points", config=NO_TOOLBAR)
    with decoded:
        st.markdown("**The code, decoded**")
        image = between_chunks(trainer, "ae_decoded_kept", tuple(picked.tolist()), lambda run: decode(run, picked))
        st.plotly_chart(tiles_figure(image[None], 1, width=300), key="ae_decoded", config=NO_TOOLBAR)
        with st.expander("One slider per code number", expanded=two_d or settings.latent_dim <= 8):
            columns = st.columns(2 if two_d else 4)
            for index, key in enumerate(keys):
                columns[index % len(columns)].slider(f"z{index + 1}", -found.extent, found.extent, step=0.05, key=key,
                                                     persist_state="session")


def samples_tab(trainer: Trainer, dataset: ImageDataset, settings: AutoencoderSettings) -> None:
    """New images from random codes, and a walk between two test images."""
    st.markdown(lesson("autoencoder", "sampling"))
    count, seed = st.columns(2)
    num_samples = count.slider("How many", 4, 64, 32, step=4, key="ae_samples", persist_state="session")
    sample_seed = seed.number_input("Sample seed", 0, 2**31 - 1, 0, key="ae_sample_seed", persist_state="session")
    source = ("the prior N(0, I)" if settings.variational
              else "a Gaussian fitted to the training codes (a plain autoencoder has no prior)")
    st.caption(f"{num_samples} codes drawn from {source} with seed {sample_seed}, decoded in one batch.")
    images = between_chunks(trainer, "ae_samples_kept", (num_samples, sample_seed),
                            lambda run: new_samples(run, min(int(num_samples), MAX_SAMPLES), int(sample_seed)))
    st.plotly_chart(tiles_figure(images, 16), key="ae_sample_grid", config=NO_TOOLBAR)
    st.markdown("**Interpolate** between two test images: decode evenly spaced codes on the line between theirs.")
    first, second, steps = st.columns(3)
    last = len(dataset.x_test) - 1
    start = first.number_input("From test image", 0, last, 0, key="ae_from", persist_state="session")
    end = second.number_input("To test image", 0, last, min(1, last), key="ae_to", persist_state="session")
    num_steps = steps.slider("Steps", 3, 16, 10, key="ae_steps", persist_state="session")
    path = between_chunks(trainer, "ae_path_kept", (start, end, num_steps),
                          lambda run: interpolate_images(run, int(start), int(end), int(num_steps)))
    strip = np.concatenate([dataset.x_test[[start]], path, dataset.x_test[[end]]])
    st.plotly_chart(tiles_figure(strip, len(strip), width=720), key="ae_path", config=NO_TOOLBAR)
    st.caption(f"Outer images: test images {start} ({dataset.class_names[dataset.y_test[start]]}) and {end} "
               f"({dataset.class_names[dataset.y_test[end]]}) themselves; between them, the {num_steps} decodings.")


def main() -> None:
    open_lab("ae", "Autoencoders and VAEs", lesson("autoencoder", "intro"), from_query_params, seed_widgets)
    sidebar_controls()
    live_controls()
    with stop_on_bad_input():
        settings = settings_from_widgets()
        dataset = cached_dataset(settings.dataset, IMAGE_SIZES[settings.dataset], settings.seed)
        trainer = trainer_for(settings, dataset)
    if dataset.note:
        st.warning(dataset.note)
    run_controls(trainer, "ae")
    section = page_section("ae", SECTIONS)
    if section == "Training":
        live_fragment(trainer, "ae", lambda snapshot: _draw_training(snapshot, dataset, settings))
        st.markdown(lesson("autoencoder", "reading"))
    elif section == "Latent explorer":
        explorer_tab(trainer, dataset, settings)
    else:
        samples_tab(trainer, dataset, settings)
    with st.expander("Export: a runnable script, the trained encoder and decoder, and the history"):
        export_buttons("ae", "autoencoder", trainer, script=lambda: autoencoder_script(settings), models="zip")
    write_url({**to_query_params(settings), **section_param("ae", SECTIONS)})


main()
