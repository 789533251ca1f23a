"""A runnable Python script that replays a transfer-learning setup outside the app.

It loads the same images, splits the classes and picks the same few labelled target images
with the app's seed, pre-trains the app's CNN (written by the layer registry, as the CNN lab's
script is) on the source classes, then fine-tunes one copy per mode with the same layers frozen
and prints each mode's test accuracy. The ImageNet run is left out: it needs the backbone's
weights, which the app finds on its own machine.
"""

from __future__ import annotations

from engine.training.optimizers import optimizer_code
from engine.training.scripts import SAVE_MODELS, Length, constants, fill, image_loader, script
from engine.vision.cnn_export import model_builder
from engine.vision.transfer import (
    PRETRAIN_BATCH_SIZE,
    PRETRAIN_OPTIMIZER,
    TransferData,
    TransferSettings,
    frozen_layers,
)


def transfer_script(settings: TransferSettings, data: TransferData) -> str:
    """Source of a standalone script (NumPy, scikit-learn, Keras) that replays the experiment."""
    frozen = {mode: sorted(names) for mode, names in frozen_layers(settings, data).items()}
    return script(
        "Deep Learning Playground export: replay this transfer-learning setup with Keras.",
        Length(50, note="(--epochs: fine-tuning epochs; pre-training runs the setup's own number)"),
        [image_loader(settings.dataset, settings.image_size, settings.seed),
         constants(SOURCE_CLASSES=tuple(sorted(set(settings.source_classes))),
                   LABELLED_PER_CLASS=settings.labelled_per_class, PRETRAIN_EPOCHS=settings.pretrain_epochs,
                   PRETRAIN_BATCH_SIZE=PRETRAIN_BATCH_SIZE, BATCH_SIZE=settings.batch_size),
         "# The pre-trained layers each mode keeps fixed while it fine-tunes.\n" + constants(FROZEN=frozen),
         model_builder(settings.layers), _TASKS, SAVE_MODELS],
        fill(_MAIN, pretrain_optimizer=optimizer_code(PRETRAIN_OPTIMIZER), optimizer=optimizer_code(settings.optimizer)))


_TASKS = '''def task(x_train, y_train, x_test, y_test, classes, train_rows):
    """The rows' images with one-hot labels over ``classes`` (renumbered 0, 1, ...); every test image of them."""
    renumber = {label: index for index, label in enumerate(classes)}
    eye = np.eye(len(classes), dtype=np.float32)
    test_rows = np.flatnonzero(np.isin(y_test, classes))
    return (x_train[train_rows], eye[[renumber[label] for label in y_train[train_rows]]],
            x_test[test_rows], eye[[renumber[label] for label in y_test[test_rows]]])


def split_classes(x_train, y_train, x_test, y_test, num_classes):
    """The source task (all its images) and the target task (LABELLED_PER_CLASS images a class), as the app splits."""
    source = SOURCE_CLASSES
    target = tuple(label for label in range(num_classes) if label not in source)
    rng = np.random.default_rng(SEED)
    chosen = np.concatenate([rng.permutation(np.flatnonzero(y_train == label))[:LABELLED_PER_CLASS]
                             for label in target])
    data = (x_train, y_train, x_test, y_test)
    return (task(*data, source, np.flatnonzero(np.isin(y_train, source))),
            task(*data, target, np.sort(chosen)))'''

_MAIN = '''def main():
    {arguments}

    x_train, y_train, x_test, y_test, names = load_data()
    source, target = split_classes(x_train, y_train, x_test, y_test, len(names))
    input_shape = x_train.shape[1:]
    print(f"Pre-training on {len(source[0])} images of classes {SOURCE_CLASSES} for {PRETRAIN_EPOCHS} epochs.")
    pretrained = build_model(input_shape, source[1].shape[1])
    pretrained.compile(optimizer={pretrain_optimizer}, loss="categorical_crossentropy", metrics=["accuracy"])
    pretrained.fit(source[0], source[1], batch_size=PRETRAIN_BATCH_SIZE, epochs=PRETRAIN_EPOCHS, shuffle=True,
                   validation_data=(source[2], source[3]), verbose=0)
    print(f"pre-trained: source test accuracy {pretrained.evaluate(source[2], source[3], verbose=0)[1]:.4f}")
    models = {"pretrained": pretrained}
    print(f"Fine-tuning on {len(target[0])} labelled images for {arguments.epochs} epochs.")
    for mode, frozen in FROZEN.items():
        model = build_model(input_shape, target[1].shape[1])
        for layer in model.layers:
            if mode != "scratch" and layer.name != "output" and layer.weights:
                layer.set_weights(pretrained.get_layer(layer.name).get_weights())
            if layer.name in frozen:
                layer.trainable = False
        model.compile(optimizer={optimizer}, loss="categorical_crossentropy", metrics=["accuracy"])
        model.fit(target[0], target[1], batch_size=BATCH_SIZE, epochs=arguments.epochs, shuffle=True, verbose=0)
        trainable = sum(int(np.prod(variable.shape)) for variable in model.trainable_variables)
        accuracy = model.evaluate(target[2], target[3], verbose=0)[1]
        print(f"{mode}: target test accuracy {accuracy:.4f} ({trainable:,} weights trained)")
        models[mode] = model
    save_models(models, arguments.save)'''
