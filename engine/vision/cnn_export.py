"""A runnable Python script that rebuilds a CNN lab setup outside the app.

The layers are written by the same registry that builds them in the app
(``engine.models.layers``), so the script's model has the app's layers, names, parameter count
and initial weights. The data is loaded as the app loads it: the bundled digits split by
scikit-learn with the same seed, or MNIST / Fashion-MNIST from Keras (a subset as in the app);
a setup trained on uploaded images reads a folder of class folders given on the command line.
"""

from __future__ import annotations

import textwrap

from engine.models.layers import LayerSpec
from engine.training.optimizers import optimizer_code
from engine.training.scripts import SAVE_MODELS, Length, fill, image_loader, script
from engine.vision.cnn import cnn_code
from engine.vision.cnn_lab import UPLOAD, CnnLabSettings


def export_script(settings: CnnLabSettings) -> str:
    """Source of a standalone script (NumPy, scikit-learn, Keras) that trains the setup."""
    return script(
        "Deep Learning Playground export: rebuild this CNN lab setup and train it with Keras.", Length(10),
        [image_loader(settings.dataset, settings.image_size, settings.seed, upload=UPLOAD),
         model_builder(settings.layers), SAVE_MODELS],
        fill(_MAIN, optimizer=optimizer_code(settings.optimizer), batch_size=settings.batch_size), folder_option=True)


def model_builder(layers: tuple[LayerSpec, ...]) -> str:
    """``build_model(input_shape, num_classes)``: the app's CNN of ``layers`` with its initial weights (seed SEED)."""
    return fill(_BUILD, layers=textwrap.indent("\n".join(cnn_code(layers)), " " * 4))


_BUILD = '''def build_model(input_shape, num_classes):
    seeds = iter(range(SEED * 1000, SEED * 1000 + 1000))

    def init():
        return keras.initializers.GlorotUniform(seed=next(seeds))

    def next_seed():
        return next(seeds)

    inputs = keras.Input(input_shape, name="image")
    x = inputs
{layers}
    return keras.Model(inputs, x, name="cnn")'''

_MAIN = '''def main():
    {arguments}

    x_train, y_train, x_test, y_test, names = load_data(arguments.folder)
    eye = np.eye(len(names), dtype=np.float32)
    model = build_model(x_train.shape[1:], len(names))
    model.summary()
    model.compile(optimizer={optimizer}, loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, eye[y_train], batch_size={batch_size}, epochs=arguments.epochs, shuffle=True,
              validation_data=(x_test, eye[y_test]), verbose=2)
    results = model.evaluate(x_test, eye[y_test], verbose=0, return_dict=True)
    print(f"test loss: {results['loss']:.4f}, accuracy: {results['accuracy']:.4f}")
    save_models({"cnn": model}, arguments.save)'''
