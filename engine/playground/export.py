"""A runnable Python script that rebuilds a playground setup outside the app.

The script carries the exact source of the data generator, the split and the feature map
(taken with ``inspect``), so it produces the very same points; the network is written out as
plain Keras code (by the layer registry that builds it in the app) and trained with ``model.fit``. Uploaded points are embedded as a literal.
"""

from __future__ import annotations

import functools
import inspect
import textwrap

import numpy as np

from engine.data import features, planar
from engine.data.upload import UploadedPoints
from engine.models.layers import layer_code
from engine.models.mlp import layer_seeds, mlp_layers
from engine.playground.settings import UPLOAD, PlaygroundSettings
from engine.playground.task import VALIDATION_SHARE, loss_name
from engine.training.optimizers import optimizer_code
from engine.training.scripts import SAVE_MODELS, Length, read_arguments, usage


def export_script(settings: PlaygroundSettings, uploaded: UploadedPoints | None = None) -> str:
    """Source of a standalone script (NumPy, scikit-learn, Keras) for the setup."""
    if settings.dataset == UPLOAD:
        if uploaded is None:
            raise ValueError("No uploaded points to export. Upload a CSV or pick a data set.")
        data_source = _embedded_points(uploaded)
        problem, num_classes = uploaded.problem, uploaded.num_classes
        make_call = "load_points()"
    else:
        spec = planar.get_dataset(settings.dataset)
        generator = spec.make
        extra = ""
        if isinstance(generator, functools.partial):
            extra = "".join(f", {key}={value!r}" for key, value in generator.keywords.items())
            generator = generator.func
        data_source = inspect.getsource(generator)
        problem, num_classes = spec.problem, spec.num_classes
        make_call = f"{generator.__name__}({settings.num_samples}, {settings.noise!r}, {settings.seed}{extra})"
    network = settings.network
    layers = mlp_layers(network, problem, num_classes, idle_dropout=False)
    kernel_seeds, dropout_seeds = layer_seeds(layers, settings.seed)
    metrics = "[]" if problem == "regression" else '["accuracy"]'
    length = Length(settings.max_epochs or 300)
    splits = ["train", "test"] + (["validation"] if settings.early_stopping_patience else [])
    return _TEMPLATE.format(
        data_source=data_source.strip(),
        split_source=inspect.getsource(planar.split_train_test).strip(),
        features_source=inspect.getsource(features.make_features).strip().replace(
            "in FEATURES", "in FEATURE_NAMES"
        ).replace("', '.join(FEATURES)", "', '.join(FEATURE_NAMES)"),
        feature_names=repr(tuple(features.FEATURES)),
        make_call=make_call,
        seed=settings.seed,
        domain=planar.DOMAIN,
        train_fraction=settings.train_percent / 100,
        validation_split=_VALIDATION_SPLIT.format(keep=1 - VALIDATION_SHARE) if settings.early_stopping_patience
        else "",
        inputs="\n".join(f"    x_{split} = make_features({split}_points, {settings.features!r})" for split in splits),
        scaling=_scaling_code(settings.scaling, splits),
        targets=", ".join(f"y_{split}" for split in splits) + " = " + ", ".join(
            f"encode_targets({split}_labels)" for split in splits),
        encode_targets=(f"np.eye({num_classes}, dtype=np.float32)[labels]" if problem == "multiclass"
                        else "labels.astype(np.float32).reshape(-1, 1)"),
        layers=textwrap.indent("\n".join(layer_code(layers, regularized=True)), " " * 4),
        kernel_seeds=", ".join(_offset(seed, settings.seed) for seed in kernel_seeds),
        dropout_seeds=", ".join(_offset(seed, settings.seed) for seed in dropout_seeds),
        initializer=repr(network.kernel_initializer),
        l1=network.l1,
        l2=network.l2,
        optimizer=optimizer_code(settings.optimizer),
        loss=repr(loss_name(settings, problem)),
        metrics=metrics,
        batch_size=settings.batch_size,
        shuffle=settings.shuffle,
        watched="validation" if settings.early_stopping_patience else "test",
        arguments=read_arguments(length),
        usage=usage(length),
        save_models=SAVE_MODELS,
        stopping=(f", keras.callbacks.EarlyStopping(monitor=\"val_loss\", patience={settings.early_stopping_patience})"
                  if settings.early_stopping_patience else ""),
    )


