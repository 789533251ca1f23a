"""Character language model: an LSTM or GRU learns a text live, writes while it trains, greedy, sampled or by beam search."""

from __future__ import annotations

from engine.sequence.language_model import from_query_params, to_query_params
from ui.language_controls import seed_widgets
from ui.language_lab import setup, training_part
from ui.lessons import lesson
from ui.links import open_lab, write_url


def main() -> None:
    open_lab("lm", "Character language model", lesson("language_model", "intro"), from_query_params, seed_widgets)
    settings, characters, trainer = setup("training")
    training_part(trainer, characters, settings)
    write_url(to_query_params(settings))


main()
