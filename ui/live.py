"""Each browser's live trainers, and the controls that drive them.

A browser's trainers live in the process-wide ``RunRegistry`` under a run id that the page
keeps in its session and in its URL (``RUN_PARAM``), so a dropped connection, a reload, or a
session the server forgot finds its runs where they were. A session-scoped resource stands
for the connection: Streamlit releases it the moment the websocket goes, and its release
hook only marks the runs detached (it runs on the server's main thread: no waiting there).
Nothing about a user's model lives in module globals or in a global cache.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from engine.training.contract import DIVERGED, ERROR, Run, Snapshot
from engine.training.pacing import SPEEDS, redraw_interval
from engine.training.registry import RunSet, default_registry
from engine.training.trainer import ServerFull, Trainer
from ui.canvas import charts_on_canvas
from ui.feed import FEEDS, Feed, feeding, new_token, phase
from ui.pacer import request_next_frame
from ui.runtime import page_fragment

RUN_PARAM = "run"
FRAME_SECONDS = 0.25  # live views redraw four times a second while training (less on a busy server)
REFRESH_SECONDS = 3.0  # while the feed brings the frames, the live fragment still reruns this often
WATCHDOG_SECONDS = 8.0  # a live page whose browser asked for no frame this long gets one anyway


@dataclass(frozen=True)
class Connection:
    """This session's hold on its run set (one per connection)."""

    run_id: str
    owner: str
    runs: RunSet


def _detach(connection: Connection) -> None:
    default_registry().detach(connection.run_id, connection.owner)


def _is_connected(session_id: str) -> bool:
    return not Runtime.exists() or Runtime.instance().is_active_session(session_id)


@st.cache_resource(scope="session", on_release=_detach, show_spinner=False)
def _connection() -> Connection:
    context = get_script_run_ctx()
    owner = context.session_id if context else "local"
    wanted = st.session_state.get("run_id") or st.query_params.get(RUN_PARAM)
    run_id, runs = default_registry().attach(wanted, owner, _is_connected)
    return Connection(run_id, owner, runs)


def session_runs() -> Connection:
    """This browser's runs, (re)attached on the first use after every (re)connection."""
    connection = _connection()
    st.session_state["run_id"] = connection.run_id
    if st.query_params.get(RUN_PARAM) != connection.run_id:  # also where a page stops before writing its URL
        st.query_params[RUN_PARAM] = connection.run_id
    return connection


def lab_trainer(lab: str, structure: object, new_run: Callable[[], Run], observe: Callable[[Any], Any],
                live_settings: Any) -> tuple[Trainer, bool]:
    """This browser's trainer for a lab: a new run when the structure changed, the live settings when they did.

    The one call a live lab makes to train (``docs/architecture.md``).

    Args:
        lab: the page's key.
        structure: a hashable description of what needs a new run when it changes.
        new_run: builds the run (a ``Run``: ``TrainingRun``, ``RunGroup``, ``AgentRun``) for the structure.
        observe: what the worker computes for the page between chunks.
        live_settings: what the run's ``update_settings`` takes; sent when it differs from what
            this session sent last.

    Returns:
        The trainer and whether the run was (re)built on this call.
    """
    runs = session_runs().runs
    trainer, rebuilt = runs.trainers.get(lab), True
    if trainer is None or trainer.stopped:
        run = new_run()
        try:
            trainer = Trainer(run, observe, frame_seconds=FRAME_SECONDS)
        except ServerFull:
            if not default_registry().free_oldest_detached():  # a learner who left makes room for one who is here
                raise
            trainer = Trainer(run, observe, frame_seconds=FRAME_SECONDS)
        runs.trainers[lab], runs.structures[lab] = trainer, structure
    elif runs.structures[lab] != structure:
        trainer.replace_run(new_run(), observe)
        runs.structures[lab] = structure
    else:
        rebuilt = False
    applied = f"{lab}_applied"
    if st.session_state.get(applied) != live_settings:
        trainer.update(live_settings)
        st.session_state[applied] = live_settings
    return trainer, rebuilt


def live_redraw_interval() -> float:
    """Seconds between live redraws, given how many sessions train right now."""
    return redraw_interval(FRAME_SECONDS, Trainer.playing_count(), os.cpu_count() or 1)


