"""RunGroup: runs trained in lockstep, with one history and one set of controls."""

from dataclasses import replace

import numpy as np
import pytest

from engine.training.contract import DIVERGED, READY
from engine.training.group import RunGroup
from engine.training.trainer import Trainer
from tests.engine.test_run import make_run


def test_members_advance_together_and_share_one_history():
    slow, fast = make_run(0.01), make_run(0.1)
    group = RunGroup({"slow": slow, "fast": fast})
    result = group.advance(4)
    assert result.epochs == 4 and group.epoch == 4 and group.status == READY
    assert set(group.history) == {f"{name}/{metric}" for name in ("slow", "fast") for metric in slow.history}
    assert group.history["fast/loss"] == fast.history["loss"]
    assert group.history["fast/val_loss"][-1] < group.history["slow/val_loss"][-1]


def test_a_diverged_member_stops_and_its_series_are_padded_while_the_others_go_on():
    calm, wild = make_run(0.01), make_run(10.0)
    group = RunGroup({"calm": calm, "wild": wild})
    for _ in range(40):
        group.advance(5)
        if wild.status == DIVERGED:
            break
    assert wild.status == DIVERGED and group.status == READY
    group.advance(5)
    history = group.history
    assert len(history["wild/loss"]) == len(history["calm/loss"]) == group.epoch == calm.epoch
    assert np.isnan(history["wild/loss"][-1]) and "wild: Loss became NaN" in group.message


def test_reset_and_live_settings_reach_every_member():
    first, second = make_run(0.05), make_run(0.05)
    group = RunGroup({"a": first, "b": second})
    initial = [run.weights() for run in (first, second)]
    group.advance(3)
    group.reset()
    assert group.epoch == 0
    for run, weights in zip((first, second), initial, strict=True):
        for now, then in zip(run.weights(), weights, strict=True):
            np.testing.assert_array_equal(now, then)
    changes = group.update_settings(replace(first.settings, optimizer=replace(first.settings.optimizer,
                                                                              learning_rate=0.2)))
    assert changes == ["learning rate: 0.2"]
    assert float(first.optimizer.learning_rate) == float(second.optimizer.learning_rate) == pytest.approx(0.2)


def test_a_trainer_plays_a_group_like_a_single_run():
    group = RunGroup({"a": make_run(0.05), "b": make_run(0.01)})
    trainer = Trainer(group, observe=lambda run: run.epoch)
    try:
        trainer.step()
        trainer.step()
        snapshot = trainer.snapshot()
        assert snapshot.epoch == 2 and snapshot.view == 2
        assert set(snapshot.latest) >= {"a/loss", "b/val_loss"}
    finally:
        trainer.stop()


@pytest.mark.parametrize("runs, message", [({}, "at least one run"), ({"a/b": None}, "cannot contain")])
def test_bad_groups_are_refused(runs, message):
    with pytest.raises(ValueError, match=message):
        RunGroup(runs)

