"""CNN layer lists: shapes and parameter counts by hand and against Keras, plain-language errors."""

import math

import numpy as np
import pytest

from engine.models.layers import LayerSpec
from engine.vision.cnn import COLUMNS, FIELDS, PRESETS, build_cnn, editor_rows, layer_table, tidy_rows


def test_lenet5_has_the_classic_61706_parameters():
    rows = layer_table((32, 32, 1), PRESETS["LeNet-5"].layers, 10)
    # conv 6@5×5: (25+1)·6; conv 16@5×5: (150+1)·16; dense 400→120, 120→84, 84→10
    assert [row.parameters for row in rows if row.parameters] == [156, 2416, 48120, 10164, 850]
    assert sum(row.parameters for row in rows) == 61_706
    assert [row.output_shape for row in rows][1:5] == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16)]


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_with_the_counted_shapes_and_parameters(name):
    preset = PRESETS[name]
    input_shape = (preset.image_size, preset.image_size, 1)
    rows = layer_table(input_shape, preset.layers, 10)
    model = build_cnn(input_shape, preset.layers, 10, seed=3)
    assert model.count_params() == sum(row.parameters for row in rows)
    for row in rows[1:-1]:
        assert tuple(model.get_layer(row.name).output.shape[1:]) == row.output_shape
    assert model(np.zeros((2, *input_shape), np.float32)).shape == (2, 10)


def test_the_same_seed_gives_the_same_weights():
    layers = PRESETS["Residual block"].layers
    first, again, other = (build_cnn((16, 16, 1), layers, 10, seed) for seed in (1, 1, 2))
    for a, b in zip(first.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.get_weights()[0], other.get_weights()[0])


def test_hand_counts_for_batch_norm_and_a_small_stack():
    layers = (LayerSpec("conv2d", filters=4, kernel_size=3, padding="valid"), LayerSpec("batch_norm"),
              LayerSpec("max_pool"), LayerSpec("flatten"), LayerSpec("dense", units=5))
    rows = layer_table((8, 8, 1), layers, 3)
    # conv (9+1)·4 = 40 → 6×6×4; batch norm 4·4 = 16; pool → 3×3×4; flatten 36; dense (36+1)·5; out (5+1)·3
    assert [row.parameters for row in rows] == [0, 40, 16, 0, 0, 185, 18]
    assert rows[-3].output_shape == (36,)


@pytest.mark.parametrize(("layers", "message"), [
    ((LayerSpec("conv2d", kernel_size=7, padding="valid"), LayerSpec("conv2d", kernel_size=5, padding="valid")),
     r"Layer 2 .* the 2×2 map is smaller than the 5×5 kernel"),
    ((LayerSpec("max_pool"), LayerSpec("max_pool"), LayerSpec("max_pool"), LayerSpec("max_pool")),
     r"Layer 4 .* smaller than the pooling window"),
    ((LayerSpec("dense"),), "add Flatten or GlobalAveragePooling before it"),
    ((LayerSpec("flatten"), LayerSpec("conv2d")), "needs an image-shaped input"),
    ((LayerSpec("conv2d"),), "end the list with Flatten or GlobalAveragePooling"),
    ((), "Expected 1 to 16 layers"),
])
def test_impossible_stacks_are_explained(layers, message):
    with pytest.raises(ValueError, match=message):
        layer_table((8, 8, 1), layers, 10)


def test_bad_layer_settings_say_what_was_expected():
    with pytest.raises(ValueError, match="filters from 1 to 128"):
        LayerSpec("conv2d", filters=0)
    with pytest.raises(ValueError, match="Unknown layer kind"):
        LayerSpec("transformer")


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_table_rows_fill_only_each_kinds_own_cells():
    for preset in PRESETS.values():
        for row in editor_rows(preset.layers):
            for column in COLUMNS[1:]:
                assert _empty(row[column]) == (column not in FIELDS[row["kind"]]), (row["kind"], column)
    assert tidy_rows(editor_rows(PRESETS["LeNet-5"].layers)) is None  # already tidy: the table is left alone


def test_a_row_that_changes_kind_gets_its_new_kinds_cells_and_loses_the_others():
    rows = editor_rows(PRESETS["LeNet-5"].layers)
    rows[1] = {**rows[1], "kind": "dense"}  # was a pooling row: pool size filled, units and activation empty
    tidy = tidy_rows(rows)
    assert tidy is not None and tidy[0] == rows[0]
    assert tidy[1]["units"] == 64 and tidy[1]["activation"] == "relu" and _empty(tidy[1]["pool_size"])
    new_row = {column: None for column in COLUMNS}  # a row just added, no kind yet: left as it is
    assert tidy_rows([*tidy, new_row]) is None
