"""Runnable scripts that rebuild a lab's setup outside the app: the parts every lab's script shares.

A lab's script carries the app's own model code (its source, taken with ``inspect``), so the
model a learner trains from the script is the one the app trained; this module writes what
surrounds it: the imports the script needs, the settings as constants, the loader of the image
sets, saving the trained models, and the ``__main__`` guard. Scripts need NumPy, Keras and
TensorFlow (scikit-learn for the bundled digits), never this app.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace

from engine.data.image_sets import MAX_TEST_IMAGES, MAX_TRAIN_IMAGES

# Each import, and a pattern that says the script uses it.
_IMPORTS = (
    ("import argparse", r"\bargparse\."),
    ("import functools", r"\bfunctools\."),
    ("import os", r"\bos\."),
    ("import re", r"\bre\."),
    ("from collections import Counter", r"\bCounter\("),
    ("from dataclasses import dataclass", r"(?m)^@dataclass\b"),
    ("from types import SimpleNamespace", r"\bSimpleNamespace\("),
    ("", ""),
    ("import keras", r"\bkeras\."),
    ("import numpy as np", r"\bnp\."),
    ("import tensorflow as tf", r"\btf\."),
    ("from keras import ops", r"\bops\."),
)


def embedded(*objects: object) -> str:
    """The source of functions and classes as the app runs them, for a script to carry."""
    return "\n\n\n".join(textwrap.dedent(inspect.getsource(item)).strip() for item in objects)  # type: ignore[arg-type]


def bundled(*modules: ModuleType) -> str:
    """Whole modules of the app as one block, in the order given (each after those it uses).

    Their imports of each other are dropped (the block defines those names itself); their other
    imports are gathered at the top, once each.
    """
    imports: list[str] = []
    bodies = []
    for module in modules:
        source = inspect.getsource(module)
        lines = source.splitlines()
        tree = ast.parse(source)
        dropped: set[int] = set()
        for node in tree.body:
            is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node is tree.body[0]
            if isinstance(node, ast.Import | ast.ImportFrom) or is_docstring:
                dropped.update(range(node.lineno - 1, node.end_lineno or node.lineno))
                statement = ast.get_source_segment(source, node) or ""
                ours = isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("engine", "__future__")
                if not is_docstring and not ours and statement not in imports:
                    imports.append(statement)
        bodies.append("\n".join(line for index, line in enumerate(lines) if index not in dropped).strip())
    return "\n".join(sorted(imports)) + "\n\n\n" + "\n\n\n".join(bodies)


def constants(**values: object) -> str:
    """``NAME = value`` lines, one per keyword (values written as Python literals; a namespace as its call)."""
    return "\n".join(f"{name} = {_literal(value)}" for name, value in values.items())


def _literal(value: object) -> str:
    if isinstance(value, SimpleNamespace):
        return "SimpleNamespace(" + ", ".join(f"{key}={item!r}" for key, item in vars(value).items()) + ")"
    return repr(value)


def fill(template: str, **values: object) -> str:
    """``template`` with each ``{name}`` among ``values`` replaced by its value (other braces left alone)."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


@dataclass(frozen=True)
class Length:
    """How long a script trains: its option (``epochs`` or ``episodes``), the default, and what it counts."""

    default: int | str  # a number, or the name of a constant the script defines
    unit: str = "epochs"
    note: str = ""  # a line saying what the count covers, where that needs saying


def script(title: str, length: Length, parts: Sequence[str], main: str, folder_option: bool = False) -> str:
    """A whole script: docstring, the imports its code uses, ``parts`` apart, ``main`` and the guard.

    Args:
        title: the docstring's first line.
        length: the ``--epochs`` (or ``--episodes``) option.
        parts: blocks of source (constants, carried code), in order.
        main: the source of ``def main(): ...``; ``{arguments}`` in it becomes the lines that read
            the options into ``arguments`` (``arguments.epochs``, ``arguments.save``…).
        folder_option: also read ``--folder PATH`` (a folder of class folders of images).
    """
    body = "\n\n\n".join(part.strip() for part in (*parts, fill(main, arguments=read_arguments(length, folder_option))))
    imports = "\n".join(line for line, pattern in _IMPORTS
                        if not pattern or (re.search(pattern, body) and f"\n{line}\n" not in f"\n{body}\n"))
    imports = re.sub(r"^\n|\n$", "", re.sub(r"\n\n+", "\n\n", imports))
    return (f'"""{title}\n\n{usage(length, folder_option)}\n"""\n\nfrom __future__ import annotations\n\n{imports}\n\n'
            f'{body}\n\n\nif __name__ == "__main__":\n    main()\n')


def usage(length: Length, folder_option: bool = False) -> str:
    """The docstring's body: how to run the script."""
    folder = " [--folder PATH]" if folder_option else ""
    lines = [f"Run: python this_script.py [--{length.unit} N]{folder} [--save FOLDER]"]
    if folder_option:
        lines.append("(--folder: a folder with one sub-folder of images per class, for a setup trained on your images)")
    return "\n".join([*lines, *([length.note] if length.note else [])])


