"""A character language model: a recurrent network learns to guess the next character of a text.

The text is cut into sequences of ``sequence_length`` characters; at every position the network
reads one character (as a learned embedding vector), updates its recurrent state and outputs a
probability for every character of the vocabulary to come next. Its loss is the cross-entropy
of the true next character, in nats; e to that loss is the **perplexity**: how many characters
the model is, on average, as unsure between as if it picked uniformly among them (the
vocabulary's size at the start, about 1 for a text learned by heart).

To write, the network reads a prompt and then feeds each character it picks back in. The
recurrent layers are stepped one character at a time with their own Keras cells
(``layer.cell``) on the trained weights, so a generated character costs one step, not a pass
over a whole window; tests hold the stepped probabilities equal to the full model's. Picking
is greedy (the likeliest character), sampled at a temperature (below 1: safer, above 1:
wilder), or a beam search (``engine.sequence.decoding``) for the likeliest continuation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from engine import fields
from engine.fields import Declared, choice, integer, nested, number, random_seed, text
from engine.models.layers import Construction, LayerSpec, build_layers, layer_rows
from engine.sequence.decoding import Beam, beam_search, perplexity
from engine.sequence.embeddings import PROJECTIONS
from engine.sequence.text import Vocabulary, default_corpus
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

UPLOAD = "upload"
CORPORA = {"python_help": "Python's help pages (bundled)", UPLOAD: "Your text (.txt)"}
CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}
MAX_UNITS, MAX_LAYERS, MAX_EMBEDDING = 512, 3, 64
MAX_TEXT_CHARACTERS = 400_000
VALIDATION_SHARE = 0.1  # of the characters used: the text that follows the training part
MAX_BEAM_WIDTH = 16
MAX_SAMPLE_LENGTH = 1000
MAX_PROMPT = 200
TOP_SHOWN = 10  # likeliest next characters shown


@dataclass(frozen=True)
class LanguageModelSettings(Declared):
    """One character language model, and how it writes.

    Attributes:
        corpus: a key of ``CORPORA``.
        text_characters: characters of the text used for training (the next tenth validates).
        cell: a key of ``CELL_NAMES``.
        embedding_size: length of each character's learned vector.
        units: state size of every recurrent layer.
        layers: recurrent layers stacked.
        sequence_length: characters per training sequence (how far back the gradient reaches).
        optimizer: optimizer and learning rate (live).
        batch_size: sequences per update (live).
        temperature: how boldly sampling picks (live; greedy is its own choice).
        beam_width: continuations a beam search keeps (live).
        sample_length: characters written per sample (live).
        prompt: the text the model continues (live).
        inspected: the text whose gates and states are shown ("": the start of the validation text; live).
        projection: how the character vectors are drawn in 2-D, a key of ``PROJECTIONS`` (live).
        neighbours_of: the character whose nearest neighbours are listed (live).
        seed: weights, shuffling and sampling.
    """

    corpus: str = choice("python_help", CORPORA, "corpus", "text")
    text_characters: int = integer(30_000, 2_000, MAX_TEXT_CHARACTERS, "chars", "a number of characters")
    cell: str = choice("lstm", CELL_NAMES, "cell", "cell")
    embedding_size: int = integer(16, 2, MAX_EMBEDDING, "embedding", "an embedding size")
    units: int = integer(96, 4, MAX_UNITS, "units", "a number of units")
    layers: int = integer(1, 1, MAX_LAYERS, "layers", "a number of recurrent layers")
    sequence_length: int = integer(50, 5, 200, "length", "a sequence length")
    optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.005), keys={"momentum": None}, live=True)
    batch_size: int = integer(64, 4, 512, "batch", "a batch size", live=True)
    temperature: float = number(0.6, 0.05, 3.0, "temp", "a temperature", live=True)
    beam_width: int = integer(4, 1, MAX_BEAM_WIDTH, "beam", "a beam width", live=True)
    sample_length: int = integer(200, 10, MAX_SAMPLE_LENGTH, "sample", "a sample length", live=True)
    prompt: str = text("The ", "prompt", "a prompt", live=True)
    inspected: str = text("", "inspect", "a text to inspect", live=True)
    projection: str = choice("pca", PROJECTIONS, "projection", "a projection", live=True)
    neighbours_of: str = text("e", "of", "a character", live=True)
    seed: int = random_seed()


@dataclass(frozen=True)
class CharacterData:
    """A text coded for training: the vocabulary, and sequences whose targets are the next characters.

    Attributes:
        vocabulary: the characters of the text used (training and validation parts).
        data: inputs (sequences, length) and targets (the same, one character on) as codes.
        training_text, validation_text: the two parts, in the text's order.
    """

    vocabulary: Vocabulary
    data: TrainingData
    training_text: str
    validation_text: str


def corpus_text(settings: LanguageModelSettings, upload: str | None = None) -> str:
    """The text to learn: the bundled help pages, or the learner's checked upload."""
    if settings.corpus == UPLOAD:
        if upload is None:
            raise ValueError("Upload a plain text file (.txt), or pick the bundled text.")
        return upload
    return default_corpus()


