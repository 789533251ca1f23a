"""The playground's fully connected network (multilayer perceptron), built from a config.

Each hidden layer is Dense → (BatchNormalization → Activation) → Dropout. Dropout layers are
always present (a rate of 0 is a no-op) and every Dense kernel carries an L1L2 regularizer,
so dropout and regularization rates can change while a run trains without a rebuild.
Layers get explicit names: models built at the same time in different sessions then never
collide, whatever Keras's global name counters do.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu", "gelu", "swish")
INITIALIZERS = (
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal",
    "random_normal", "zeros",
)
REGULARIZATIONS = ("none", "l1", "l2")
PROBLEMS = ("binary", "multiclass", "regression")
MAX_HIDDEN_LAYERS, MAX_UNITS = 8, 64


@dataclass(frozen=True)
class NetworkConfig:
    """Architecture of a playground network.

    Attributes:
        hidden_units: units of each hidden layer (0 to 8 layers, 1 to 64 units).
        activations: activation of each hidden layer, one of ``ACTIVATIONS``.
        dropout_rates: dropout after each hidden layer, 0 to 0.9 (live).
        batch_norm: insert BatchNormalization before each hidden activation.
        regularization: "none", "l1" or "l2" on every kernel (live).
        regularization_rate: its strength (live).
        kernel_initializer: Keras initializer name, one of ``INITIALIZERS``.
    """

    hidden_units: tuple[int, ...] = (4, 2)
    activations: tuple[str, ...] = ("tanh", "tanh")
    dropout_rates: tuple[float, ...] = (0.0, 0.0)
    batch_norm: bool = False
    regularization: str = "none"
    regularization_rate: float = 0.0
    kernel_initializer: str = "glorot_uniform"

    def __post_init__(self) -> None:
        if len(self.hidden_units) > MAX_HIDDEN_LAYERS:
            raise ValueError(
                f"Expected at most {MAX_HIDDEN_LAYERS} hidden layers. Received: {len(self.hidden_units)}."
            )
        if not len(self.hidden_units) == len(self.activations) == len(self.dropout_rates):
            raise ValueError(
                "Expected one activation and one dropout rate per hidden layer. Received: "
                f"{len(self.hidden_units)} layers, {len(self.activations)} activations, "
                f"{len(self.dropout_rates)} dropout rates."
            )
        for index, units in enumerate(self.hidden_units, start=1):
            if not 1 <= units <= MAX_UNITS:
                raise ValueError(
                    f"Expected hidden layer sizes between 1 and {MAX_UNITS}. "
                    f"Received: units={units} in layer {index}."
                )
        for name in self.activations:
            if name not in ACTIVATIONS:
                raise ValueError(f"Unknown activation {name!r}. Expected one of: {', '.join(ACTIVATIONS)}.")
        for rate in self.dropout_rates:
            if not 0.0 <= rate <= 0.9:
                raise ValueError(f"Expected dropout rates between 0 and 0.9. Received: {rate}.")
        if self.regularization not in REGULARIZATIONS:
            raise ValueError(
                f"Unknown regularization {self.regularization!r}. Expected one of: {', '.join(REGULARIZATIONS)}."
            )
        if not 0.0 <= self.regularization_rate <= 1.0:
            raise ValueError(f"Expected a regularization rate between 0 and 1. Received: {self.regularization_rate}.")
        if self.kernel_initializer not in INITIALIZERS:
            raise ValueError(
                f"Unknown initializer {self.kernel_initializer!r}. Expected one of: {', '.join(INITIALIZERS)}."
            )

    @property
    def l1(self) -> float:
        """The L1 rate in effect (0 unless regularization is "l1")."""
        return self.regularization_rate if self.regularization == "l1" else 0.0

    @property
    def l2(self) -> float:
        """The L2 rate in effect (0 unless regularization is "l2")."""
        return self.regularization_rate if self.regularization == "l2" else 0.0


def output_head(problem: str, num_classes: int) -> tuple[int, str]:
    """Units and activation of the output layer for a problem type.

    Binary classification uses one sigmoid unit (probability of class 1), multi-class one
    softmax unit per class, regression one linear unit.
    """
    if problem == "binary":
        return 1, "sigmoid"
    if problem == "multiclass":
        return num_classes, "softmax"
    if problem == "regression":
        return 1, "linear"
    raise ValueError(f"Unknown problem {problem!r}. Expected one of: {', '.join(PROBLEMS)}.")


def neuron_layer_names(config: NetworkConfig) -> list[str]:
    """Names of the layers whose outputs are each hidden layer's neuron activations."""
    prefix = "activation" if config.batch_norm else "hidden"
    return [f"{prefix}_{index}" for index in range(1, len(config.hidden_units) + 1)]


