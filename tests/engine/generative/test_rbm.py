"""RBMs and DBNs: free energy and CD-k against NumPy, the scikit-learn cross-check, chains, the DBN race."""

import dataclasses
import itertools

import numpy as np
import pytest

from engine.generative import dbn, rbm


@pytest.fixture(scope="module")
def pixels(digits):
    return rbm.flatten(digits.x_train), rbm.flatten(digits.x_test)


def test_free_energy_matches_summing_the_hidden_states_out_by_brute_force():
    run = rbm.make_run(rbm.RbmSettings(hidden_units=4), np.zeros((2, 3), np.float32), np.zeros((0, 3), np.float32))
    rng = np.random.default_rng(0)
    for variable in (run.model.kernel, run.model.visible_bias, run.model.hidden_bias):
        variable.assign(rng.normal(size=variable.shape).astype(np.float32))
    kernel, b, c = (variable.numpy() for variable in (run.model.kernel, run.model.visible_bias, run.model.hidden_bias))
    visible = np.array([[1, 0, 1], [0, 1, 1]], np.float32)
    # F(v) = −log Σ_h exp(−E(v, h)), E(v, h) = −v·b − h·c − vᵀWh, over all 16 hidden patterns.
    patterns = np.array(list(itertools.product([0, 1], repeat=4)), np.float32)
    energies = -(visible @ b)[:, None] - (patterns @ c)[None] - visible @ kernel @ patterns.T
    expected = -np.log(np.exp(-energies).sum(axis=1))
    np.testing.assert_allclose(run.model.free_energy(visible).numpy(), expected, rtol=1e-5)


def test_one_cd1_update_matches_the_formula_written_in_numpy():
    # Weights of ±20 make every unit's probability 0 or 1 to float precision, so the sampled
    # states are known and the update can be recomputed exactly in NumPy.
    rng = np.random.default_rng(1)
    visible = (rng.random((6, 5)) > 0.5).astype(np.float32)
    settings = rbm.RbmSettings(hidden_units=3, batch_size=6)
    run = rbm.make_run(settings, visible, visible[:0])
    run.model.kernel.assign(np.where(rng.random((5, 3)) > 0.5, 20.0, -20.0).astype(np.float32))
    run.model.visible_bias.assign(np.full(5, -10.0, np.float32))
    run.model.hidden_bias.assign(np.full(3, -5.0, np.float32))
    kernel, b, c = (variable.numpy().copy() for variable in (run.model.kernel, run.model.visible_bias,
                                                              run.model.hidden_bias))
    run.step()  # one batch of six: exactly one update
    sigmoid = lambda values: 1 / (1 + np.exp(-values))  # noqa: E731
    positive = sigmoid(visible @ kernel + c)
    hidden = np.round(positive)
    chain_visible = np.round(sigmoid(hidden @ kernel.T + b))
    negative = sigmoid(chain_visible @ kernel + c)
    rate = settings.optimizer.learning_rate
    np.testing.assert_allclose(run.model.kernel.numpy(),
                               kernel + rate * (visible.T @ positive - chain_visible.T @ negative) / 6, atol=1e-5)
    np.testing.assert_allclose(run.model.visible_bias.numpy(), b + rate * (visible - chain_visible).mean(axis=0),
                               atol=1e-5)
    np.testing.assert_allclose(run.model.hidden_bias.numpy(), c + rate * (positive - negative).mean(axis=0), atol=1e-5)
    assert not np.allclose(run.model.kernel.numpy(), kernel)  # the update did something


def test_cd_k_lowers_the_reconstruction_error_into_scikit_learns_band(pixels):
    x_train, x_test = pixels
    settings = rbm.RbmSettings()
    run = rbm.make_run(settings, x_train, x_test)
    run.step()
    first = run.history["val_reconstruction_error"][-1]
    run.advance(19)
    ours = run.history["val_reconstruction_error"][-1]
    theirs = rbm.sklearn_reference(x_train, x_test, settings, epochs=20)
    assert ours < 0.8 * first
    assert abs(ours - theirs) < 0.25 * theirs, (ours, theirs)


def test_k_changes_live_without_a_retrace(pixels):
    x_train, x_test = pixels
    settings = rbm.RbmSettings()
    run = rbm.make_run(settings, x_train, x_test)
    run.step()
    chunk = run._compiled  # noqa: SLF001
    assert run.update_settings(rbm.run_settings(dataclasses.replace(settings, cd_steps=5))) == ["model options"]
    run.step()
    assert run._compiled is chunk and float(run.model.cd_steps.numpy()) == 5.0  # noqa: SLF001


def test_gibbs_chains_repeat_with_their_seed_and_record_the_asked_frames(pixels):
    x_train, x_test = pixels
    run = rbm.make_run(rbm.RbmSettings(), x_train, x_test)
    run.advance(3)
    frames = rbm.gibbs_chain(run, num_steps=20, record_every=5, seed=4)
    assert frames.shape == (5, rbm.NUM_CHAINS, 64) and frames.min() >= 0 and frames.max() <= 1
    np.testing.assert_array_equal(frames, rbm.gibbs_chain(run, 20, 5, seed=4))
    with pytest.raises(ValueError, match="Gibbs steps"):
        rbm.gibbs_chain(run, 0, 1, seed=0)
    view = rbm.RbmObserver((8, 8))(run)
    assert view.filters.shape == (8, 8, 64) and view.reconstructions.shape == (8, 8, 8, 1)


def test_the_dbn_stacks_two_rbms_and_races_three_classifiers_on_few_labels(digits):
    settings = dbn.DbnSettings(hidden=(32, 16), pretrain_epochs=3, labelled_per_class=2)
    stack = dbn.pretrain(digits, settings)
    assert [kernel.shape for kernel, _ in stack.layers] == [(64, 32), (32, 16)]
    task = dbn.labelled_task(digits, 2, seed=0)
    assert len(task.x_train) == 20 and task.y_train.sum(axis=0).tolist() == [2.0] * 10
    group = dbn.make_run(settings, task, stack)
    np.testing.assert_array_equal(group.runs["dbn"].model.get_layer("rbm_0").get_weights()[0], stack.layers[0][0])
    assert not group.runs["frozen"].model.get_layer("rbm_1").trainable
    group.advance(5)
    assert all(len(group.history[f"{member}/val_accuracy"]) == 5 for member in dbn.MEMBERS)
    frozen_after = group.runs["frozen"].model.get_layer("rbm_0").get_weights()[0]
    np.testing.assert_array_equal(frozen_after, stack.layers[0][0])


def test_links_round_trip_and_refuse_nonsense():
    machine = rbm.RbmSettings(hidden_units=128, cd_steps=3, seed=2)
    assert rbm.from_query_params(rbm.to_query_params(machine)) == (machine, [])
    belief = dbn.DbnSettings(hidden=(64, 32), pretrain_epochs=10, labelled_per_class=3)
    assert dbn.from_query_params(dbn.to_query_params(belief)) == (belief, [])
    _, warnings = dbn.from_query_params({"dbn_hidden": "64", "labelled": "0"})
    assert len(warnings) == 2
    with pytest.raises(ValueError, match="Gibbs steps"):
        rbm.RbmSettings(cd_steps=0)
