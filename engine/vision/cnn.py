"""Convolutional networks from an editable list of layers, with shapes and sizes checked first.

A network is an input image size plus a list of ``LayerSpec``s (``engine.models.layers``, the
registry of layer kinds); a softmax ``Dense`` output with one unit per class is always
appended. ``layer_table`` works out every layer's output shape and parameter count with plain
arithmetic (instant, no Keras), and explains a stack that cannot work ("the 2×2 map is smaller
than the 3×3 kernel") before anything is built. ``build_cnn`` then builds the Keras model with
the functional API and explicit layer names (so models built at once in different sessions
never collide), and ``cnn_code`` writes the same model as Keras code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.models.layers import KINDS, Construction, LayerRow, LayerSpec, build_layers, layer_code, layer_rows

MAX_LAYERS = 16
Shape = tuple[int, ...]
TABLE_KINDS = ("conv2d", "max_pool", "average_pool", "batch_norm", "dropout", "flatten", "global_average_pool",
               "dense", "inception", "residual")  # what the layer table offers
# The settings each kind of layer in the table has (the others do not apply to it).
FIELDS = {kind: KINDS[kind].fields for kind in TABLE_KINDS}


COLUMNS = ("kind", *dict.fromkeys(field for fields in FIELDS.values() for field in fields))


def editor_rows(layers: tuple[LayerSpec, ...]) -> list[dict]:
    """The layers as table rows: each layer's own settings, the cells of settings its kind lacks None."""
    return [{column: getattr(layer, column) if column == "kind" or column in FIELDS[layer.kind] else None
             for column in COLUMNS} for layer in layers]


def tidy_rows(rows: list[dict]) -> list[dict] | None:
    """Edited table rows with each kind's own cells filled (defaults where empty) and the others emptied.

    Returns None when the rows are tidy already: it is a row whose kind changed (or a cell
    cleared) that untidies them. Rows without a known kind yet are left as they are.
    """
    defaults = LayerSpec("dense")
    tidy = []
    for row in rows:
        fields = FIELDS.get(str(row.get("kind")))
        if fields is None:
            tidy.append(row)
            continue
        tidy.append({column: row.get(column) if column == "kind" else (
            (row.get(column) if _filled(row.get(column)) else getattr(defaults, column)) if column in fields else None)
            for column in COLUMNS})
    same = all(_filled(old.get(column)) == _filled(new.get(column))
               for old, new in zip(rows, tidy, strict=True) for column in COLUMNS)
    return None if same else tidy


