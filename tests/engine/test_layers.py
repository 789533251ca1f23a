"""The layer registry: every kind's shape rule and parameter count against Keras, and its code against its build."""

from __future__ import annotations

import random

import keras
import numpy as np
import pytest

from engine.models.layers import (
    ACTIVATIONS,
    KINDS,
    Construction,
    LayerSpec,
    build_layers,
    layer_code,
    layer_rows,
)


def random_layer(kind: str, rng: random.Random) -> tuple[LayerSpec, tuple[int, ...]]:
    """A valid layer of ``kind`` and an input shape it accepts."""
    image = (rng.randint(6, 12), rng.randint(6, 12), rng.randint(1, 5))
    spec = LayerSpec(kind, filters=rng.randint(1, 9), kernel_size=rng.randint(1, 3), strides=rng.randint(1, 2),
                     padding=rng.choice(("same", "valid")), activation=rng.choice(ACTIVATIONS),
                     pool_size=rng.randint(1, 3), rate=rng.choice((0.0, 0.3)), units=rng.randint(1, 20),
                     use_bias=rng.random() < 0.5)
    shape = {"vector": (rng.randint(1, 10),), "any": rng.choice((image, (rng.randint(1, 10),)))}.get(
        KINDS[kind].takes, image)
    return spec, shape


def construction() -> Construction:
    seeds = iter(range(1000))
    return Construction(initializer=lambda: keras.initializers.GlorotUniform(seed=next(seeds)),
                        dropout_seed=lambda: next(seeds))


def counted(model: keras.Model, trainable: bool) -> int:
    weights = model.trainable_weights if trainable else model.weights
    return int(sum(np.prod(weight.shape) for weight in weights))


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_predicts_the_shape_and_parameters_keras_builds(kind):
    rng = random.Random(kind)
    for _ in range(6):
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
    batch = np.random.default_rng(0).random((2, *shape), dtype=np.float32)
    np.testing.assert_allclose(written(batch), built(batch), rtol=1e-5, atol=1e-6)  # same seeds, same weights


@pytest.mark.parametrize(("layers", "shape", "message"), [
    ([LayerSpec("dense")], (8, 8, 1), "needs a flat vector: add Flatten"),
    ([LayerSpec("flatten"), LayerSpec("conv2d")], (8, 8, 1), "needs an image-shaped input"),
    ([LayerSpec("conv2d", kernel_size=5, padding="valid")], (3, 3, 1), "3×3 map is smaller than the 5×5 kernel"),
    ([LayerSpec("max_pool", pool_size=4)], (2, 2, 1), "smaller than the pooling window"),
])
def test_a_layer_that_cannot_follow_the_one_before_is_named_in_words(layers, shape, message):
    with pytest.raises(ValueError, match=message):
        layer_rows(shape, [(f"layer_{index}", layer) for index, layer in enumerate(layers)])
