"""2-D GAN lab: a generator learns a cloud of points while a discriminator judges the whole plane, live."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.generative.export import point_gan_script
from engine.generative.gan import training_warnings
from engine.generative.point_gan import (
    PointGanObserver,
    PointGanSettings,
    from_query_params,
    link_points,
    make_run,
    run_settings,
    to_query_params,
)
from engine.generative.targets import Target, make_target
from engine.training.contract import Snapshot
from engine.training.trainer import Trainer
from ui.canvas import live_chart, live_metrics
from ui.feed import Metric
from ui.figures import curves_figure
from ui.gan_controls import (
    custom_points_controls,
    part_control,
    point_settings_from_widgets,
    point_sidebar,
    seed_point_widgets,
)
from ui.generative_figures import point_gan_figure
from ui.lessons import lesson
from ui.links import open_lab, stop_on_bad_input, write_url
from ui.live import lab_trainer, live_fragment, run_controls, run_message
from ui.models import export_buttons

LAB = "gan"
LAYERS = {"verdict": "Discriminator's verdict", "mesh": "Generator's noise grid", "arrows": "Generator's pull"}


def read_link(params: dict[str, str]) -> tuple[tuple[PointGanSettings, np.ndarray | None], list[str]]:
    """Settings from a share link, and the user's own points when the link carries them."""
    settings, warnings = from_query_params(params)
    return (settings, link_points(params) if settings.target == "custom" else None), warnings


@st.cache_data(show_spinner=False, max_entries=32)
def built_in_target(name: str, seed: int) -> Target:
    """A built-in target's points (the same for every session)."""
    return make_target(name, seed)


def current_target(settings: PointGanSettings) -> Target:
    """The built-in target, or the session's own points (``ValueError`` until there are enough)."""
    if settings.target == "custom":
        return make_target("custom", settings.seed, st.session_state.get("gan_points"))
    return built_in_target(settings.target, settings.seed)


def trainer_for(settings: PointGanSettings, target: Target) -> Trainer:
    """This session's GAN trainer, rebuilt for a new target, networks or optimizers."""
    observer = PointGanObserver(target, settings.noise_dim, settings.seed)
    trainer, _ = lab_trainer(
        LAB, (settings.structure(), st.session_state.get("gan_points_version", 0)),
        lambda: make_run(settings, target), observer, run_settings(settings),
    )
    return trainer


def _draw(snapshot: Snapshot, target: Target, shown: set[str], batches_per_epoch: int) -> None:
    """One frame: the plane, the scores and the loss curves."""
    live_metrics(lambda playing: _metrics(playing, batches_per_epoch), "gan_metrics", snapshot)
    run_message(snapshot)
    for warning in training_warnings(snapshot.history, samples="points"):
        st.warning(warning)
    plane, curves = st.columns([1, 1])
    coverage = snapshot.view.coverage if snapshot.view is not None else None
    if snapshot.view is not None:
        live_chart(lambda playing: point_gan_figure(target.points, playing.view, shown), "gan_plane", snapshot, plane,
                   config={"displayModeBar": False})
        if coverage:
            plane.caption(f"{coverage.near_share:.0%} of the generated points lie near a mode.")
    with curves:
        live_chart(lambda playing: curves_figure(playing.history, ("d_loss", "g_loss")), "gan_losses", snapshot,
                   config={"displayModeBar": False})
        live_chart(lambda playing: curves_figure(playing.history, ("d_real", "d_fake")), "gan_verdicts", snapshot,
                   config={"displayModeBar": False})


def _metrics(snapshot: Snapshot, batches_per_epoch: int) -> list[Metric]:
    """The epoch, the discriminator's two verdicts and the modes covered."""
    latest = snapshot.latest
    coverage = snapshot.view.coverage if snapshot.view is not None else None
    return [
        Metric("Epoch", f"{snapshot.epoch:,}", help=f"{batches_per_epoch} generator steps per epoch."),
        Metric("D on real", f"{latest['d_real']:.0%}" if "d_real" in latest else "–",
               help="The discriminator's average verdict on real points (1 = sure it is real)."),
        Metric("D on generated", f"{latest['d_fake']:.0%}" if "d_fake" in latest else "–",
               help="At the game's balance both verdicts sit at 50%: D can no longer tell them apart."),
        Metric("Modes covered", f"{coverage.covered} of {coverage.num_modes}" if coverage else "–",
               help="Mixture targets only: modes holding at least a fifth of their fair share of generated "
                    "points (within 3 standard deviations of the centre)."),
    ]


def main() -> None:
    open_lab("gan", "GAN lab (2-D)", lesson("gan", "intro"), read_link, seed_point_widgets)
    point_sidebar()
    if st.session_state["gan_target"] == "custom":
        with st.expander("Your distribution", expanded=st.session_state.get("gan_points") is None):
            custom_points_controls()
    part, layers = st.columns([2, 3])
    with part:
        part_control("gan")
    shown = set(layers.pills("Show", list(LAYERS), format_func=LAYERS.__getitem__, selection_mode="multi",
                             default=list(LAYERS), key="gan_layers", persist_state="session") or [])
    with stop_on_bad_input():
        settings = point_settings_from_widgets()
        if settings.target == "custom" and st.session_state.get("gan_points") is None:
            st.info("Draw your distribution in the square above and press **Use drawing**, or upload a CSV of "
                    "points: training starts from them.")
            write_url(to_query_params(settings))
            st.stop()
        target = current_target(settings)
        trainer = trainer_for(settings, target)
    run_controls(trainer, "gan")
    batches = int(np.ceil(len(target.points) / min(settings.training.batch_size, len(target.points))))
    live_fragment(trainer, "gan", lambda snapshot: _draw(snapshot, target, shown, batches))
    st.markdown(lesson("gan", "reading"))
    with st.expander("Export: a runnable script, the trained generator and discriminator, and the history"):
        export_buttons("gan", "gan_2d", trainer, script=lambda: point_gan_script(settings, target), models="zip")
    write_url(to_query_params(settings, st.session_state.get("gan_points")))


main()
