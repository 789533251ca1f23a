"""Sequence to sequence, with and without attention: an encoder reads a sequence, a decoder writes another.

The encoder (a GRU) reads the source token by token. The decoder (another GRU) starts from the
encoder's last state and writes the answer token by token, each step reading the token written
before (during training, the true one: *teacher forcing*). Without attention, everything the
decoder knows about the source has to fit in that one state vector. With attention (Luong's dot
product), at every output step the decoder scores each encoder state against its own, turns the
scores into weights that sum to 1 (a softmax), and reads their weighted sum as well: it can
look back at the part of the source it needs. The weights are drawn as a heatmap per output
step. Both models race on the same data from the same seed, in one ``RunGroup``.

A pair is coded as one row: the source codes, then the decoder's input (``START`` then the
answer but its last token), and the model splits it; the targets are the answer's codes.
Writing without teacher forcing is greedy (the likeliest token, fed back) or a beam search.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from engine import fields
from engine.fields import Declared, choice, integer, nested, random_seed
from engine.sequence.decoding import beam_search
from engine.sequence.toy_tasks import TOKEN_TASKS, TokenPairs
from engine.training.group import RunGroup
from engine.training.optimizers import OptimizerConfig
from engine.training.run import TrainingRun
from engine.training.setup import ModelRecipe, RunSettings, TrainingData

TASKS = {"reverse": "Reverse a row of digits", "sort": "Sort a row of digits", "dates": "Dates to ISO form"}
MODELS = {"attention": "With attention", "plain": "Without attention"}
NUM_PAIRS, NUM_VALIDATION = 4000, 500
MEASURED = 100  # validation pairs written greedily every frame
MAX_BEAM_ROWS = 16


@dataclass(frozen=True)
class Seq2SeqSettings(Declared):
    """One encoder-decoder race.

    Attributes:
        task: a key of ``TASKS``.
        length: digits per row (reverse and sort; the dates are as long as they are).
        units: state size of the encoder and the decoder.
        embedding_size: length of each token's learned vector.
        example: the validation pair whose attention is drawn (live).
        beam_width: continuations a beam search keeps (live).
        optimizer: optimizer and learning rate (live).
        batch_size: pairs per update (live).
        seed: the pairs, the weights and the shuffling.
    """

    task: str = choice("reverse", TASKS, "task", "task")
    length: int = integer(8, 3, 20, "length", "a sequence length")
    units: int = integer(64, 8, 256, "units", "a number of units")
    embedding_size: int = integer(16, 2, 64, "embedding", "an embedding size")
    example: int = integer(0, 0, NUM_VALIDATION - 1, "example", "an example number", live=True)
    beam_width: int = integer(3, 1, MAX_BEAM_ROWS, "beam", "a beam width", live=True)
    optimizer: OptimizerConfig = nested(OptimizerConfig("adam", 0.005), keys={"momentum": None}, live=True)
    batch_size: int = integer(64, 8, 512, "batch", "a batch size", live=True)
    seed: int = random_seed()


@dataclass(frozen=True)
class PairData:
    """A task's pairs, coded for the models.

    Attributes:
        pairs: the token pairs (``toy_tasks.TokenPairs``).
        data: rows of source codes then decoder inputs, and the answers' codes.
        source_length, target_length: the two parts of a row.
        start: the decoder's start code (one past the target vocabulary).
    """

    pairs: TokenPairs
    data: TrainingData
    source_length: int
    target_length: int
    start: int

    def source_text(self, row: np.ndarray) -> str:
        """A row's source as text."""
        return "".join(self.pairs.source_tokens[code] for code in row[:self.source_length].astype(int) if code)

    def answer_text(self, codes: np.ndarray) -> str:
        """Target codes as text (padding left out)."""
        return "".join(self.pairs.target_tokens[int(code)] for code in codes if 0 < int(code) < self.start)