def _filled(value: object) -> bool:
    """Whether a table cell holds a value (tables give None or NaN for an empty cell)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _named(layers: tuple[LayerSpec, ...], num_classes: int) -> list[tuple[str, LayerSpec]]:
    """The layers with their Keras names, and the softmax output."""
    return [*((f"layer_{index}", layer) for index, layer in enumerate(layers, start=1)),
            ("output", LayerSpec("dense", units=num_classes, activation="softmax"))]


def layer_table(input_shape: Shape, layers: tuple[LayerSpec, ...], num_classes: int) -> list[LayerRow]:
    """Output shape and parameter count of every layer, the input and the softmax output included.

    Raises:
        ValueError: in plain words, for the first layer that cannot follow the one before.
    """
    if not 1 <= len(layers) <= MAX_LAYERS:
        raise ValueError(f"Expected 1 to {MAX_LAYERS} layers. Received: {len(layers)}.")
    unknown = [layer.kind for layer in layers if layer.kind not in TABLE_KINDS]
    if unknown:
        raise ValueError(f"The layer table has no {unknown[0]} layers. Expected one of: {', '.join(TABLE_KINDS)}.")
    hidden = layer_rows(input_shape, _named(layers, num_classes)[:-1])
    last = hidden[-1].output_shape
    if len(last) != 1:
        raise ValueError("The last layer still outputs an image: end the list with Flatten or "
                         "GlobalAveragePooling (and optionally Dense layers) before the output.")
    output = layer_rows(last, _named(layers, num_classes)[-1:])[0]
    return [LayerRow("input", "Input image", input_shape, 0, 0), *hidden, output]


def build_cnn(input_shape: Shape, layers: tuple[LayerSpec, ...], num_classes: int, seed: int):
    """The Keras model for a layer list (checked by ``layer_table`` first); same seed, same weights."""
    import keras

    layer_table(input_shape, layers, num_classes)
    seeds = iter(range(seed * 1000, seed * 1000 + 1000))
    construction = Construction(initializer=lambda: keras.initializers.GlorotUniform(seed=next(seeds)),
                                next_seed=lambda: next(seeds))
    inputs = keras.Input(input_shape, name="image")
    return keras.Model(inputs, build_layers(inputs, _named(layers, num_classes), construction), name="cnn")


def cnn_code(layers: tuple[LayerSpec, ...]) -> list[str]:
    """Keras source lines that apply the layer list and the output to ``x``, as ``build_cnn`` does.

    The output's size is the variable ``num_classes`` of the code around them.
    """
    *body, output = layer_code(_named(layers, 1))
    return [*body, output.replace("Dense(1,", "Dense(num_classes,", 1)]


@dataclass(frozen=True)
class CnnPreset:
    """A named architecture: its layers, the image side it expects, and what it teaches."""

    description: str
    image_size: int
    layers: tuple[LayerSpec, ...]


PRESETS: dict[str, CnnPreset] = {
    "Small CNN": CnnPreset(
        "Two convolutions with pooling, then a small dense head: learns the 8×8 digits in seconds.", 8, (
            LayerSpec("conv2d", filters=16), LayerSpec("max_pool"),
            LayerSpec("conv2d", filters=32), LayerSpec("global_average_pool"),
            LayerSpec("dense", units=64), LayerSpec("dropout", rate=0.2),
        )),
    "LeNet-5": CnnPreset(
        "LeCun's 1998 digit reader: 5×5 tanh convolutions and average pooling on 32×32 images, "
        "then 120 and 84 dense units (61,706 parameters).", 32, (
            LayerSpec("conv2d", filters=6, kernel_size=5, padding="valid", activation="tanh"),
            LayerSpec("average_pool"),
            LayerSpec("conv2d", filters=16, kernel_size=5, padding="valid", activation="tanh"),
            LayerSpec("average_pool"), LayerSpec("flatten"),
            LayerSpec("dense", units=120, activation="tanh"), LayerSpec("dense", units=84, activation="tanh"),
        )),
    "Mini VGG": CnnPreset(
        "VGG's idea in miniature: pairs of 3×3 convolutions, each pair followed by pooling, "
        "doubling the channels as the maps shrink.", 16, (
            LayerSpec("conv2d", filters=16), LayerSpec("conv2d", filters=16), LayerSpec("max_pool"),
            LayerSpec("conv2d", filters=32), LayerSpec("conv2d", filters=32), LayerSpec("max_pool"),
            LayerSpec("flatten"), LayerSpec("dense", units=64), LayerSpec("dropout", rate=0.3),
        )),
    "Inception block": CnnPreset(
        "One convolution, then an Inception block looking at 1×1, 3×3 and 5×5 neighbourhoods at once "
        "and stacking the answers.", 16, (
            LayerSpec("conv2d", filters=16), LayerSpec("max_pool"),
            LayerSpec("inception", filters=8), LayerSpec("global_average_pool"),
        )),
    "Residual block": CnnPreset(
        "A residual block adds its input back to its output, so it only has to learn a correction: "
        "what lets networks hundreds of layers deep still train.", 16, (
            LayerSpec("conv2d", filters=16), LayerSpec("residual", filters=16), LayerSpec("max_pool"),
            LayerSpec("residual", filters=32), LayerSpec("global_average_pool"),
        )),
}
