"""Runnable scripts of the sequence labs: the forecasting race and the character language model.

The forecasting race's script:

The series is made by the app's own generator (its source carried in the script), or, for an
uploaded column, written into the script as numbers; the windows by the app's ``make_windows``;
every racer's layers by the registry that builds them in the app (``engine.models.layers``),
so the script's models have the app's layers, names, parameter counts and initial weights.
Each cell then trains with ``model.fit`` on the same windows, and the script prints the
validation error of each.

The language model's script carries the text (the app's own ``default_corpus`` for the bundled
help pages, the learner's text itself otherwise), the app's ``Vocabulary``, the same sequences
and the same network (written by the registry), trains it with ``model.fit``, prints the
validation perplexity and writes a sample from the prompt.
"""

from __future__ import annotations

import textwrap

import numpy as np

from engine.models.layers import layer_code
from engine.sequence import series, text
from engine.sequence.forecast import UPLOAD, ForecastSettings, forecaster_layers
from engine.sequence.language_model import UPLOAD as TEXT_UPLOAD
from engine.sequence.language_model import VALIDATION_SHARE, CharacterData, LanguageModelSettings, model_layers
from engine.training.optimizers import optimizer_code
from engine.training.scripts import SAVE_MODELS, Length, constants, embedded, fill, script

GENERATORS = {  # what each generated series needs carried
    "sine": (series.make_sine,), "sum_of_sines": (series.make_sum_of_sines,),
    "noisy_sine": (series.make_sine, series.make_noisy_sine), "sawtooth": (series.make_sawtooth,),
    "random_walk": (series.make_random_walk,),
}


def forecasting_script(settings: ForecastSettings, values: np.ndarray) -> str:
    """Source of a standalone script (NumPy, Keras) that races the settings' cells on ``values``'s series."""
    return script(
        "Deep Learning Playground export: replay this forecasting race with Keras.", Length(20),
        [constants(SEED=settings.seed, WINDOW=settings.window, HORIZON=settings.horizon,
                   VALIDATION_SHARE=settings.validation_share, CELLS=settings.cells, BATCH_SIZE=settings.batch_size),
         _series_source(settings, values), embedded(series.Windows, series.split_index, series.make_windows),
         model_builder(settings), SAVE_MODELS],
        fill(_MAIN, optimizer=optimizer_code(settings.optimizer)))


def _series_source(settings: ForecastSettings, values: np.ndarray) -> str:
    """``load_series()``: the values written out (an upload) or the app's generator with the settings' noise."""
    if settings.series == UPLOAD:
        numbers = textwrap.fill(", ".join(f"{value:.7g}" for value in values), 110, subsequent_indent=" " * 8)
        return f'def load_series():\n    """Your CSV column, as the app read it."""\n    return np.array([\n        {numbers}],' \
               ' dtype=np.float32)'
    generator = GENERATORS[settings.series][-1].__name__
    added = fill(_ADDED_NOISE, noise=repr(settings.noise)) if settings.noise else ""
    body = fill(_GENERATED, generator=generator, steps=settings.num_steps, noise=repr(series.DEFAULT_NOISE[settings.series]),
                added=added, added_words=", with the measurement noise the race added" if added else "")
    return "\n\n\n".join([constants(DEFAULT_NOISE=series.DEFAULT_NOISE),
                           embedded(series.with_noise, *GENERATORS[settings.series]), body])


def model_builder(settings: ForecastSettings) -> str:
    """``build_model(cell)``: the app's forecaster for one cell, with its initial weights (seed SEED)."""
    branches = []
    for cell in settings.cells:
        lines = layer_code(forecaster_layers(cell, settings.units, settings.layers, settings.dropout, settings.horizon))
        branches.append(f"if cell == {cell!r}:\n" + textwrap.indent("\n".join(lines), " " * 4))
    return fill(_BUILD, layers=textwrap.indent("\nel".join(branches), " " * 4))


_GENERATED = '''def load_series():
    """The app's {generator} series{added_words}."""
    values = {generator}({steps}, {noise}, SEED){added}
    return values.astype(np.float32)'''

_ADDED_NOISE = """
    values = values + np.random.default_rng(SEED + 1).normal(scale={noise}, size=values.shape)"""

_BUILD = '''def build_model(cell):
    seeds = iter(range(SEED * 1000, SEED * 1000 + 1000))

    def init():
        return keras.initializers.GlorotUniform(seed=next(seeds))

    def next_seed():
        return next(seeds)

    inputs = keras.Input((WINDOW, 1), name="past")
    x = inputs
{layers}
    return keras.Model(inputs, x, name=f"{cell}_forecaster")'''