def read_arguments(length: Length, folder_option: bool = False) -> str:
    """The opening lines of ``main``: the parser, its options, and ``arguments = parser.parse_args()``."""
    options = [f'parser.add_argument("--{length.unit}", type=int, default={length.default})']
    if folder_option:
        options.append('parser.add_argument("--folder", metavar="PATH", default=None)')
    options.append('parser.add_argument("--save", metavar="FOLDER", default=None, '
                   'help="save the trained models there as .keras files")')
    lines = ["parser = argparse.ArgumentParser(description=__doc__)", *options, "arguments = parser.parse_args()"]
    return "\n    ".join(lines)


def image_loader(dataset: str, image_size: int, seed: int, upload: str | None = None) -> str:
    """Constants and ``load_data()`` for an image set as the app loads it.

    The bundled digits are split by scikit-learn with the app's seed; MNIST and Fashion-MNIST
    come from Keras, subsampled as in the app; ``upload`` names the set that stands for the
    user's own images, which the script reads from a folder of class folders.
    """
    upload_branch = "" if upload is None else fill(_UPLOAD_BRANCH, upload=repr(upload))
    loader = fill(_IMAGE_LOADER, parameter="" if upload is None else "folder=None", upload_branch=upload_branch)
    return constants(SEED=seed, DATASET=dataset, IMAGE_SIZE=image_size, MAX_TRAIN=MAX_TRAIN_IMAGES,
                     MAX_TEST=MAX_TEST_IMAGES) + "\n\n\n" + loader


SAVE_MODELS = '''def save_models(models, folder):
    """Save each model as FOLDER/NAME.keras (nothing without a folder)."""
    if folder is None:
        return
    os.makedirs(folder, exist_ok=True)
    for name, model in models.items():
        path = os.path.join(folder, f"{name}.keras")
        model.save(path)
        print(f"saved {path}")'''

_UPLOAD_BRANCH = '''    elif DATASET == {upload}:
        if folder is None:
            raise SystemExit("This setup was trained on your own images: pass --folder with one sub-folder per class.")
        train, test = keras.utils.image_dataset_from_directory(
            folder, color_mode="grayscale", image_size=(IMAGE_SIZE, IMAGE_SIZE), batch_size=None, seed=SEED,
            validation_split=0.2, subset="both")
        names = train.class_names
        x_train, y_train = (np.stack(part) for part in zip(*train.as_numpy_iterator()))
        x_test, y_test = (np.stack(part) for part in zip(*test.as_numpy_iterator()))
        x_train, x_test = x_train / 255.0, x_test / 255.0
'''

_IMAGE_LOADER = '''def resize(images):
    """Bilinear resize of (n, h, w, 1) images in [0, 1] to IMAGE_SIZE a side, as the app does."""
    if images.shape[1:3] == (IMAGE_SIZE, IMAGE_SIZE):
        return images
    resized = tf.image.resize(images, (IMAGE_SIZE, IMAGE_SIZE), method="bilinear", antialias=True).numpy()
    return np.clip(resized, 0.0, 1.0).astype(np.float32)


def load_data({parameter}):
    """(x_train, y_train, x_test, y_test, class names), images (n, IMAGE_SIZE, IMAGE_SIZE, 1) in [0, 1]."""
    if DATASET == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        digits = load_digits()
        images = (digits.images / 16.0).astype(np.float32)[..., None]
        x_train, x_test, y_train, y_test = train_test_split(
            images, digits.target.astype(np.int64), test_size=0.2, random_state=SEED, stratify=digits.target)
        names = [str(digit) for digit in range(10)]
{upload_branch}    else:
        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, DATASET).load_data()
        rng = np.random.default_rng(SEED)
        train, test = rng.permutation(len(x_train))[:MAX_TRAIN], rng.permutation(len(x_test))[:MAX_TEST]
        x_train, y_train = (x_train[train] / 255.0).astype(np.float32)[..., None], y_train[train]
        x_test, y_test = (x_test[test] / 255.0).astype(np.float32)[..., None], y_test[test]
        names = [str(label) for label in range(10)]
    return resize(x_train.astype(np.float32)), y_train, resize(x_test.astype(np.float32)), y_test, names'''


def training_main(prepare: str, fit_data: str, optimizer: str) -> str:
    """``def main()`` for a model trained by ``fit`` that names its parts in ``export_models()``.

    Args:
        prepare: lines (indented four spaces) that load the data and build ``model``.
        fit_data: the arguments ``fit`` takes before ``batch_size`` (the data, the validation data).
        optimizer: the optimizer as Keras source.
    """
    return fill(_TRAINING_MAIN, prepare=prepare.rstrip("\n"), fit_data=fit_data, optimizer=optimizer)


_TRAINING_MAIN = '''def main():
    {arguments}

{prepare}
    model.compile(optimizer={optimizer})
    history = model.fit({fit_data}, batch_size=BATCH_SIZE, epochs=arguments.epochs, shuffle=True, verbose=2)
    print("last epoch: " + ", ".join(f"{name} {values[-1]:.4f}" for name, values in history.history.items()))
    save_models(model.export_models(), arguments.save)'''