def build_mlp(config: NetworkConfig, num_features: int, problem: str, num_classes: int, seed: int):
    """Build an uncompiled ``keras.Sequential`` for the config; weights depend only on ``seed``."""
    import keras

    output_units, output_activation = output_head(problem, num_classes)
    regularizer = keras.regularizers.L1L2(l1=config.l1, l2=config.l2)
    layers = [keras.Input((num_features,), name="features")]
    for index, (units, activation, rate) in enumerate(
        zip(config.hidden_units, config.activations, config.dropout_rates, strict=True), start=1
    ):
        layers.append(keras.layers.Dense(
            units,
            activation=None if config.batch_norm else activation,
            use_bias=not config.batch_norm,  # BatchNormalization's beta replaces the bias
            kernel_initializer=_seeded_initializer(config.kernel_initializer, seed + index),
            kernel_regularizer=regularizer,
            name=f"hidden_{index}",
        ))
        if config.batch_norm:
            layers.append(keras.layers.BatchNormalization(name=f"batch_norm_{index}"))
            layers.append(keras.layers.Activation(activation, name=f"activation_{index}"))
        layers.append(_live_dropout(rate, seed + 100 + index, f"dropout_{index}"))
    layers.append(keras.layers.Dense(
        output_units,
        activation=output_activation,
        kernel_initializer=_seeded_initializer(config.kernel_initializer, seed),
        kernel_regularizer=regularizer,
        name="output",
    ))
    return keras.Sequential(layers, name="playground_network")


def apply_live_options(model, dropout_rates: tuple[float, ...], l1: float, l2: float) -> None:
    """Set dropout and regularization rates on a built playground model in place.

    The rates are Python numbers read when a training function is traced, so the caller
    must retrace (``TrainingRun`` does) for them to take effect.
    """
    dropouts = [layer for layer in model.layers if layer.name.startswith("dropout_")]
    if len(dropouts) != len(dropout_rates):
        raise ValueError(f"Expected {len(dropouts)} dropout rates. Received: {len(dropout_rates)}.")
    for layer, rate in zip(dropouts, dropout_rates, strict=True):
        layer.rate = float(rate)
    for layer in model.layers:
        if getattr(layer, "kernel_regularizer", None) is not None:
            layer.kernel_regularizer.l1 = float(l1)
            layer.kernel_regularizer.l2 = float(l2)


@dataclass(frozen=True)
class LayerRow:
    """One row of a model summary: name, Keras class, output shape and parameter counts."""

    name: str
    kind: str
    output_shape: tuple[int | None, ...]
    parameters: int
    trainable_parameters: int


def layer_table(config: NetworkConfig, num_features: int, problem: str, num_classes: int) -> list[LayerRow]:
    """Output shapes and parameter counts per layer, computed from the config alone.

    This is arithmetic, not a Keras build, so the page can show it instantly while the user
    edits; tests check it against ``model.count_params()``.
    """
    rows: list[LayerRow] = []
    width = num_features
    for index, units in enumerate(config.hidden_units, start=1):
        dense = width * units + (0 if config.batch_norm else units)  # kernel + bias
        rows.append(LayerRow(f"hidden_{index}", "Dense", (None, units), dense, dense))
        if config.batch_norm:
            # gamma and beta train; the moving mean and variance are statistics.
            rows.append(LayerRow(f"batch_norm_{index}", "BatchNormalization", (None, units), 4 * units, 2 * units))
            rows.append(LayerRow(f"activation_{index}", "Activation", (None, units), 0, 0))
        if config.dropout_rates[index - 1]:  # a rate-0 layer is built too (so the rate can rise live) but idles
            rows.append(LayerRow(f"dropout_{index}", f"Dropout {config.dropout_rates[index - 1]:g}", (None, units), 0, 0))
        width = units
    output_units, _ = output_head(problem, num_classes)
    output = width * output_units + output_units
    rows.append(LayerRow("output", "Dense", (None, output_units), output, output))
    return rows


def _live_dropout(rate: float, seed: int, name: str):
    """A Dropout layer whose rate may rise above 0 later, during training.

    Keras creates the random seed generator only for a layer constructed with a rate above
    0, so a layer made with rate 0 could never drop anything afterwards: construct it with a
    positive rate, then set the real one.
    """
    import keras

    layer = keras.layers.Dropout(0.5, seed=seed, name=name)
    layer.rate = float(rate)
    return layer


def _seeded_initializer(name: str, seed: int):
    """A Keras initializer of the given name with a fixed seed (when it takes one)."""
    import keras

    initializer = keras.initializers.get(name)
    config = initializer.get_config()
    if "seed" in config:
        config["seed"] = seed
        initializer = initializer.__class__.from_config(config)
    return initializer
