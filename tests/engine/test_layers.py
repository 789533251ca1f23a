"""The layer registry: every kind's shape rule and parameter count against Keras, and its code against its build."""

from __future__ import annotations

import random

import keras
import numpy as np
import pytest

from engine.models.layers import (
    ACTIVATIONS,
    KINDS,
    RECURRENT_BLOCKS,
    Construction,
    LayerSpec,
    build_layers,
    layer_code,
    layer_rows,
    weight_counts,
)


def random_layer(kind: str, rng: random.Random) -> tuple[LayerSpec, tuple[int, ...]]:
    """A valid layer of ``kind`` and an input shape it accepts."""
    image = (rng.randint(6, 12), rng.randint(6, 12), rng.randint(1, 5))
    vector, sequence = (rng.randint(1, 10),), (rng.randint(1, 9), rng.randint(1, 6))
    spec = LayerSpec(kind, filters=rng.randint(1, 9), kernel_size=rng.randint(1, 3), strides=rng.randint(1, 2),
                     padding=rng.choice(("same", "valid")), activation=rng.choice(ACTIVATIONS),
                     pool_size=rng.randint(1, 3), rate=rng.choice((0.0, 0.3)), units=rng.randint(1, 20),
                     use_bias=rng.random() < 0.5, return_sequences=rng.random() < 0.5, input_dim=rng.randint(2, 40),
                     recurrent_gain=rng.choice((0.5, 1.0, 2.0)))
    shapes = {"vector": [vector], "features": [vector, sequence], "sequence": [sequence], "tokens": [vector],
              "any": [image, vector]}
    return spec, rng.choice(shapes.get(KINDS[kind].takes, [image]))


def random_batch(spec: LayerSpec, shape: tuple[int, ...]) -> np.ndarray:
    """Two inputs for a layer: token codes below its vocabulary for an Embedding, numbers otherwise."""
    rng = np.random.default_rng(0)
    if KINDS[spec.kind].takes == "tokens":
        return rng.integers(0, spec.input_dim, (2, *shape))
    return rng.random((2, *shape), dtype=np.float32)


def construction() -> Construction:
    seeds = iter(range(1000))
    return Construction(initializer=lambda: keras.initializers.GlorotUniform(seed=next(seeds)),
                        next_seed=lambda: next(seeds))


def counted(model: keras.Model, trainable: bool) -> int:
    weights = model.trainable_weights if trainable else model.weights
    return int(sum(np.prod(weight.shape) for weight in weights))


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_predicts_the_shape_and_parameters_keras_builds(kind):
    rng = random.Random(kind)
    for _ in range(8):
        spec, shape = random_layer(kind, rng)
        (row,) = layer_rows(shape, [("probe", spec)])
        inputs = keras.Input(shape)
        model = keras.Model(inputs, build_layers(inputs, [("probe", spec)], construction()))
        assert tuple(model.output.shape[1:]) == row.output_shape, spec
        assert counted(model, trainable=False) == row.parameters == model.count_params(), spec
        assert counted(model, trainable=True) == row.trainable, spec


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kinds_code_builds_the_same_layers_as_the_registry(kind):
    rng = random.Random(f"code {kind}")
    spec, shape = random_layer(kind, rng)
    named = [("probe", spec)]
    seeds = iter(range(1000))
    namespace = {"keras": keras, "init": lambda: keras.initializers.GlorotUniform(seed=next(seeds)),
                 "next_seed": lambda: next(seeds), "x": keras.Input(shape)}
    inputs = namespace["x"]
    exec("\n".join(layer_code(named)), namespace)  # noqa: S102 - our own generated code
    written = keras.Model(inputs, namespace["x"])
    built_inputs = keras.Input(shape)
    built = keras.Model(built_inputs, build_layers(built_inputs, named, construction()))
    assert written.count_params() == built.count_params()
    assert [layer.name for layer in written.layers[1:]] == [layer.name for layer in built.layers[1:]]  # not the inputs
    batch = random_batch(spec, shape)
    np.testing.assert_allclose(written(batch), built(batch), rtol=1e-5, atol=1e-6)  # same seeds, same weights


@pytest.mark.parametrize(("layers", "shape", "message"), [
    ([LayerSpec("dense")], (8, 8, 1), "needs a flat vector: add Flatten"),
    ([LayerSpec("flatten"), LayerSpec("conv2d")], (8, 8, 1), "needs an image-shaped input"),
    ([LayerSpec("conv2d", kernel_size=5, padding="valid")], (3, 3, 1), "3×3 map is smaller than the 5×5 kernel"),
    ([LayerSpec("max_pool", pool_size=4)], (2, 2, 1), "smaller than the pooling window"),
    ([LayerSpec("lstm"), LayerSpec("gru")], (10, 1), "needs a sequence .* receives a flat vector 64.*return_sequences"),
    ([LayerSpec("flatten"), LayerSpec("embedding")], (4, 4, 1), "needs a sequence of token codes.*put it first"),
    ([LayerSpec("simple_rnn")], (8, 8, 1), "needs a sequence .* receives an image 8×8×1"),
])
def test_a_layer_that_cannot_follow_the_one_before_is_named_in_words(layers, shape, message):
    with pytest.raises(ValueError, match=message):
        layer_rows(shape, [(f"layer_{index}", layer) for index, layer in enumerate(layers)])


@pytest.mark.parametrize("cell", list(RECURRENT_BLOCKS))
@pytest.mark.parametrize(("features", "units"), [(1, 1), (3, 5), (16, 32)])
def test_recurrent_weight_counts_by_part_match_keras(cell, features, units):
    layer = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell](units)
    layer.build((None, 4, features))
    kernel, recurrent, bias = layer.get_weights()
    counts = weight_counts(cell, features, units)
    assert (counts.input_weights, counts.recurrent_weights, counts.biases) == (kernel.size, recurrent.size, bias.size)
    assert counts.total == layer.count_params()
    assert counts.recurrent_weights == weight_counts("simple_rnn", features, units).recurrent_weights * {
        "simple_rnn": 1, "lstm": 4, "gru": 3}[cell]
    with pytest.raises(ValueError, match="Unknown cell 'rnn'"):
        weight_counts("rnn", 1, 1)


@pytest.mark.parametrize("gain", [0.5, 2.0])
def test_the_recurrent_gain_sets_every_singular_value_of_the_initial_recurrent_matrix(gain):
    inputs = keras.Input((5, 3))
    named = [("probe", LayerSpec("simple_rnn", units=6, recurrent_gain=gain))]
    model = keras.Model(inputs, build_layers(inputs, named, construction()))
    recurrent = model.get_layer("probe").get_weights()[1]
    np.testing.assert_allclose(np.linalg.svd(recurrent, compute_uv=False), gain, rtol=1e-5)
    with pytest.raises(ValueError, match="recurrent gain above 0"):
        LayerSpec("lstm", recurrent_gain=0.0)