def character_data(text: str, settings: LanguageModelSettings) -> CharacterData:
    """Training sequences from the first ``text_characters`` of ``text``, validation ones from the tenth after
    (a shorter text is split in the same proportion)."""
    length = settings.sequence_length
    used = text[:round(settings.text_characters * (1 + VALIDATION_SHARE))]
    validation_characters = max(round(len(used) * VALIDATION_SHARE / (1 + VALIDATION_SHARE)), length + 1)
    split = len(used) - validation_characters
    if split < 4 * (length + 1):
        raise ValueError(f"The text has {len(text):,} characters: too few for sequences of {length}. Expected at "
                         f"least {4 * (length + 1) + validation_characters:,}; shorten the sequences or use a longer "
                         "text.")
    vocabulary = Vocabulary.of(used)
    codes = vocabulary.encode(used).astype(np.float32)
    train, validation = _sequences(codes[:split], length), _sequences(codes[split:], length)
    data = TrainingData(train[:, :-1], train[:, 1:], validation[:, :-1], validation[:, 1:])
    return CharacterData(vocabulary, data, used[:split], used[split:])


def _sequences(codes: np.ndarray, length: int) -> np.ndarray:
    """Consecutive, non-overlapping runs of ``length + 1`` codes (inputs and their next characters)."""
    count = (len(codes) - 1) // length
    return np.stack([codes[index * length:index * length + length + 1] for index in range(count)])


def model_layers(settings: LanguageModelSettings, vocabulary_size: int) -> list[tuple[str, LayerSpec]]:
    """Embedding, the recurrent stack (every step's state passed on) and a softmax over the vocabulary at each step."""
    return [
        ("embedding", LayerSpec("embedding", input_dim=vocabulary_size, units=settings.embedding_size)),
        *((f"{settings.cell}_{index}", LayerSpec(settings.cell, units=settings.units, return_sequences=True))
          for index in range(1, settings.layers + 1)),
        ("next_character", LayerSpec("dense", units=vocabulary_size, activation="softmax")),
    ]


def build_language_model(sequence_length: int, layers: tuple[tuple[str, LayerSpec], ...], seed: int):
    """The Keras model: (sequence_length,) codes in, a distribution over the vocabulary at every step out."""
    import keras

    layer_rows((sequence_length,), layers)
    seeds = iter(range(seed * 1000, seed * 1000 + 1000))
    construction = Construction(initializer=lambda: keras.initializers.GlorotUniform(seed=next(seeds)),
                                next_seed=lambda: next(seeds))
    inputs = keras.Input((sequence_length,), name="characters")
    return keras.Model(inputs, build_layers(inputs, layers, construction), name="char_language_model")


def make_run(settings: LanguageModelSettings, characters: CharacterData) -> TrainingRun:
    """A run that learns to guess each next character (validated on the text after the training part)."""
    import keras

    layers = tuple(model_layers(settings, characters.vocabulary.size))
    recipe = ModelRecipe(build=partial(build_language_model, settings.sequence_length, layers),
                         loss="sparse_categorical_crossentropy",
                         metrics={"accuracy": keras.metrics.sparse_categorical_accuracy})
    return TrainingRun(recipe, characters.data, run_settings(settings), seed=settings.seed)


def run_settings(settings: LanguageModelSettings) -> RunSettings:
    """The live training settings: optimizer and batch size."""
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size)


# ----------------------------------------------------------------- stepping the trained network
def _parts(model) -> tuple[Any, list, Any]:
    """The model's embedding, its recurrent layers' cells (dropout has no part at inference) and its output layer."""
    embedding = next(layer for layer in model.layers if layer.name == "embedding")
    cells = [layer.cell for layer in model.layers if hasattr(layer, "cell")]
    return embedding, cells, model.get_layer("next_character")


def _zero_states(cells: list, rows) -> list:
    """Every cell's initial state for ``rows`` sequences: zeros, one tensor per state (an LSTM has h and C)."""
    import tensorflow as tf

    return [[tf.zeros((rows, size)) for size in (cell.state_size if isinstance(cell.state_size, list | tuple)
                                                 else [cell.state_size])] for cell in cells]


