"""Every kind of layer the labs build, described once.

A ``LayerKind`` knows a layer's settings (the columns of the CNN lab's table), the input it
needs, its output shape and parameter count (plain arithmetic: a table updates instantly and
explains a stack that cannot work before Keras sees it), how to build it with Keras, and how to
write that as Keras code. ``layer_rows``, ``build_layers`` and ``layer_code`` all read ``KINDS``,
so the table a learner edits, the model that trains and the script they export cannot
disagree. The CNN and transfer labs' networks and the playground's MLP are built through it.

The recurrent kinds (SimpleRNN, LSTM, GRU) take a sequence, (time steps, features), and give
the last step's state or, with ``return_sequences``, every step's; an Embedding turns a
sequence of token codes, (time steps,), into one. The sequence labs build their networks here.

Besides single layers, two composite blocks show how modern networks branch:
- "inception": four branches side by side (1×1; 1×1 then 3×3; 1×1 then 5×5; 3×3 max pool then
  1×1), concatenated along the channels;
- "residual": two 3×3 convolutions whose output is added to the block's input (a 1×1
  projection on the shortcut when the channel count changes), then ReLU.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Shape = tuple[int, ...]
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu", "gelu", "swish")
OUTPUT_ACTIVATIONS = ("softmax",)  # output layers only
PADDINGS = ("same", "valid")
MAX_FILTERS, MAX_UNITS, MAX_KERNEL, MAX_STRIDE, MAX_POOL = 128, 512, 7, 4, 4
MAX_TOKENS = 10_000  # an Embedding's vocabulary
MAX_GAIN = 4.0  # of a recurrent layer's initial recurrent matrix
# What a kind's input must look like, by rank, and what to say when it does not.
INPUT_RANKS = {"image": (3,), "vector": (1,), "features": (1, 2), "sequence": (2,), "tokens": (1,), "any": (1, 2, 3)}


@dataclass(frozen=True)
class LayerSpec:
    """One layer; only the settings of its ``kind`` (``KINDS[kind].fields``) matter.

    Attributes:
        kind: a key of ``KINDS``.
        filters: output channels of conv2d and residual blocks; per branch for inception.
        kernel_size: square kernel side of conv2d.
        strides: step of conv2d.
        padding: "valid" or "same" (conv2d).
        activation: of conv2d, dense and activation layers.
        pool_size: window (and stride) of pooling layers.
        rate: dropout rate.
        units: dense units; a recurrent layer's state size; an embedding's vector size.
        use_bias: whether a dense layer adds a bias (not a column: a batch normalization after
            it has its own offset).
        return_sequences: whether a recurrent layer outputs its state at every step (for a
            layer stacked on it, or a prediction per step) or only the last one.
        input_dim: how many token codes an Embedding knows (its vocabulary).
        recurrent_gain: every singular value of a recurrent layer's initial recurrent matrix W
            (orthogonal times the gain): 1 keeps a state's norm from step to step, below 1 it
            shrinks (gradients vanish), above 1 it grows (they explode).
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
    use_bias: bool = True
    return_sequences: bool = False
    input_dim: int = 64
    recurrent_gain: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown layer kind {self.kind!r}. Expected one of: {', '.join(KINDS)}.")
        checks = (
            (1 <= self.filters <= MAX_FILTERS, f"filters from 1 to {MAX_FILTERS}", self.filters),
            (1 <= self.kernel_size <= MAX_KERNEL, f"kernel_size from 1 to {MAX_KERNEL}", self.kernel_size),
            (1 <= self.strides <= MAX_STRIDE, f"strides from 1 to {MAX_STRIDE}", self.strides),
            (self.padding in PADDINGS, "padding 'valid' or 'same'", self.padding),
            (self.activation in ACTIVATIONS + OUTPUT_ACTIVATIONS, f"activation in {', '.join(ACTIVATIONS)}",
             self.activation),
            (1 <= self.pool_size <= MAX_POOL, f"pool_size from 1 to {MAX_POOL}", self.pool_size),
            (0.0 <= self.rate < 1.0, "a dropout rate from 0 to 0.95", self.rate),
            (1 <= self.units <= MAX_UNITS, f"units from 1 to {MAX_UNITS}", self.units),
            (2 <= self.input_dim <= MAX_TOKENS, f"a vocabulary of 2 to {MAX_TOKENS:,} tokens", self.input_dim),
            (0.0 < self.recurrent_gain <= MAX_GAIN, f"a recurrent gain above 0 and at most {MAX_GAIN:g}",
             self.recurrent_gain),
        )
        for ok, expected, received in checks:
            if not ok:
                raise ValueError(f"Expected {expected}. Received: {received!r} in a {self.kind} layer.")

    def describe(self) -> str:
        """A short label such as "Conv2D 16 3×3 relu"."""
        return KINDS[self.kind].describe(self)


