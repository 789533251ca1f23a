"""Inside the cell: the language model's gates and states on a text the learner types, and the units that track something."""

from __future__ import annotations

from engine.sequence.language_model import from_query_params, to_query_params
from ui.language_controls import seed_widgets
from ui.language_lab import inside_section, setup
from ui.lessons import lesson
from ui.links import open_lab, write_url
from ui.live import run_controls


def main() -> None:
    open_lab("lm", "Inside the cell", lesson("language_model", "inside_intro"), from_query_params, seed_widgets)
    settings, characters, trainer = setup("inside")
    run_controls(trainer, "lm")
    inside_section(trainer, characters, settings)
    write_url(to_query_params(settings))


main()
