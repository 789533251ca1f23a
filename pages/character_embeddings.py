"""Character embeddings: the vectors the language model learned for each character, in 2-D, with neighbours."""

from __future__ import annotations

from engine.sequence.language_model import from_query_params, to_query_params
from ui.language_controls import seed_widgets
from ui.language_lab import embeddings_section, setup
from ui.lessons import lesson
from ui.links import open_lab, write_url
from ui.live import run_controls


def main() -> None:
    open_lab("lm", "Character embeddings", lesson("language_model", "embeddings_intro"), from_query_params,
             seed_widgets)
    settings, characters, trainer = setup("embeddings")
    run_controls(trainer, "lm")
    embeddings_section(trainer, characters, settings)
    write_url(to_query_params(settings))


main()