@dataclass(frozen=True)
class LayerRow:
    """One line of a model table.

    Attributes:
        name: the Keras layer's name.
        description: what it is, in a few words.
        output_shape: per example (no batch axis).
        parameters: its weights; trainable: those the optimizer changes (batch normalization's
            moving mean and variance are statistics, not trained).
    """

    name: str
    description: str
    output_shape: Shape
    parameters: int
    trainable: int


@dataclass
class Construction:
    """What building needs besides the layers: seeded kernel initializers and seeds for the other
    random parts (dropout masks, recurrent and embedding weights), in the order the layers ask
    for them, and an optional kernel regularizer."""

    initializer: Callable[[], Any]
    next_seed: Callable[[], int]
    regularizer: Any = None


@dataclass(frozen=True)
class LayerKind:
    """One kind of layer.

    Attributes:
        title: its Keras name.
        fields: the ``LayerSpec`` settings it has.
        takes: a key of ``INPUT_RANKS``: "image" (height, width, channels), "vector",
            "features" (a vector, or a sequence: Dense acts on each step), "sequence" (time
            steps, features), "tokens" (time steps of token codes) or "any".
        output: (spec, input shape) -> output shape; ``ValueError`` when the input cannot work.
        parameters: (spec, input shape) -> (weights, trainable weights).
        describe: spec -> a short label.
        build: (tensor, spec, name, construction) -> tensor, with Keras.
        code: (spec, name, regularized) -> source lines ``x = ...(x)`` of the same.
    """

    title: str
    fields: tuple[str, ...]
    takes: str
    output: Callable[[LayerSpec, Shape], Shape]
    parameters: Callable[[LayerSpec, Shape], tuple[int, int]]
    describe: Callable[[LayerSpec], str]
    build: Callable[[Any, LayerSpec, str, Construction], Any]
    code: Callable[[LayerSpec, str, bool], list[str]]


# ----------------------------------------------------------------- shapes and counts
def _conv_size(size: int, kernel: int, stride: int, padding: str) -> int:
    return math.ceil(size / stride) if padding == "same" else (size - kernel) // stride + 1


def _conv_output(spec: LayerSpec, shape: Shape) -> Shape:
    height, width = (_conv_size(size, spec.kernel_size, spec.strides, spec.padding) for size in shape[:2])
    if min(height, width) < 1:
        raise ValueError(f"the {shape[0]}×{shape[1]} map is smaller than the {spec.kernel_size}×{spec.kernel_size} "
                         "kernel with no padding. Use 'same' padding, a smaller kernel, or less pooling before it.")
    return height, width, spec.filters


def _pool_output(spec: LayerSpec, shape: Shape) -> Shape:
    if min(shape[:2]) < spec.pool_size:
        raise ValueError(f"the {shape[0]}×{shape[1]} map is smaller than the pooling window. "
                         "Remove this pooling layer or pool less earlier.")
    return shape[0] // spec.pool_size, shape[1] // spec.pool_size, shape[2]


def _same(spec: LayerSpec, shape: Shape) -> Shape:
    return shape


def _none(spec: LayerSpec, shape: Shape) -> tuple[int, int]:
    return 0, 0


def _all_trainable(count: Callable[[LayerSpec, Shape], int]) -> Callable[[LayerSpec, Shape], tuple[int, int]]:
    def parameters(spec: LayerSpec, shape: Shape) -> tuple[int, int]:
        total = count(spec, shape)
        return total, total
    return parameters