def pair_data(settings: Seq2SeqSettings) -> PairData:
    """The task's pairs: the first ``NUM_PAIRS - NUM_VALIDATION`` train, the rest validate."""
    pairs = TOKEN_TASKS[settings.task](NUM_PAIRS, settings.length if settings.task != "dates" else 10, settings.seed)
    start = len(pairs.target_tokens)
    decoder_inputs = np.concatenate([np.full((len(pairs.targets), 1), start), pairs.targets[:, :-1]], axis=1)
    rows = np.concatenate([pairs.sources, decoder_inputs], axis=1).astype(np.float32)
    targets = pairs.targets.astype(np.float32)
    cut = NUM_PAIRS - NUM_VALIDATION
    data = TrainingData(rows[:cut], targets[:cut], rows[cut:], targets[cut:])
    return PairData(pairs, data, pairs.sources.shape[1], pairs.targets.shape[1], start)


def build_seq2seq(source_length: int, target_length: int, source_vocabulary: int, target_vocabulary: int,
                  units: int, embedding_size: int, attention: bool, seed: int):
    """The encoder-decoder: a row in, a distribution over the target tokens at every output step out."""
    import keras
    from keras import ops

    initializer = keras.initializers.GlorotUniform
    seeds = iter(range(seed * 1000, seed * 1000 + 100))
    rows = keras.Input((source_length + target_length,), name="pair")
    source = keras.layers.Embedding(source_vocabulary, embedding_size, name="source_embedding",
                                    embeddings_initializer=keras.initializers.RandomUniform(
                                        -0.05, 0.05, seed=next(seeds)))(rows[:, :source_length])
    encoded, state = keras.layers.GRU(units, return_sequences=True, return_state=True, name="encoder",
                                      kernel_initializer=initializer(seed=next(seeds)),
                                      recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)))(source)
    written = keras.layers.Embedding(target_vocabulary + 1, embedding_size, name="target_embedding",
                                     embeddings_initializer=keras.initializers.RandomUniform(
                                         -0.05, 0.05, seed=next(seeds)))(rows[:, source_length:])
    decoded = keras.layers.GRU(units, return_sequences=True, name="decoder",
                               kernel_initializer=initializer(seed=next(seeds)),
                               recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)))(
        written, initial_state=state)
    features = decoded
    if attention:
        scores = ops.matmul(decoded, ops.transpose(encoded, (0, 2, 1)))  # (batch, output steps, source steps)
        weights = keras.layers.Activation("softmax", name="attention_weights")(scores)
        context = ops.matmul(weights, encoded)
        features = keras.layers.Dense(units, activation="tanh", name="attentional",
                                      kernel_initializer=initializer(seed=next(seeds)))(
            keras.layers.Concatenate(name="state_and_context")([decoded, context]))
    outputs = keras.layers.Dense(target_vocabulary, activation="softmax", name="next_token",
                                 kernel_initializer=initializer(seed=next(seeds)))(features)
    return keras.Model(rows, outputs, name="seq2seq_attention" if attention else "seq2seq_plain")


def make_run(settings: Seq2SeqSettings, pairs: PairData) -> RunGroup:
    """The race: the same encoder-decoder with and without attention, same data, same seed."""
    import keras

    runs = {}
    for name in MODELS:
        build = partial(build_seq2seq, pairs.source_length, pairs.target_length, len(pairs.pairs.source_tokens),
                        len(pairs.pairs.target_tokens), settings.units, settings.embedding_size, name == "attention")
        recipe = ModelRecipe(build=build, loss="sparse_categorical_crossentropy",
                             metrics={"accuracy": keras.metrics.sparse_categorical_accuracy})
        runs[name] = TrainingRun(recipe, pairs.data, run_settings(settings), seed=settings.seed)
    return RunGroup(runs)


def run_settings(settings: Seq2SeqSettings) -> RunSettings:
    """The live training settings: optimizer and batch size."""
    return RunSettings(optimizer=settings.optimizer, batch_size=settings.batch_size)


def greedy(run: TrainingRun, pairs: PairData, rows: np.ndarray) -> np.ndarray:
    """Each row's answer written greedily: the likeliest token at every step, fed back as the next input
    (one compiled loop)."""
    import tensorflow as tf

    write = run.model_function(("greedy", pairs.source_length), partial(_greedy_writer, pairs.source_length))
    return write(tf.constant(rows, tf.float32)).numpy()


