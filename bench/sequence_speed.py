"""Sequence labs' speed: the default character language model beside ``model.fit``, and the forecasting race.

Prints, for the character language model on the bundled text: training characters per second
for our compiled chunks and for a plain ``model.fit`` of the same model (same batch size, one
epoch per call as a live page trains), their ratio (target: ours ≥ 3×); the seconds a fresh
model needs to reach a validation perplexity of ``TARGET_PERPLEXITY`` (compilation included),
and what it writes after 60 s (target: recognisable words on 2 cores). Then the forecasting
race's epochs per second (three cells side by side). Run: ``python bench/sequence_speed.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.sequence import forecast  # noqa: E402
from engine.sequence.decoding import perplexity  # noqa: E402
from engine.sequence.language_model import (  # noqa: E402
    LanguageModelSettings,
    build_language_model,
    character_data,
    corpus_text,
    make_run,
    model_layers,
    write,
)

EPOCHS = 10
TARGET_PERPLEXITY = 6.0
WRITING_SECONDS = 60.0


def main() -> None:
    import keras

    settings = LanguageModelSettings()
    characters = character_data(corpus_text(settings), settings)
    data = characters.data
    per_epoch = data.x_train.size

    started = time.perf_counter()
    run = make_run(settings, characters)
    while not run.history.get("val_loss") or perplexity(run.history["val_loss"][-1]) > TARGET_PERPLEXITY:
        run.advance(1)
        if time.perf_counter() - started > 600:
            break
    to_target, epochs_to_target = time.perf_counter() - started, run.epoch
    reached = perplexity(run.history["val_loss"][-1])
    while time.perf_counter() - started < WRITING_SECONDS:
        run.advance(1)
    sample = write(run, characters.vocabulary, settings.prompt, 160, settings.temperature, seed=0).text

    timed = make_run(settings, characters)
    timed.advance(1)
    clock = time.perf_counter()
    timed.advance(EPOCHS)
    ours = EPOCHS * per_epoch / (time.perf_counter() - clock)

    model = build_language_model(settings.sequence_length, tuple(model_layers(settings, characters.vocabulary.size)),
                                 seed=settings.seed)
    model.compile(optimizer=keras.optimizers.Adam(settings.optimizer.learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    arguments = dict(batch_size=settings.batch_size, epochs=1, verbose=0, validation_data=(data.x_val, data.y_val))
    model.fit(data.x_train, data.y_train, **arguments)
    clock = time.perf_counter()
    for _ in range(EPOCHS):
        model.fit(data.x_train, data.y_train, **arguments)
    fit = EPOCHS * per_epoch / (time.perf_counter() - clock)

    race_settings = forecast.ForecastSettings()
    values = forecast.series_values(race_settings)
    race = forecast.make_run(race_settings, values)
    race.advance(1)
    clock = time.perf_counter()
    race.advance(EPOCHS * 5)
    race_speed = EPOCHS * 5 / (time.perf_counter() - clock)

    print(f"character language model: {settings.cell} {settings.units} units, {per_epoch:,} training characters, "
          f"vocabulary {characters.vocabulary.size}, batch {settings.batch_size}")
    print(f"training characters/s: ours {ours:,.0f}, model.fit per epoch {fit:,.0f} ({ours / fit:.1f}×; target ≥ 3×)")
    print(f"fresh model to validation perplexity {TARGET_PERPLEXITY:g}: {to_target:.1f} s, {epochs_to_target} epochs, "
          f"reached {reached:.2f}")
    print(f"after {WRITING_SECONDS:.0f} s it writes: {settings.prompt!r} + {sample!r}")
    print(f"forecasting race (3 cells, default series): {race_speed:.1f} epochs/s")


if __name__ == "__main__":
    main()