_MAIN = '''def main():
    {arguments}

    windows = make_windows(load_series(), WINDOW, HORIZON, VALIDATION_SHARE)
    models = {}
    for cell in CELLS:
        model = build_model(cell)
        model.compile(optimizer={optimizer}, loss="mse", metrics=["mae"])
        history = model.fit(windows.x_train, windows.y_train, batch_size=BATCH_SIZE, epochs=arguments.epochs,
                            shuffle=True, validation_data=(windows.x_val, windows.y_val), verbose=0)
        print(f"{cell}: {model.count_params():,} weights, validation MSE {history.history['val_loss'][-1]:.4g}")
        models[cell] = model
    save_models(models, arguments.save)'''


def language_model_script(settings: LanguageModelSettings, characters: CharacterData) -> str:
    """Source of a standalone script that trains the settings' character model on the same text and writes."""
    used = characters.training_text + characters.validation_text
    if settings.corpus == TEXT_UPLOAD:
        source = f'def load_text():\n    """Your text, as the app used it."""\n    return {used!r}'
    else:
        source = embedded(text.default_corpus) + "\n\n\n" + fill(_BUNDLED_TEXT, length=len(used))
    layers = layer_code(model_layers(settings, characters.vocabulary.size))
    return script(
        "Deep Learning Playground export: train this character language model with Keras and let it write.",
        Length(20),
        [constants(SEED=settings.seed, SEQUENCE_LENGTH=settings.sequence_length, VALIDATION_SHARE=VALIDATION_SHARE,
                   TRAINING_CHARACTERS=len(characters.training_text), BATCH_SIZE=settings.batch_size,
                   PROMPT=settings.prompt, TEMPERATURE=settings.temperature, MAX_VOCABULARY=text.MAX_VOCABULARY),
         source, embedded(text.Vocabulary), fill(_LANGUAGE_MODEL, layers=textwrap.indent("\n".join(layers), " " * 4)),
         SAVE_MODELS],
        fill(_LANGUAGE_MAIN, optimizer=optimizer_code(settings.optimizer)))


_BUNDLED_TEXT = '''def load_text():
    """The start of Python's help pages, as the app used it."""
    return default_corpus()[:{length}]'''

_LANGUAGE_MODEL = '''def sequences(codes):
    """Consecutive, non-overlapping runs of SEQUENCE_LENGTH + 1 codes: inputs, and the next characters."""
    count = (len(codes) - 1) // SEQUENCE_LENGTH
    runs = np.stack([codes[index * SEQUENCE_LENGTH:index * SEQUENCE_LENGTH + SEQUENCE_LENGTH + 1]
                     for index in range(count)]).astype(np.float32)
    return runs[:, :-1], runs[:, 1:]


def build_model(vocabulary_size):
    seeds = iter(range(SEED * 1000, SEED * 1000 + 1000))

    def init():
        return keras.initializers.GlorotUniform(seed=next(seeds))

    def next_seed():
        return next(seeds)

    inputs = keras.Input((SEQUENCE_LENGTH,), name="characters")
    x = inputs
{layers}
    return keras.Model(inputs, x, name="char_language_model")


def write(model, vocabulary, prompt, count, temperature, seed=0):
    """``count`` characters after ``prompt``, each drawn at ``temperature`` from the model's next-character odds."""
    rng = np.random.default_rng(seed)
    codes = list(vocabulary.encode(prompt))
    for _ in range(count):
        window = np.zeros((1, SEQUENCE_LENGTH), np.float32)
        recent = codes[-SEQUENCE_LENGTH:]
        window[0, :len(recent)] = recent
        odds = model.predict(window, verbose=0)[0, len(recent) - 1].astype(np.float64)
        odds = np.exp(np.log(np.maximum(odds, 1e-30)) / temperature)
        codes.append(int(rng.choice(len(odds), p=odds / odds.sum())))
    return vocabulary.decode(codes[len(prompt):])'''

_LANGUAGE_MAIN = '''def main():
    {arguments}

    used = load_text()
    vocabulary = Vocabulary.of(used)
    codes = vocabulary.encode(used)
    x_train, y_train = sequences(codes[:TRAINING_CHARACTERS])
    x_val, y_val = sequences(codes[TRAINING_CHARACTERS:])
    model = build_model(vocabulary.size)
    model.compile(optimizer={optimizer}, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=arguments.epochs, shuffle=True,
                        validation_data=(x_val, y_val), verbose=2)
    print(f"validation perplexity: {np.exp(history.history['val_loss'][-1]):.2f}")
    print(repr(PROMPT + write(model, vocabulary, PROMPT, 120, TEMPERATURE)))
    save_models({"char_language_model": model}, arguments.save)'''