def _greedy_writer(source_length: int, model):
    """``f(rows)``: the decoder's inputs after ``START`` filled in by the model's own likeliest tokens."""
    import tensorflow as tf

    def write(rows):
        width, steps = rows.shape[1], rows.shape[1] - source_length
        rows = tf.concat([rows[:, :source_length + 1], tf.zeros_like(rows[:, source_length + 1:])], axis=1)

        def step(index, rows, written):
            codes = tf.argmax(model(rows, training=False)[:, index], axis=-1, output_type=tf.int32)
            written = written.write(index, codes)
            column = tf.one_hot(source_length + index + 1, width)  # all zeros past the row's end
            rows = rows * (1 - column) + tf.cast(codes, tf.float32)[:, None] * column
            return index + 1, rows, written

        written = tf.TensorArray(tf.int32, size=steps)
        _, _, written = tf.while_loop(lambda index, *_: index < steps, step, (tf.constant(0), rows, written),
                                      maximum_iterations=steps)
        return tf.transpose(written.stack())
    return write


def attention_weights(run: TrainingRun, rows: np.ndarray) -> np.ndarray:
    """The attention weights (rows, output steps, source steps) for decoder inputs as given."""
    (weights,) = run.layer_outputs(rows, ("attention_weights",))
    return weights


def beams(run: TrainingRun, pairs: PairData, row: np.ndarray, width: int) -> list[tuple[str, float]]:
    """The ``width`` likeliest answers for one row by beam search, with their probabilities."""
    def next_log_probabilities(prefixes: np.ndarray) -> np.ndarray:
        batch = np.zeros((MAX_BEAM_ROWS, len(row)), np.float32)  # one shape: one trace
        batch[:len(prefixes), :pairs.source_length] = row[:pairs.source_length]
        batch[:len(prefixes), pairs.source_length:pairs.source_length + prefixes.shape[1]] = prefixes
        probabilities = run.predict(batch)[:len(prefixes), prefixes.shape[1] - 1]
        return np.log(np.maximum(probabilities, 1e-30))

    if not 1 <= width <= MAX_BEAM_ROWS:
        raise ValueError(f"Expected a beam width from 1 to {MAX_BEAM_ROWS}. Received: {width}.")
    found = beam_search(next_log_probabilities, np.array([pairs.start]), pairs.target_length, width)
    return [(pairs.answer_text(np.array(beam.tokens)), float(np.exp(beam.log_probability))) for beam in found]


@dataclass(frozen=True)
class Seq2SeqView:
    """What the race's page draws between chunks.

    Attributes:
        exact: model -> share of ``MEASURED`` validation pairs whose greedy answer is right in full.
        source, truth: the example's source and answer as text.
        written: model -> the example's greedy answer.
        weights: the attention weights while writing it greedily (output steps, source steps).
        source_tokens, written_tokens: the tokens along the heatmap's axes.
    """

    exact: dict[str, float]
    source: str
    truth: str
    written: dict[str, str]
    weights: np.ndarray
    source_tokens: tuple[str, ...]
    written_tokens: tuple[str, ...]


class Seq2SeqObserver:
    """Writes the validation pairs greedily and draws the attention on the example the page picked."""

    def __init__(self, pairs: PairData, example: int = 0) -> None:
        self.pairs, self.example = pairs, example

    def __call__(self, group: RunGroup) -> Seq2SeqView:
        pairs, data = self.pairs, self.pairs.data
        measured = data.x_val[:MEASURED]
        exact, written, example_codes = {}, {}, {}
        example = data.x_val[self.example:self.example + 1]
        for name, run in group.runs.items():
            answers = greedy(run, pairs, np.concatenate([measured, example]))
            exact[name] = float(np.mean(np.all(answers[:-1] == data.y_val[:MEASURED], axis=1)))
            example_codes[name] = answers[-1]
            written[name] = pairs.answer_text(answers[-1])
        codes = example_codes["attention"]
        fed = example.copy()
        fed[0, pairs.source_length + 1:] = codes[:-1]
        weights = attention_weights(group.runs["attention"], fed)[0]
        source_tokens = tuple(pairs.pairs.source_tokens[int(code)] for code in example[0, :pairs.source_length])
        written_tokens = tuple(pairs.pairs.target_tokens[int(code)] if int(code) < pairs.start else "?"
                               for code in codes)
        return Seq2SeqView(exact, pairs.source_text(example[0]), pairs.answer_text(data.y_val[self.example]), written,
                           weights, source_tokens, written_tokens)


# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, Seq2SeqSettings)