def _inception_parameters(spec: LayerSpec, shape: Shape) -> int:
    channels, filters = shape[2], spec.filters
    return ((channels + 1) * filters  # 1×1 branch
            + (channels + 1) * filters + (9 * filters + 1) * filters  # 1×1 → 3×3
            + (channels + 1) * filters + (25 * filters + 1) * filters  # 1×1 → 5×5
            + (channels + 1) * filters)  # pool → 1×1


def _residual_parameters(spec: LayerSpec, shape: Shape) -> int:
    channels, filters = shape[2], spec.filters
    projection = (channels + 1) * filters if channels != filters else 0  # 1×1 on the shortcut
    return (9 * channels + 1) * filters + (9 * filters + 1) * filters + projection


RECURRENT_BLOCKS = {"simple_rnn": 1, "lstm": 4, "gru": 3}  # weight blocks: LSTM 4×, GRU 3× a SimpleRNN's


@dataclass(frozen=True)
class WeightCounts:
    """How many weights a recurrent layer has, by kind: what makes an LSTM 4× and a GRU 3× a SimpleRNN."""

    cell: str
    input_weights: int  # the kernel: features × blocks·units
    recurrent_weights: int  # the recurrent kernel: units × blocks·units
    biases: int

    @property
    def total(self) -> int:
        """Every trainable number of the layer (Keras's ``count_params()``)."""
        return self.input_weights + self.recurrent_weights + self.biases


def weight_counts(cell: str, features: int, units: int) -> WeightCounts:
    """The weights of a Keras ``SimpleRNN``, ``LSTM`` or ``GRU`` (``reset_after=True``) layer, by kind."""
    if cell not in RECURRENT_BLOCKS:
        raise ValueError(f"Unknown cell {cell!r}. Expected one of: {', '.join(RECURRENT_BLOCKS)}.")
    if features < 1 or units < 1:
        raise ValueError(f"Expected at least one feature and one unit. Received: features={features}, units={units}.")
    blocks = RECURRENT_BLOCKS[cell]
    biases = blocks * units * (2 if cell == "gru" else 1)  # a GRU adds a second bias to the recurrent part
    return WeightCounts(cell, features * blocks * units, units * blocks * units, biases)


def _recurrent_parameters(kind: str) -> Callable[[LayerSpec, Shape], tuple[int, int]]:
    return _all_trainable(lambda spec, shape: weight_counts(kind, shape[-1], spec.units).total)


def _recurrent_label(title: str) -> Callable[[LayerSpec], str]:
    return lambda spec: f"{title} {spec.units}{' (every step)' if spec.return_sequences else ''}"


def _recurrent_output(spec: LayerSpec, shape: Shape) -> Shape:
    return (shape[0], spec.units) if spec.return_sequences else (spec.units,)


# ----------------------------------------------------------------- Keras
def _keras() -> Any:
    import keras

    return keras


def _conv(x: Any, filters: int, kernel: int, name: str, construction: Construction, strides: int = 1,
          padding: str = "same", activation: str | None = "relu") -> Any:
    return _keras().layers.Conv2D(filters, kernel, strides=strides, padding=padding, activation=activation,
                                  kernel_initializer=construction.initializer(),
                                  kernel_regularizer=construction.regularizer, name=name)(x)


def _build_dropout(x: Any, spec: LayerSpec, name: str, construction: Construction) -> Any:
    """A Dropout layer whose rate may rise above 0 later, while a run trains: Keras makes the seed
    generator only for a layer constructed with a positive rate, so construct it so, then set the rate."""
    layer = _keras().layers.Dropout(0.5, seed=construction.next_seed(), name=name)
    layer.rate = float(spec.rate)
    return layer(x)


def _build_recurrent(title: str) -> Callable[[Any, LayerSpec, str, Construction], Any]:
    def build(x: Any, spec: LayerSpec, name: str, construction: Construction) -> Any:
        keras = _keras()
        return getattr(keras.layers, title)(
            spec.units, return_sequences=spec.return_sequences, kernel_initializer=construction.initializer(),
            recurrent_initializer=keras.initializers.Orthogonal(spec.recurrent_gain, seed=construction.next_seed()),
            kernel_regularizer=construction.regularizer, name=name)(x)
    return build


