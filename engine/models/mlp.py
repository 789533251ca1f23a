"""The playground's fully connected network (multilayer perceptron), built from a config.

Each hidden layer is Dense → (BatchNormalization → Activation) → Dropout, written as layers of
the shared registry (``engine.models.layers``), which builds, counts and exports them. Dropout
layers are always present (a rate of 0 is a no-op) and every Dense kernel carries an L1L2
regularizer, so dropout and regularization rates can change while a run trains without a rebuild.
Layers get explicit names: models built at the same time in different sessions then never
collide, whatever Keras's global name counters do.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.fields import Declared, choice, choices, flag, integers, number, numbers
from engine.models.layers import ACTIVATIONS, Construction, LayerRow, LayerSpec, build_layers, layer_rows

INITIALIZERS = (
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal",
    "random_normal", "zeros",
)
REGULARIZATIONS = ("none", "l1", "l2")
PROBLEMS = ("binary", "multiclass", "regression")
MAX_HIDDEN_LAYERS, MAX_UNITS = 8, 64
MAX_DROPOUT = 0.9


@dataclass(frozen=True)
class NetworkConfig(Declared):
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

    hidden_units: tuple[int, ...] = integers((4, 2), 1, MAX_UNITS, "layers", "hidden layer sizes", MAX_HIDDEN_LAYERS)
    activations: tuple[str, ...] = choices(("tanh", "tanh"), ACTIVATIONS, "activations", "activations",
                                           length_of="hidden_units", item_default="tanh")
    dropout_rates: tuple[float, ...] = numbers((0.0, 0.0), 0.0, MAX_DROPOUT, "dropout", "dropout rates",
                                               length_of="hidden_units", live=True)
    batch_norm: bool = flag(False, "batchnorm", "batch normalization")
    regularization: str = choice("none", REGULARIZATIONS, "reg", "regularization", live=True)
    regularization_rate: float = number(0.0, 0.0, 1.0, "reg_rate", "a regularization rate", live=True)
    kernel_initializer: str = choice("glorot_uniform", INITIALIZERS, "init", "initializer")

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


def mlp_layers(config: NetworkConfig, problem: str, num_classes: int,
               idle_dropout: bool = True) -> list[tuple[str, LayerSpec]]:
    """The network's layers by name, output included (``engine.models.layers`` builds, counts and writes them).

    Each hidden layer is Dense → (BatchNormalization → Activation) → Dropout; with batch
    normalization the Dense layer has no bias (BatchNormalization's offset replaces it).
    ``idle_dropout``: keep rate-0 dropout layers (built, so the rate can rise live; they idle).
    """
    layers: list[tuple[str, LayerSpec]] = []
    for index, (units, activation, rate) in enumerate(
        zip(config.hidden_units, config.activations, config.dropout_rates, strict=True), start=1
    ):
        dense_activation = "linear" if config.batch_norm else activation
        layers.append((f"hidden_{index}", LayerSpec("dense", units=units, activation=dense_activation,
                                                   use_bias=not config.batch_norm)))
        if config.batch_norm:
            layers += [(f"batch_norm_{index}", LayerSpec("batch_norm")),
                       (f"activation_{index}", LayerSpec("activation", activation=activation))]
        if rate or idle_dropout:
            layers.append((f"dropout_{index}", LayerSpec("dropout", rate=rate)))
    output_units, output_activation = output_head(problem, num_classes)
    layers.append(("output", LayerSpec("dense", units=output_units, activation=output_activation)))
    return layers


def layer_seeds(layers: list[tuple[str, LayerSpec]], seed: int) -> tuple[list[int], list[int]]:
    """The seeds of the kernels (hidden layer i: seed + i, the output: seed) and of the dropout
    layers (layer i: seed + 100 + i), in the order the layers ask for them."""
    kernels = [seed if name == "output" else seed + int(name.split("_")[1])
               for name, layer in layers if layer.kind == "dense"]
    dropouts = [seed + 100 + int(name.split("_")[1]) for name, layer in layers if layer.kind == "dropout"]
    return kernels, dropouts


def build_mlp(config: NetworkConfig, num_features: int, problem: str, num_classes: int, seed: int):
    """Build an uncompiled Keras model for the config; weights depend only on ``seed``."""
    import keras

    layers = mlp_layers(config, problem, num_classes)
    kernel_seeds, dropout_seeds = (iter(seeds) for seeds in layer_seeds(layers, seed))
    construction = Construction(
        initializer=lambda: _seeded_initializer(config.kernel_initializer, next(kernel_seeds)),
        next_seed=lambda: next(dropout_seeds), regularizer=keras.regularizers.L1L2(l1=config.l1, l2=config.l2))
    inputs = keras.Input((num_features,), name="features")
    return keras.Model(inputs, build_layers(inputs, layers, construction), name="playground_network")


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


def layer_table(config: NetworkConfig, num_features: int, problem: str, num_classes: int) -> list[LayerRow]:
    """Output shapes and parameter counts per layer, computed from the config alone.

    This is arithmetic, not a Keras build, so the page can show it instantly while the user
    edits; tests check it against ``model.count_params()``. Idle (rate-0) dropout layers are left out.
    """
    return layer_rows((num_features,), mlp_layers(config, problem, num_classes, idle_dropout=False))


def _seeded_initializer(name: str, seed: int):
    """A Keras initializer of the given name with a fixed seed (when it takes one)."""
    import keras

    initializer = keras.initializers.get(name)
    config = initializer.get_config()
    if "seed" in config:
        config["seed"] = seed
        initializer = initializer.__class__.from_config(config)
    return initializer