def live_fragment(trainer: Trainer, key: str, draw: Callable[[Snapshot], None]) -> None:
    """Draw the trainer's latest snapshot and keep it live while the run plays.

    While it plays, the frames come through the live feed (``ui.feed``): ``draw`` runs here
    once, its ``live_chart``/``live_metrics`` leave their builders in the feed, and the
    browser fetches each next frame once it painted the last and the redraw interval passed
    (``ui.pacer``; the interval grows with the server's load, ``live_redraw_interval``), so a
    slow browser gets fewer frames rather than a backlog, and the trainer paces its frames by
    what this browser draws. Every ``REFRESH_SECONDS`` the fragment reruns for what is not in
    the feed; when training or compiling stops, the whole page reruns to show the right
    buttons. ``key`` is the run controls' key.
    """
    first = trainer.snapshot()
    busy = (first.playing, not first.compiled)  # while a new run compiles, redraw to say so and when it ends
    trainer.set_frame_seconds(live_redraw_interval())
    on_canvas, token = _on_canvas_key(key), st.session_state.setdefault(f"{key}_feed", new_token())

    def pace(cadence: float) -> float:
        """Frames for this browser no closer than it takes them; returns the interval it should keep."""
        interval = live_redraw_interval()
        trainer.set_frame_seconds(max(interval, cadence))
        return interval

    def views() -> None:
        snapshot = trainer.snapshot()
        if any(busy) and (snapshot.playing, not snapshot.compiled) != busy:
            st.rerun()
        # The run that answers Pause, Step or Reset draws on the canvas, and Plotly takes over in
        # the next frame: their effect shows at once, not after the browser laid out every chart.
        handover = not any(busy) and st.session_state.pop(on_canvas, False)
        live = snapshot.playing and snapshot.compiled
        feed = Feed(weakref.ref(trainer), phase(snapshot), pace, served=snapshot.revision) if live else None
        with charts_on_canvas() if handover else contextlib.nullcontext(), \
                feeding(token, feed) if feed else contextlib.nullcontext():
            draw(snapshot)
        if feed:
            FEEDS.open(token, feed)
        else:
            FEEDS.close(token)
        if snapshot.playing:  # its charts were on the canvas
            st.session_state[on_canvas] = True
        if any(busy) or handover:
            frame = st.session_state[f"{key}_frame"] = st.session_state.get(f"{key}_frame", 0) + 1
            cadence = request_next_frame(f"{key}_frames", frame, live_redraw_interval() if any(busy) else 0.0,
                                         token if feed else None, REFRESH_SECONDS)
            pace(cadence or 0.0)

    # The timer only backs the browser's requests up: a frame lost on the way does not end the loop.
    page_fragment(views, WATCHDOG_SECONDS if any(busy) else None)


def between_chunks(trainer: Trainer, key: str, inputs: Hashable, work: Callable[[Any], Any], note: bool = True) -> Any:
    """``trainer.call(work)``, kept in the session and reused while the run plays and ``inputs`` stay the same.

    ``trainer.call`` waits for the chunk under way (an epoch of a big model can take a second),
    so every page run that computed samples or maps from the network while it trained made a
    control change wait for it. Here a section's result is computed again only when its own
    ``inputs`` change (everything ``work`` depends on but the network: the section's controls)
    or when the network is another (``network_position``): a new run or a Reset always, a Step
    while paused. While the run plays, a result from an earlier epoch of the same run is kept,
    and says so under it. ``key`` names the section.
    """
    snapshot = trainer.snapshot()
    stored = st.session_state.get(key)
    if stored is not None and stored[0] == inputs and still_current(stored[1], snapshot):
        if note and stored[1] != network_position(snapshot):
            st.caption(f"From the network at epoch {stored[1][1]:,}: it trains on; Pause to see it as it is now.")
        return stored[2]
    result = trainer.call(work)
    after = trainer.snapshot()
    st.session_state[key] = (inputs, network_position(after), result)
    return result


def network_position(snapshot: Snapshot) -> tuple[int, int, int]:
    """Which network a snapshot shows: its weights' lineage, epoch and update (equal tuples, equal weights)."""
    return snapshot.lineage, snapshot.epoch, snapshot.update