def _stepper(model) -> Callable:
    """``step(codes (rows,), states) -> (probabilities (rows, vocabulary), states)``: one character for each row."""
    embedding, cells, head = _parts(model)

    def step(codes, states):
        x = embedding(codes)
        new_states = []
        for cell, state in zip(cells, states, strict=True):
            x, state = cell(x, state, training=False)
            new_states.append(list(state) if isinstance(state, list | tuple) else [state])
        return head(x), new_states
    return step


def writer(model) -> Callable:
    """``f(prompt (length,), count, temperature, greedy, seed (2,))``: the prompt read, then ``count``
    characters picked and fed back, in one compiled loop.

    Returns the codes picked (count,), the probability each had when picked (count,), and the
    distribution over the first character after the prompt (vocabulary,).
    """
    import tensorflow as tf

    step = _stepper(model)
    cells = _parts(model)[1]

    def write(prompt, count, temperature, greedy, seed):
        states = _zero_states(cells, 1)
        probabilities = tf.zeros((1, model.output_shape[-1]))
        for_prompt = tf.shape(prompt)[0]

        def read(index, probabilities, states):
            probabilities, states = step(prompt[index][None], states)
            return index + 1, probabilities, states

        _, probabilities, states = tf.while_loop(lambda index, *_: index < for_prompt, read,
                                                 (tf.constant(0), probabilities, states))
        first = probabilities[0]

        def pick(index, probabilities, states, codes, chosen):
            logits = tf.math.log(tf.maximum(probabilities, 1e-30)) / temperature
            drawn = tf.random.stateless_categorical(logits, 1, seed + tf.stack([index, 0]), dtype=tf.int32)[:, 0]
            code = tf.where(greedy, tf.argmax(probabilities, axis=-1, output_type=tf.int32), drawn)
            chosen = chosen.write(index, tf.gather(probabilities[0], code[0]))
            codes = codes.write(index, code[0])
            probabilities, states = step(code, states)
            return index + 1, probabilities, states, codes, chosen

        arrays = (tf.TensorArray(tf.int32, size=count), tf.TensorArray(tf.float32, size=count))
        _, _, _, codes, chosen = tf.while_loop(lambda index, *_: index < count, pick,
                                               (tf.constant(0), probabilities, states, *arrays))
        return codes.stack(), chosen.stack(), first
    return write


@dataclass(frozen=True)
class Written:
    """Text the model wrote after a prompt.

    Attributes:
        prompt: the prompt it read.
        text: what it wrote.
        probabilities: the probability each written character had when it was picked.
        next_characters: the likeliest characters to follow the prompt, with their probabilities.
    """

    prompt: str
    text: str
    probabilities: np.ndarray
    next_characters: tuple[tuple[str, float], ...]


def prompt_codes(vocabulary: Vocabulary, prompt: str) -> np.ndarray:
    """The prompt's codes; ``ValueError`` naming any character the model never saw, or an empty prompt."""
    if not prompt:
        raise ValueError("Type a prompt of at least one character for the model to continue.")
    if len(prompt) > MAX_PROMPT:
        raise ValueError(f"The prompt has {len(prompt):,} characters. Expected at most {MAX_PROMPT}.")
    try:
        return vocabulary.encode(prompt)
    except ValueError as error:
        raise ValueError(f"The prompt cannot be read: {error}") from None


def write(run: TrainingRun, vocabulary: Vocabulary, prompt: str, length: int, temperature: float | None,
          seed: int) -> Written:
    """``length`` characters after ``prompt``: sampled at ``temperature``, or greedy when it is None."""
    import tensorflow as tf

    if temperature is not None and not temperature > 0:
        raise ValueError(f"Expected a temperature above 0 (or greedy picking). Received: {temperature}.")
    codes = prompt_codes(vocabulary, prompt)
    picked, chosen, first = run.model_function("write", writer)(
        tf.constant(codes, tf.int32), tf.constant(int(length)), tf.constant(float(temperature or 1.0)),
        tf.constant(temperature is None), tf.constant([seed, 0], tf.int32))
    first = first.numpy()
    top = np.argsort(-first, kind="stable")[:TOP_SHOWN]
    return Written(prompt, vocabulary.decode(picked.numpy()), chosen.numpy(),
                   tuple((vocabulary.characters[code], float(first[code])) for code in top))