def _build_embedding(x: Any, spec: LayerSpec, name: str, construction: Construction) -> Any:
    keras = _keras()
    return keras.layers.Embedding(spec.input_dim, spec.units, name=name, embeddings_initializer=keras.initializers.
                                  RandomUniform(-0.05, 0.05, seed=construction.next_seed()))(x)


def _build_inception(x: Any, spec: LayerSpec, name: str, construction: Construction) -> Any:
    keras, filters, c = _keras(), spec.filters, construction
    branches = [
        _conv(x, filters, 1, f"{name}_1x1", c),
        _conv(_conv(x, filters, 1, f"{name}_3x3_reduce", c), filters, 3, f"{name}_3x3", c),
        _conv(_conv(x, filters, 1, f"{name}_5x5_reduce", c), filters, 5, f"{name}_5x5", c),
        _conv(keras.layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x), filters, 1,
              f"{name}_pool_proj", c),
    ]
    return keras.layers.Concatenate(name=name)(branches)


def _build_residual(x: Any, spec: LayerSpec, name: str, construction: Construction) -> Any:
    keras, filters, c = _keras(), spec.filters, construction
    shortcut = x if x.shape[-1] == filters else _conv(x, filters, 1, f"{name}_projection", c, activation=None)
    y = _conv(_conv(x, filters, 3, f"{name}_conv_a", c), filters, 3, f"{name}_conv_b", c, activation=None)
    return keras.layers.Activation("relu", name=name)(keras.layers.Add(name=f"{name}_add")([y, shortcut]))


# ----------------------------------------------------------------- code
def _initialised(regularized: bool) -> str:
    return "kernel_initializer=init()" + (", kernel_regularizer=regularizer" if regularized else "")


def _conv_line(target: str, source: str, filters: int, kernel: int, name: str, regularized: bool, strides: int = 1,
               padding: str = "same", activation: str | None = "relu") -> str:
    return (f"{target} = keras.layers.Conv2D({filters}, {kernel}, strides={strides}, padding={padding!r}, "
            f"activation={activation!r}, {_initialised(regularized)}, name={name!r})({source})")


def _inception_code(spec: LayerSpec, name: str, regularized: bool) -> list[str]:
    f, r = spec.filters, regularized
    return [
        _conv_line("b1", "x", f, 1, f"{name}_1x1", r),
        _conv_line("b3", "x", f, 1, f"{name}_3x3_reduce", r), _conv_line("b3", "b3", f, 3, f"{name}_3x3", r),
        _conv_line("b5", "x", f, 1, f"{name}_5x5_reduce", r), _conv_line("b5", "b5", f, 5, f"{name}_5x5", r),
        f"bp = keras.layers.MaxPooling2D(3, strides=1, padding='same', name={name + '_pool'!r})(x)",
        _conv_line("bp", "bp", f, 1, f"{name}_pool_proj", r),
        f"x = keras.layers.Concatenate(name={name!r})([b1, b3, b5, bp])",
    ]


def _residual_code(spec: LayerSpec, name: str, regularized: bool) -> list[str]:
    f, r = spec.filters, regularized
    projection = _conv_line("shortcut", "x", f, 1, f"{name}_projection", r, activation=None)  # when channels change
    return [
        "shortcut = x",
        f"if x.shape[-1] != {f}:",
        f"    {projection}",
        _conv_line("y", "x", f, 3, f"{name}_conv_a", r),
        _conv_line("y", "y", f, 3, f"{name}_conv_b", r, activation=None),
        f"x = keras.layers.Activation('relu', name={name!r})(keras.layers.Add(name={name + '_add'!r})([y, shortcut]))",
    ]


def _recurrent_code(title: str) -> Callable[[LayerSpec, str, bool], list[str]]:
    def code(spec: LayerSpec, name: str, regularized: bool) -> list[str]:
        regularizer = ", kernel_regularizer=regularizer" if regularized else ""
        return [f"x = keras.layers.{title}({spec.units}, return_sequences={spec.return_sequences}, "
                f"kernel_initializer=init(), recurrent_initializer=keras.initializers.Orthogonal({spec.recurrent_gain!r}, "
                f"seed=next_seed()){regularizer}, name={name!r})(x)"]
    return code


