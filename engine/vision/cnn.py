"""Convolutional networks from an editable list of layers, with shapes and sizes checked first.

A network is an input image size plus a list of ``LayerSpec``s; a softmax ``Dense`` output
with one unit per class is always appended. ``layer_table`` works out every layer's output
shape and parameter count with plain arithmetic (instant, no Keras), and explains a stack
that cannot work ("the 2×2 map is smaller than the 3×3 kernel") before anything is built.
``build_cnn`` then builds the Keras model with the functional API and explicit layer names
(so models built at once in different sessions never collide).

Besides single layers, two composite blocks show how modern networks branch:
- "inception": four branches side by side (1×1; 1×1 then 3×3; 1×1 then 5×5; 3×3 max pool then
  1×1), concatenated along the channels;
- "residual": two 3×3 convolutions whose output is added to the block's input (a 1×1
  projection on the shortcut when the channel count changes), then ReLU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

KINDS = ("conv2d", "max_pool", "average_pool", "batch_norm", "dropout", "flatten", "global_average_pool",
         "dense", "inception", "residual")
CONV_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "elu", "gelu", "swish")
MAX_LAYERS, MAX_FILTERS, MAX_UNITS, MAX_KERNEL = 16, 128, 512, 7
Shape = tuple[int, ...]
# The settings each kind of layer has (the others do not apply to it).
FIELDS = {
    "conv2d": ("filters", "kernel_size", "strides", "padding", "activation"),
    "max_pool": ("pool_size",),
    "average_pool": ("pool_size",),
    "batch_norm": (),
    "dropout": ("rate",),
    "flatten": (),
    "global_average_pool": (),
    "dense": ("units", "activation"),
    "inception": ("filters",),
    "residual": ("filters",),
}


@dataclass(frozen=True)
class LayerSpec:
    """One entry of the layer list; only the fields of its ``kind`` matter.

    Attributes:
        kind: one of ``KINDS``.
        filters: output channels of conv2d and residual blocks; per branch for inception.
        kernel_size: square kernel side of conv2d.
        strides: step of conv2d.
        padding: "valid" or "same" (conv2d).
        activation: of conv2d and dense.
        pool_size: window (and stride) of pooling layers.
        rate: dropout rate.
        units: dense units.
    """

    kind: str
    filters: int = 16
    kernel_size: int = 3
    strides: int = 1
    padding: str = "same"
    activation: str = "relu"
    pool_size: int = 2
    rate: float = 0.25
    units: int = 64

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown layer kind {self.kind!r}. Expected one of: {', '.join(KINDS)}.")
        checks = (
            (1 <= self.filters <= MAX_FILTERS, f"filters from 1 to {MAX_FILTERS}", self.filters),
            (1 <= self.kernel_size <= MAX_KERNEL, f"kernel_size from 1 to {MAX_KERNEL}", self.kernel_size),
            (1 <= self.strides <= 4, "strides from 1 to 4", self.strides),
            (self.padding in ("valid", "same"), "padding 'valid' or 'same'", self.padding),
            (self.activation in CONV_ACTIVATIONS, f"activation in {', '.join(CONV_ACTIVATIONS)}", self.activation),
            (1 <= self.pool_size <= 4, "pool_size from 1 to 4", self.pool_size),
            (0.0 <= self.rate < 1.0, "a dropout rate from 0 to 0.95", self.rate),
            (1 <= self.units <= MAX_UNITS, f"units from 1 to {MAX_UNITS}", self.units),
        )
        for ok, expected, received in checks:
            if not ok:
                raise ValueError(f"Expected {expected}. Received: {received!r} in a {self.kind} layer.")

    def describe(self) -> str:
        """A short label such as "Conv2D 16 3×3 relu"."""
        return {
            "conv2d": f"Conv2D {self.filters} {self.kernel_size}×{self.kernel_size}"
                      f"{f' /{self.strides}' if self.strides > 1 else ''} {self.padding} {self.activation}",
            "max_pool": f"MaxPooling {self.pool_size}×{self.pool_size}",
            "average_pool": f"AveragePooling {self.pool_size}×{self.pool_size}",
            "batch_norm": "BatchNormalization",
            "dropout": f"Dropout {self.rate:g}",
            "flatten": "Flatten",
            "global_average_pool": "GlobalAveragePooling",
            "dense": f"Dense {self.units} {self.activation}",
            "inception": f"Inception block, 4×{self.filters} channels",
            "residual": f"Residual block {self.filters}",
        }[self.kind]


COLUMNS = ("kind", *dict.fromkeys(field for fields in FIELDS.values() for field in fields))


def layer_rows(layers: tuple[LayerSpec, ...]) -> list[dict]:
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


@dataclass(frozen=True)
class LayerRow:
    """One line of the model table."""

    name: str
    description: str
    output_shape: Shape
    parameters: int


def _conv_size(size: int, kernel: int, stride: int, padding: str) -> int:
    return math.ceil(size / stride) if padding == "same" else (size - kernel) // stride + 1


def layer_table(input_shape: Shape, layers: tuple[LayerSpec, ...], num_classes: int) -> list[LayerRow]:
    """Output shape and parameter count of every layer, the softmax output included.

    Raises:
        ValueError: in plain words, for the first layer that cannot follow the one before.
    """
    if not 1 <= len(layers) <= MAX_LAYERS:
        raise ValueError(f"Expected 1 to {MAX_LAYERS} layers. Received: {len(layers)}.")
    rows = [LayerRow("input", "Input image", input_shape, 0)]
    shape = input_shape
    for index, layer in enumerate(layers, start=1):
        where = f"Layer {index} ({layer.describe()})"
        spatial = len(shape) == 3
        if layer.kind in ("conv2d", "max_pool", "average_pool", "inception", "residual", "global_average_pool",
                          "flatten") and not spatial:
            raise ValueError(f"{where} needs an image-shaped input, but the layer before it outputs a flat vector "
                             f"{shape}. Put it before the Flatten/GlobalAveragePooling layer.")
        if layer.kind == "dense" and spatial:
            raise ValueError(f"{where} needs a flat vector: add Flatten or GlobalAveragePooling before it.")
        if layer.kind == "conv2d":
            height, width = (_conv_size(size, layer.kernel_size, layer.strides, layer.padding) for size in shape[:2])
            if min(height, width) < 1:
                raise ValueError(f"{where}: the {shape[0]}×{shape[1]} map is smaller than the "
                                 f"{layer.kernel_size}×{layer.kernel_size} kernel with no padding. Use 'same' "
                                 "padding, a smaller kernel, or less pooling before it.")
            parameters = (layer.kernel_size**2 * shape[2] + 1) * layer.filters
            shape = (height, width, layer.filters)
        elif layer.kind in ("max_pool", "average_pool"):
            if min(shape[:2]) < layer.pool_size:
                raise ValueError(f"{where}: the {shape[0]}×{shape[1]} map is smaller than the pooling window. "
                                 "Remove this pooling layer or pool less earlier.")
            parameters, shape = 0, (shape[0] // layer.pool_size, shape[1] // layer.pool_size, shape[2])
        elif layer.kind == "batch_norm":
            parameters = 4 * shape[-1]  # scale and offset learn; the moving mean and variance do not
        elif layer.kind == "dropout":
            parameters = 0
        elif layer.kind == "flatten":
            parameters, shape = 0, (shape[0] * shape[1] * shape[2],)
        elif layer.kind == "global_average_pool":
            parameters, shape = 0, (shape[2],)
        elif layer.kind == "dense":
            parameters, shape = (shape[0] + 1) * layer.units, (layer.units,)
        elif layer.kind == "inception":
            channels, filters = shape[2], layer.filters
            parameters = ((channels + 1) * filters  # 1×1 branch
                          + (channels + 1) * filters + (9 * filters + 1) * filters  # 1×1 → 3×3
                          + (channels + 1) * filters + (25 * filters + 1) * filters  # 1×1 → 5×5
                          + (channels + 1) * filters)  # pool → 1×1
            shape = (shape[0], shape[1], 4 * filters)
        else:  # residual
            channels, filters = shape[2], layer.filters
            parameters = (9 * channels + 1) * filters + (9 * filters + 1) * filters
            if channels != filters:
                parameters += (channels + 1) * filters  # 1×1 projection on the shortcut
            shape = (shape[0], shape[1], filters)
        rows.append(LayerRow(f"layer_{index}", layer.describe(), shape, parameters))
    if len(shape) != 1:
        raise ValueError("The last layer still outputs an image: end the list with Flatten or "
                         "GlobalAveragePooling (and optionally Dense layers) before the output.")
    rows.append(LayerRow("output", f"Dense {num_classes} softmax", (num_classes,), (shape[0] + 1) * num_classes))
    return rows


def build_cnn(input_shape: Shape, layers: tuple[LayerSpec, ...], num_classes: int, seed: int):
    """The Keras model for a layer list (checked by ``layer_table`` first); same seed, same weights."""
    import keras

    layer_table(input_shape, layers, num_classes)
    seeds = iter(range(seed * 1000, seed * 1000 + 1000))

    def init() -> keras.initializers.Initializer:
        return keras.initializers.GlorotUniform(seed=next(seeds))

    def conv(x, filters: int, kernel: int, name: str, strides: int = 1, padding: str = "same",
             activation: str | None = "relu"):
        return keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding, activation=activation,
                                   kernel_initializer=init(), name=name)(x)

    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for index, layer in enumerate(layers, start=1):
        name = f"layer_{index}"
        if layer.kind == "conv2d":
            x = conv(x, layer.filters, layer.kernel_size, name, layer.strides, layer.padding, layer.activation)
        elif layer.kind == "max_pool":
            x = keras.layers.MaxPooling2D(layer.pool_size, name=name)(x)
        elif layer.kind == "average_pool":
            x = keras.layers.AveragePooling2D(layer.pool_size, name=name)(x)
        elif layer.kind == "batch_norm":
            x = keras.layers.BatchNormalization(name=name)(x)
        elif layer.kind == "dropout":
            x = keras.layers.Dropout(layer.rate, seed=next(seeds), name=name)(x)
        elif layer.kind == "flatten":
            x = keras.layers.Flatten(name=name)(x)
        elif layer.kind == "global_average_pool":
            x = keras.layers.GlobalAveragePooling2D(name=name)(x)
        elif layer.kind == "dense":
            x = keras.layers.Dense(layer.units, activation=layer.activation, kernel_initializer=init(), name=name)(x)
        elif layer.kind == "inception":
            filters = layer.filters
            branches = [
                conv(x, filters, 1, f"{name}_1x1"),
                conv(conv(x, filters, 1, f"{name}_3x3_reduce"), filters, 3, f"{name}_3x3"),
                conv(conv(x, filters, 1, f"{name}_5x5_reduce"), filters, 5, f"{name}_5x5"),
                conv(keras.layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x),
                     filters, 1, f"{name}_pool_proj"),
            ]
            x = keras.layers.Concatenate(name=name)(branches)
        else:  # residual
            shortcut = x if x.shape[-1] == layer.filters else conv(x, layer.filters, 1, f"{name}_projection",
                                                                    activation=None)
            y = conv(conv(x, layer.filters, 3, f"{name}_conv_a"), layer.filters, 3, f"{name}_conv_b", activation=None)
            x = keras.layers.Activation("relu", name=name)(keras.layers.Add(name=f"{name}_add")([y, shortcut]))
    outputs = keras.layers.Dense(num_classes, activation="softmax", kernel_initializer=init(), name="output")(x)
    return keras.Model(inputs, outputs, name="cnn")


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