class _BatchedStep:
    """The compiled one-character step, NumPy in and out, always on ``MAX_BEAM_WIDTH`` rows (one trace)."""

    def __init__(self, run: TrainingRun) -> None:
        self.function = run.model_function("step", _stepper)
        self.cells = _parts(run.model)[1]

    def initial(self) -> list:
        """The zero state of one row."""
        return [[state.numpy() for state in layer] for layer in _zero_states(self.cells, 1)]

    def __call__(self, codes: np.ndarray, states: list) -> tuple[np.ndarray, list]:
        rows = len(codes)
        padding = MAX_BEAM_WIDTH - rows
        padded = [[np.pad(part, ((0, padding), (0, 0))) for part in layer] for layer in states]
        probabilities, new_states = self.function(np.pad(codes.astype(np.int32), (0, padding)), padded)
        return probabilities.numpy()[:rows], [[part.numpy()[:rows] for part in layer] for layer in new_states]


class _BeamScorer:
    """Scores beam-search prefixes one step each: every prefix extends one of the last call's by one
    character, so the states after those are kept and stepped once (not the whole prefix again)."""

    def __init__(self, run: TrainingRun, prompt: np.ndarray) -> None:
        self.step = _BatchedStep(run)
        states = self.step.initial()
        for code in prompt[:-1]:
            _, states = self.step(np.array([code]), states)
        self.states = {tuple(int(code) for code in prompt[:-1]): states}

    def __call__(self, prefixes: np.ndarray) -> np.ndarray:
        rows = [self.states[tuple(int(code) for code in row[:-1])] for row in prefixes]
        states = [[np.concatenate([row[layer][part] for row in rows]) for part in range(len(rows[0][layer]))]
                  for layer in range(len(rows[0]))]
        probabilities, new_states = self.step(prefixes[:, -1], states)
        self.states = {tuple(int(code) for code in row): [[part[index:index + 1] for part in layer]
                                                           for layer in new_states]
                       for index, row in enumerate(prefixes)}
        return np.log(np.maximum(probabilities, 1e-30))


def beam_continuations(run: TrainingRun, vocabulary: Vocabulary, prompt: str, length: int, width: int
                       ) -> list[tuple[str, float]]:
    """The ``width`` likeliest continuations of ``length`` characters after ``prompt``, with their probabilities."""
    if not 1 <= width <= MAX_BEAM_WIDTH:
        raise ValueError(f"Expected a beam width from 1 to {MAX_BEAM_WIDTH}. Received: {width}.")
    codes = prompt_codes(vocabulary, prompt)
    scorer = _BeamScorer(run, codes)
    beams: list[Beam] = beam_search(scorer, codes, length, width)
    return [(vocabulary.decode(np.array(beam.tokens)), float(np.exp(beam.log_probability))) for beam in beams]


@dataclass(frozen=True)
class SampleOptions:
    """How the live sample is written: the prompt, the temperature and how many characters."""

    prompt: str
    temperature: float
    length: int


@dataclass(frozen=True)
class LiveSample:
    """What the model wrote after an epoch (None, and why, when the prompt cannot be read)."""

    written: Written | None
    message: str
    epoch: int
    options: SampleOptions


class LiveSampler:
    """Writes a sample between chunks while the model trains, with the options the page set last.

    The page assigns ``options`` whenever the learner changes them; the worker reads them at
    its next observation (one attribute, replaced whole: no lock needed). The seed is the
    epoch, so the same network at the same epoch writes the same text.
    """

    def __init__(self, vocabulary: Vocabulary, options: SampleOptions) -> None:
        self.vocabulary, self.options = vocabulary, options

    def __call__(self, run: TrainingRun) -> LiveSample:
        options = self.options
        try:
            written = write(run, self.vocabulary, options.prompt, options.length, options.temperature, seed=run.epoch)
        except ValueError as error:
            return LiveSample(None, str(error), run.epoch, options)
        return LiveSample(written, "", run.epoch, options)


@dataclass(frozen=True)
class Generated:
    """The three ways of writing after one prompt: greedy, sampled at a temperature, and the beams."""

    greedy: Written
    sampled: Written
    beams: list[tuple[str, float]]


def generate(run: TrainingRun, vocabulary: Vocabulary, settings: LanguageModelSettings, beam_length: int = 40
             ) -> Generated:
    """Greedy and sampled continuations of the settings' prompt, and a beam search of ``beam_length`` characters."""
    length = settings.sample_length
    return Generated(write(run, vocabulary, settings.prompt, length, None, settings.seed),
                     write(run, vocabulary, settings.prompt, length, settings.temperature, settings.seed),
                     beam_continuations(run, vocabulary, settings.prompt, beam_length, settings.beam_width))


def validation_perplexity(history: dict[str, list[float]]) -> float | None:
    """e to the newest validation loss (None before the first epoch)."""
    losses = history.get("val_loss", [])
    return perplexity(losses[-1]) if losses else None


# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, LanguageModelSettings)
