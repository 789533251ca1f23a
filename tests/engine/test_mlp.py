import pytest

from engine.models.mlp import NetworkConfig, build_mlp, layer_table, neuron_layer_names


def test_default_network_has_25_parameters_counted_by_hand():
    # 2 features -> 4 tanh -> 2 tanh -> 1 sigmoid:
    # (2*4 + 4) + (4*2 + 2) + (2*1 + 1) = 12 + 10 + 3 = 25
    config = NetworkConfig()
    model = build_mlp(config, num_features=2, problem="binary", num_classes=2, seed=0)
    assert model.count_params() == 25
    assert sum(row.parameters for row in layer_table(config, 2, "binary", 2)) == 25
    assert model.output_shape == (None, 1)


def test_batch_norm_multiclass_network_counted_by_hand():
    # 3 features -> Dense 8 without bias (24) -> BatchNorm (gamma, beta, mean, variance: 32,
    # of which 16 train) -> softmax over 3 classes (8*3 + 3 = 27): 83 in all, 67 trainable.
    config = NetworkConfig(hidden_units=(8,), activations=("relu",), dropout_rates=(0.2,), batch_norm=True)
    model = build_mlp(config, num_features=3, problem="multiclass", num_classes=3, seed=0)
    rows = layer_table(config, 3, "multiclass", 3)
    assert model.count_params() == 83 == sum(row.parameters for row in rows)
    trainable = sum(int(weight.numpy().size) for weight in model.trainable_weights)
    assert trainable == 67 == sum(row.trainable for row in rows)
    layers = model.layers[1:]  # after the input
    assert [row.name for row in rows] == [layer.name for layer in layers]
    assert [row.output_shape for row in rows] == [tuple(layer.output.shape[1:]) for layer in layers]
    assert neuron_layer_names(config) == ["activation_1"]


def test_same_seed_same_weights_other_seed_other_weights():
    first = build_mlp(NetworkConfig(), 2, "binary", 2, seed=5).get_weights()
    again = build_mlp(NetworkConfig(), 2, "binary", 2, seed=5).get_weights()
    other = build_mlp(NetworkConfig(), 2, "binary", 2, seed=6).get_weights()
    assert all((a == b).all() for a, b in zip(first, again, strict=True))
    assert any((a != b).any() for a, b in zip(first, other, strict=True))


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(hidden_units=(0,), activations=("relu",), dropout_rates=(0.0,)),
     "Expected hidden layer sizes from 1 to 64. Received: (0,)."),
    (dict(hidden_units=(4,) * 9, activations=("relu",) * 9, dropout_rates=(0.0,) * 9),
     "Expected 0 to 8 hidden layer sizes. Received: 9"),
    (dict(hidden_units=(4,), activations=("relu", "tanh"), dropout_rates=(0.0,)),
     "Expected as many activations as hidden layer sizes. Received: 2 and 1"),
    (dict(hidden_units=(4,), activations=("softplus2",), dropout_rates=(0.0,)), "Unknown item 'softplus2' in activations"),
    (dict(hidden_units=(4,), activations=("relu",), dropout_rates=(1.5,)), "dropout rates from 0 to 0.9"),
    (dict(kernel_initializer="ones"), "Unknown initializer 'ones'"),
])
def test_invalid_architectures_are_refused_with_the_received_value(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", "\\(").replace(")", "\\)")):
        NetworkConfig(**kwargs)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu", "gelu", "swish"])
def test_every_activation_builds(activation):
    config = NetworkConfig(hidden_units=(3,), activations=(activation,), dropout_rates=(0.0,))
    assert build_mlp(config, 2, "regression", 1, seed=0).count_params() == 2 * 3 + 3 + 3 + 1


def test_the_table_lists_a_dropout_layer_only_when_it_drops_something():
    # Every hidden layer has a Dropout layer in the model, so its rate can rise live; at rate 0 it idles.
    assert not any(row.description.startswith("Dropout") for row in layer_table(NetworkConfig(), 2, "binary", 2))
    config = NetworkConfig(hidden_units=(4, 2), activations=("tanh", "tanh"), dropout_rates=(0.3, 0.0))
    assert [row.description for row in layer_table(config, 2, "binary", 2)] == [
        "Dense 4 tanh", "Dropout 0.3", "Dense 2 tanh", "Dense 1 sigmoid"]
    assert sum(row.parameters for row in layer_table(config, 2, "binary", 2)) == build_mlp(
        config, 2, "binary", 2, seed=0).count_params()