def _simple(title: str, arguments: Callable[[LayerSpec], str]) -> Callable[[LayerSpec, str, bool], list[str]]:
    """Code for a layer that is one Keras call on ``x``."""
    def code(spec: LayerSpec, name: str, regularized: bool) -> list[str]:
        inner = arguments(spec)
        return [f"x = keras.layers.{title}({inner}{', ' if inner else ''}name={name!r})(x)"]
    return code


KINDS: dict[str, LayerKind] = {
    "conv2d": LayerKind(
        "Conv2D", ("filters", "kernel_size", "strides", "padding", "activation"), "image", _conv_output,
        _all_trainable(lambda s, shape: (s.kernel_size**2 * shape[2] + 1) * s.filters),
        lambda s: f"Conv2D {s.filters} {s.kernel_size}×{s.kernel_size}"
                  f"{f' /{s.strides}' if s.strides > 1 else ''} {s.padding} {s.activation}",
        lambda x, s, name, c: _conv(x, s.filters, s.kernel_size, name, c, s.strides, s.padding, s.activation),
        lambda s, name, r: [_conv_line("x", "x", s.filters, s.kernel_size, name, r, s.strides, s.padding,
                                       s.activation)]),
    "max_pool": LayerKind(
        "MaxPooling2D", ("pool_size",), "image", _pool_output, _none,
        lambda s: f"MaxPooling {s.pool_size}×{s.pool_size}",
        lambda x, s, name, c: _keras().layers.MaxPooling2D(s.pool_size, name=name)(x),
        _simple("MaxPooling2D", lambda s: str(s.pool_size))),
    "average_pool": LayerKind(
        "AveragePooling2D", ("pool_size",), "image", _pool_output, _none,
        lambda s: f"AveragePooling {s.pool_size}×{s.pool_size}",
        lambda x, s, name, c: _keras().layers.AveragePooling2D(s.pool_size, name=name)(x),
        _simple("AveragePooling2D", lambda s: str(s.pool_size))),
    "batch_norm": LayerKind(
        "BatchNormalization", (), "any", _same, lambda s, shape: (4 * shape[-1], 2 * shape[-1]),
        lambda s: "BatchNormalization",
        lambda x, s, name, c: _keras().layers.BatchNormalization(name=name)(x),
        _simple("BatchNormalization", lambda s: "")),
    "dropout": LayerKind(
        "Dropout", ("rate",), "any", _same, _none, lambda s: f"Dropout {s.rate:g}", _build_dropout,
        _simple("Dropout", lambda s: f"{s.rate!r}, seed=next_seed()")),
    "flatten": LayerKind(
        "Flatten", (), "image", lambda s, shape: (shape[0] * shape[1] * shape[2],), _none, lambda s: "Flatten",
        lambda x, s, name, c: _keras().layers.Flatten(name=name)(x), _simple("Flatten", lambda s: "")),
    "global_average_pool": LayerKind(
        "GlobalAveragePooling2D", (), "image", lambda s, shape: (shape[2],), _none, lambda s: "GlobalAveragePooling",
        lambda x, s, name, c: _keras().layers.GlobalAveragePooling2D(name=name)(x),
        _simple("GlobalAveragePooling2D", lambda s: "")),
    "dense": LayerKind(
        "Dense", ("units", "activation"), "features", lambda s, shape: (*shape[:-1], s.units),
        _all_trainable(lambda s, shape: (shape[-1] + s.use_bias) * s.units),
        lambda s: f"Dense {s.units} {s.activation}",
        lambda x, s, name, c: _keras().layers.Dense(
            s.units, activation=s.activation, use_bias=s.use_bias, kernel_initializer=c.initializer(),
            kernel_regularizer=c.regularizer, name=name)(x),
        lambda s, name, r: [f"x = keras.layers.Dense({s.units}, activation={s.activation!r}, use_bias={s.use_bias}, "
                            f"{_initialised(r)}, name={name!r})(x)"]),
    "activation": LayerKind(
        "Activation", ("activation",), "any", _same, _none, lambda s: f"Activation {s.activation}",
        lambda x, s, name, c: _keras().layers.Activation(s.activation, name=name)(x),
        _simple("Activation", lambda s: repr(s.activation))),
    "inception": LayerKind(
        "Inception block", ("filters",), "image", lambda s, shape: (shape[0], shape[1], 4 * s.filters),
        _all_trainable(_inception_parameters), lambda s: f"Inception block, 4×{s.filters} channels",
        _build_inception, _inception_code),
    "residual": LayerKind(
        "Residual block", ("filters",), "image", lambda s, shape: (shape[0], shape[1], s.filters),
        _all_trainable(_residual_parameters), lambda s: f"Residual block {s.filters}", _build_residual,
        _residual_code),
    **{kind: LayerKind(
        title, ("units", "return_sequences", "recurrent_gain"), "sequence", _recurrent_output, _recurrent_parameters(kind),
        _recurrent_label(title), _build_recurrent(title), _recurrent_code(title))
       for kind, title in (("simple_rnn", "SimpleRNN"), ("lstm", "LSTM"), ("gru", "GRU"))},
    "embedding": LayerKind(
        "Embedding", ("input_dim", "units"), "tokens", lambda s, shape: (shape[0], s.units),
        _all_trainable(lambda s, shape: s.input_dim * s.units), lambda s: f"Embedding {s.input_dim}→{s.units}",
        _build_embedding,
        _simple("Embedding", lambda s: f"{s.input_dim}, {s.units}, embeddings_initializer=keras.initializers."
                                       "RandomUniform(-0.05, 0.05, seed=next_seed())")),
}