def _offset(seed: int, base: int) -> str:
    """A layer's seed as the script writes it: SEED plus its offset."""
    return f"SEED + {seed - base}" if seed != base else "SEED"


def _scaling_code(scaling: str, splits: list[str]) -> str:
    """Lines that fit the scaler on the training inputs and apply it to every split (none without scaling)."""
    if scaling == "none":
        return ""
    scaler = "StandardScaler()" if scaling == "standard" else "MinMaxScaler(feature_range=(-1, 1))"
    name = scaler.split("(")[0]
    lines = [f"    from sklearn.preprocessing import {name}", "", f"    scaler = {scaler}.fit(x_train)"]
    lines += [f"    x_{split} = scaler.transform(x_{split})" for split in splits]
    return "\n".join(lines) + "\n"


def _embedded_points(uploaded: UploadedPoints) -> str:
    points = np.round(uploaded.points.astype(np.float64), 6).tolist()
    labels = uploaded.labels.tolist()
    return (
        f"POINTS = {points!r}\nLABELS = {labels!r}\n\n\n"
        "def load_points():\n"
        '    """The uploaded points, embedded when the script was exported."""\n'
        f"    return np.array(POINTS, dtype=np.float32), np.array(LABELS, dtype=np.{uploaded.labels.dtype})"
    )


_VALIDATION_SPLIT = """    # Early stopping watches a validation split held back from the training points; the test points stay unseen.
    train_points, train_labels, validation_points, validation_labels = split_train_test(
        train_points, train_labels, {keep!r}, SEED + 1)
"""

_TEMPLATE = '''"""Deep Learning Playground export: rebuild this playground setup and train it with Keras.

{usage}
"""

import argparse
import os

import keras
import numpy as np

SEED = {seed}
DOMAIN = {domain}
FEATURE_NAMES = {feature_names}


{data_source}


{split_source}


{features_source}


def encode_targets(labels):
    return {encode_targets}


def initializer(seed):
    initializer = keras.initializers.get({initializer})
    config = initializer.get_config()
    if "seed" in config:
        config["seed"] = seed
        initializer = initializer.__class__.from_config(config)
    return initializer


def build_model(num_features):
    regularizer = keras.regularizers.L1L2(l1={l1!r}, l2={l2!r})
    kernel_seeds, dropout_seeds = iter([{kernel_seeds}]), iter([{dropout_seeds}])

    def init():
        return initializer(next(kernel_seeds))

    def next_seed():
        return next(dropout_seeds)

    inputs = keras.Input((num_features,))
    x = inputs
{layers}
    return keras.Model(inputs, x)


{save_models}


def progress(every):
    """Print the losses every ``every`` epochs while the model trains."""
    def on_epoch_end(epoch, logs):
        if (epoch + 1) % every == 0:
            print(f"epoch {{epoch + 1}}: " + ", ".join(f"{{name}} {{value:.4f}}" for name, value in logs.items()))
    return keras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)


def main():
    {arguments}

    points, labels = {make_call}
    train_points, train_labels, test_points, test_labels = split_train_test(points, labels, {train_fraction!r}, SEED)
{validation_split}{inputs}
{scaling}    {targets}

    model = build_model(x_train.shape[1])
    model.compile(optimizer={optimizer}, loss={loss}, metrics={metrics})
    print(f"Training for up to {{arguments.epochs}} epochs (val_ is the {watched} set).")
    model.fit(
        x_train, y_train, batch_size={batch_size}, epochs=arguments.epochs, shuffle={shuffle},
        validation_data=(x_{watched}, y_{watched}), verbose=0,
        callbacks=[progress(max(1, arguments.epochs // 10)){stopping}],
    )
    results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    others = "".join(f", {{name}}: {{value:.4f}}" for name, value in results.items() if name != "loss")
    print(f"test loss: {{results['loss']:.4f}}{{others}}")
    save_models({{"playground": model}}, arguments.save)


if __name__ == "__main__":
    main()
'''