def still_current(position: tuple[int, int, int], snapshot: Snapshot) -> bool:
    """Whether a result computed from the network at ``position`` may still be shown beside ``snapshot``.

    The same network, or, while the run plays, an earlier epoch of the same run (never another
    run's, nor what was there before a Reset).
    """
    now = network_position(snapshot)
    return position == now or (snapshot.playing and position[0] == now[0])


def run_message(snapshot: Snapshot) -> None:
    """Why training stopped (an error) or the last command's effect (a note), if any; and slow motion's progress."""
    if snapshot.compiling:
        st.info("Compiling the network with XLA so that it trains fast: once per architecture, a few seconds "
                "(longer on a busy server). Play and Step take effect as soon as it is ready.",
                icon=":material/hourglass_top:")
    if snapshot.status in (DIVERGED, ERROR):
        st.error(snapshot.message)
    elif snapshot.message:
        st.info(snapshot.message)
    if snapshot.update:
        st.caption(f"Epoch {snapshot.epoch + 1:,} under way: update {snapshot.update} of "
                   f"{snapshot.updates_per_epoch} (one mini-batch each).")


def run_controls(trainer: Trainer, key: str, unit: str = "epoch", default_speed: str = "Full speed") -> None:
    """Play / Pause / Step / Reset buttons and the speed selector, in one row.

    The buttons act in their callbacks, before the page reruns, so one run of the page draws
    their result (a click is never lost: a whole-page rerun request survives a run under way).
    The speed selector is a fragment: picking another speed reruns it alone, in a few
    milliseconds, and the rest of the page never greys out. ``unit`` is what a step trains
    (epoch, episode); ``default_speed`` the speed a new visitor starts at.
    """
    snapshot = trainer.snapshot()
    play, step, reset, speed = st.columns([1, 1, 1, 2.2])
    # Play and Pause are one button (one key) whose label follows the run. Two buttons would both
    # stand in the row while the page run that swaps them lasts (the browser keeps an element
    # until its replacement with the same key arrives), and everything below would drop by a
    # row under the learner's pointer: a click on a view picker then landed on a chart.
    # While compiling, Play takes effect once ready, and the page says so meanwhile.
    label, icon, action = ("Pause", ":material/pause:", trainer.pause) if snapshot.playing \
        else ("Play", ":material/play_arrow:", trainer.play)
    play.button(label, icon=icon, key=f"{key}_play", width="stretch", type="primary", on_click=action)
    step.button("Step", icon=":material/skip_next:", key=f"{key}_step", width="stretch", help=f"Train one {unit}",
                on_click=_drawn_on_canvas_first, args=(key, trainer.step))
    reset.button("Reset", icon=":material/replay:", key=f"{key}_reset", width="stretch",
                 help="Back to the initial weights", on_click=_drawn_on_canvas_first, args=(key, trainer.reset))
    by_update = snapshot.updates_per_epoch > 0
    updates = f"one mini-batch update per frame ({snapshot.updates_per_epoch} make an epoch)" if by_update \
        else f"one {unit} per frame"

    def speed_picker() -> None:
        choice = st.selectbox(
            "Speed", list(SPEEDS), index=list(SPEEDS).index(default_speed), key=f"{key}_speed",
            persist_state="session", label_visibility="collapsed",
            format_func=lambda label: _speed_label(label, unit, by_update),
            help=f"How much trains between two frames. Slow motion: {updates}. Step trains one whole {unit}.",
        )
        trainer.set_speed(str(choice))

    with speed:
        page_fragment(speed_picker, None)


def _on_canvas_key(key: str) -> str:
    """The session key that asks the live views of run controls ``key`` to draw their next frame on the canvas."""
    return f"{key}_on_canvas"


def _drawn_on_canvas_first(key: str, command: Callable[[], None]) -> None:
    """Run ``command`` (Step, Reset), and draw the live views' next frame on the canvas.

    Plotly lays out the CNN lab's charts in 200-300 ms of the browser's main thread; the
    canvas draws them in a few, so the new epoch shows at once and Plotly takes over in the
    frame after, as after Pause.
    """
    command()
    st.session_state[_on_canvas_key(key)] = True


def _speed_label(label: str, unit: str, by_update: bool) -> str:
    """A speed's name in the lab's words (its unit: epoch or episode)."""
    if label == "Slow motion":
        return "Slow motion: one update per frame" if by_update else f"Slow motion: one {unit} per frame"
    return label.replace("epoch", unit)