# ----------------------------------------------------------------- a stack of layers
def layer_rows(input_shape: Shape, layers: Sequence[tuple[str, LayerSpec]]) -> list[LayerRow]:
    """Each named layer's output shape and parameter counts, by arithmetic (no Keras).

    Raises:
        ValueError: in plain words, for the first layer that cannot follow the one before.
    """
    rows, shape = [], input_shape
    for index, (name, layer) in enumerate(layers, start=1):
        kind = KINDS[layer.kind]
        where = f"Layer {index} ({layer.describe()})"
        if len(shape) not in INPUT_RANKS[kind.takes] or (kind.takes == "tokens" and index > 1):
            raise ValueError(f"{where} {_needs(kind.takes, shape)}")
        try:
            output = kind.output(layer, shape)
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        parameters, trainable = kind.parameters(layer, shape)
        rows.append(LayerRow(name, layer.describe(), output, parameters, trainable))
        shape = output
    return rows


def _needs(takes: str, shape: Shape) -> str:
    """Why a layer cannot take an input of ``shape``, and what to do about it."""
    if takes == "image":
        return (f"needs an image-shaped input, but the layer before it outputs {_shape_words(shape)}. "
                "Put it before the Flatten/GlobalAveragePooling layer.")
    if takes == "sequence":
        return (f"needs a sequence (time steps × features), but receives {_shape_words(shape)}. A recurrent layer "
                "stacked on another needs return_sequences on the one below it.")
    if takes == "tokens":
        return f"needs a sequence of token codes, but receives {_shape_words(shape)}: put it first."
    return "needs a flat vector: add Flatten or GlobalAveragePooling before it."


def _shape_words(shape: Shape) -> str:
    names = {1: "a flat vector", 2: "a sequence", 3: "an image"}
    return f"{names.get(len(shape), 'a tensor')} {'×'.join(map(str, shape))}"


def build_layers(x: Any, layers: Sequence[tuple[str, LayerSpec]], construction: Construction) -> Any:
    """The named layers applied to the Keras tensor ``x`` in order (functional API); the last output."""
    for name, layer in layers:
        x = KINDS[layer.kind].build(x, layer, name, construction)
    return x


def layer_code(layers: Sequence[tuple[str, LayerSpec]], regularized: bool = False) -> list[str]:
    """Source lines that apply the named layers to ``x``, as ``build_layers`` does.

    The lines call ``init()`` for each kernel initializer and ``next_seed()`` for each dropout
    seed, and name ``regularizer`` when ``regularized``: the script defines them.
    """
    return [line for name, layer in layers for line in KINDS[layer.kind].code(layer, name, regularized)]
