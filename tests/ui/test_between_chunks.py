"""between_chunks: a section's result from the network, computed again only when it would show something else."""

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from engine.training.contract import Snapshot


class CountingTrainer:
    """Hands out the snapshot the test sets, and counts the calls that reach the worker."""

    def __init__(self) -> None:
        self.current, self.calls = Snapshot(lineage=1), 0

    def snapshot(self) -> Snapshot:
        return self.current

    def call(self, work):
        self.calls += 1
        return work(None)


def section() -> None:
    import streamlit as st

    from ui.live import between_chunks

    trainer = st.session_state["trainer"]
    seed = st.session_state.get("seed", 0)
    st.session_state["shown"] = between_chunks(trainer, "samples_kept", (seed,), lambda run: (seed, trainer.calls),
                                               note=st.session_state.get("note", True))


def test_results_are_kept_while_training_and_computed_again_for_new_inputs_or_another_network():
    trainer = CountingTrainer()
    app = AppTest.from_function(section)
    app.session_state["trainer"] = trainer
    app.run()
    assert trainer.calls == 1 and not app.caption
    app.run()  # paused, nothing moved: the same result
    assert trainer.calls == 1
    trainer.current = replace(trainer.current, epoch=1)  # a Step
    app.run()
    assert trainer.calls == 2
    trainer.current = replace(trainer.current, epoch=5, playing=True)  # training: kept, and it says so
    app.run()
    assert trainer.calls == 2 and "epoch 1" in app.caption[0].value
    app.session_state["seed"] = 3  # its own control changed: computed at once
    app.run()
    assert trainer.calls == 3 and app.session_state["shown"] == (3, 3) and not app.caption
    trainer.current = replace(trainer.current, lineage=2, epoch=6)  # a Reset (or a new run) while playing
    app.run()
    assert trainer.calls == 4
    trainer.current = replace(trainer.current, playing=False, epoch=7)  # paused later than computed
    app.run()
    assert trainer.calls == 5


def test_a_result_training_does_not_change_is_kept_without_a_note():
    trainer = CountingTrainer()
    app = AppTest.from_function(section)
    app.session_state["trainer"], app.session_state["note"] = trainer, False
    app.run()
    trainer.current = replace(trainer.current, epoch=5, playing=True)
    app.run()
    assert trainer.calls == 1 and not app.caption
