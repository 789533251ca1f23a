"""Image GAN: a small DCGAN learns to draw digits; a fixed-noise grid shows its progress live."""

from __future__ import annotations

import streamlit as st

from engine.data.image_sets import ImageDataset
from engine.generative.autoencoder import IMAGE_SIZES
from engine.generative.export import image_gan_script
from engine.generative.gan import training_warnings
from engine.generative.image_gan import (
    NUM_FIXED_IMAGES,
    ImageGanObserver,
    ImageGanSettings,
    fresh_samples,
    from_query_params,
    make_run,
    noise_walk,
    run_settings,
    to_query_params,
)
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.feed import Metric
from ui.figures import curves_figure
from ui.gan_controls import image_settings_from_widgets, image_sidebar, part_control, seed_image_widgets
from ui.generative_figures import tiles_figure
from ui.lessons import lesson
from ui.links import open_lab, stop_on_bad_input, write_url
from ui.live import between_chunks, lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons
from ui.vision_data import cached_dataset

LAB = "dcgan"
NO_TOOLBAR = {"displayModeBar": False}


def trainer_for(settings: ImageGanSettings, dataset: ImageDataset) -> Trainer:
    """This session's DCGAN trainer, rebuilt for new data, networks or optimizers."""
    observer = ImageGanObserver(dataset.x_train, settings.noise_dim, settings.seed)
    trainer, _ = lab_trainer(
        LAB, (settings.structure(), dataset.name),
        lambda: make_run(settings, dataset), observer, run_settings(settings),
    )
    return trainer


def _draw(snapshot: Snapshot) -> None:
    """One frame: scores, warnings, the fixed-noise grid and the curves."""
    view = snapshot.view
    live_metrics(_metrics, "dcgan_metrics", snapshot)
    run_message(snapshot)
    for warning in training_warnings(snapshot.history, view.diversity if view is not None and snapshot.epoch else None):
        st.warning(warning)
    grid, curves = st.columns([2, 3])
    if view is not None:
        with grid:
            st.markdown(f"**The same {NUM_FIXED_IMAGES} noise vectors, decoded**")
            live_chart(lambda shown: tiles_figure(shown.view.samples, 8, width=380), "dcgan_grid", snapshot,
                       config=NO_TOOLBAR)
    with curves:
        live_chart(lambda shown: curves_figure(shown.history, ("d_loss", "g_loss")), "dcgan_losses", snapshot,
                   config=NO_TOOLBAR)
        live_chart(lambda shown: curves_figure(shown.history, ("d_accuracy", "d_fake")), "dcgan_scores", snapshot,
                   config=NO_TOOLBAR)


def _metrics(snapshot: Snapshot) -> list[Metric]:
    """The epoch, the discriminator's accuracy, the samples' spread and the speed."""
    view, latest = snapshot.view, snapshot.latest
    return [
        Metric("Epoch", f"{snapshot.epoch:,}"),
        Metric("D accuracy", f"{latest['d_accuracy']:.0%}" if "d_accuracy" in latest else "–",
               help="Share of a real batch and a fake batch the discriminator classifies correctly."),
        Metric("Sample spread", f"{view.diversity:.0%}" if view is not None else "–",
               help="How different the 64 samples are from each other, relative to 64 real images."),
        Metric("Speed", f"{snapshot.epochs_per_second:.1f} epochs/s" if snapshot.playing else "–"),
    ]


def explore_section(trainer: Trainer) -> None:
    """A fresh grid from a seed, and a walk between two noise vectors."""
    st.subheader("New samples")
    count, seed = st.columns(2)
    num_samples = count.slider("How many", 8, 64, 32, step=8, key="dcgan_count", persist_state="session")
    sample_seed = seed.number_input("Noise seed", 0, 2**31 - 1, 7, key="dcgan_sample_seed", persist_state="session")
    images = between_chunks(trainer, "dcgan_fresh_kept", (num_samples, sample_seed),
                            lambda run: fresh_samples(run, int(num_samples), int(sample_seed)))
    st.plotly_chart(tiles_figure(images, 16), key="dcgan_fresh", config=NO_TOOLBAR)
    st.subheader("Walk between two noise vectors")
    first, second, steps = st.columns(3)
    start = first.number_input("From seed", 0, 2**31 - 1, 1, key="dcgan_from", persist_state="session")
    end = second.number_input("To seed", 0, 2**31 - 1, 2, key="dcgan_to", persist_state="session")
    num_steps = steps.slider("Steps", 3, 16, 10, key="dcgan_steps", persist_state="session")
    walk = between_chunks(trainer, "dcgan_walk_kept", (start, end, num_steps),
                          lambda run: noise_walk(run, int(start), int(end), int(num_steps)))
    st.plotly_chart(tiles_figure(walk, len(walk), width=720), key="dcgan_walk", config=NO_TOOLBAR)
    st.caption(f"Noise drawn with seeds {start} and {end}, and {num_steps - 2} evenly spaced points between them. "
               "A smooth walk means the generator learned a continuous map, not a lookup table of digits.")


def main() -> None:
    open_lab("dcgan", "Image GAN", lesson("gan", "images"), from_query_params, seed_image_widgets)
    image_sidebar()
    part_control("dcgan")
    with stop_on_bad_input():
        settings = image_settings_from_widgets()
        dataset = cached_dataset(settings.dataset, IMAGE_SIZES[settings.dataset], settings.seed)
        trainer = trainer_for(settings, dataset)
    if dataset.note:
        st.warning(dataset.note)
    run_controls(trainer, "dcgan")
    live_fragment(trainer, "dcgan", _draw)
    st.markdown(lesson("gan", "image_reading"))
    explore_section(trainer)
    with st.expander("Export: a runnable script, the trained generator and discriminator, and the history"):
        export_buttons("dcgan", "image_gan", trainer, script=lambda: image_gan_script(settings), models="zip")
    with st.expander("Real training images, for comparison"):
        st.plotly_chart(tiles_figure(dataset.x_train[:NUM_FIXED_IMAGES], 8, width=380), key="dcgan_real",
                        config=NO_TOOLBAR)
    write_url(to_query_params(settings))


main()
