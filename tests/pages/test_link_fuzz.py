"""Hostile share links: every key of every lab's link, given non-finite, huge, negative, empty,
wrong-type or markup values, gives usable settings and a page with warnings, never an exception.

The link readers are fuzzed one key at a time (fast, no page); each page is then opened with
all its numeric keys far out of range at once, which is where a reader and a widget that
disagree on a range used to stop the page.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from engine.data.upload import is_number
from engine.generative import autoencoder, dbn, image_gan, point_gan, rbm
from engine.playground import settings as playground
from engine.rl import settings as rl
from engine.sequence import forecast, gradients, language_model, seq2seq, unrolled
from engine.vision import cnn_lab, convolution_lab, transfer
from tests.conftest import ROOT

# page file -> (a default link of every key it reads, the readers of that link)
LINKS = {
    "network_playground.py": (playground.to_query_params(playground.PlaygroundSettings()),
                              [playground.from_query_params]),
    "convolution_lab.py": (convolution_lab.to_query_params(convolution_lab.ConvolutionLabSettings()),
                           [convolution_lab.from_query_params]),
    "cnn_lab.py": (cnn_lab.to_query_params(cnn_lab.CnnLabSettings()), [cnn_lab.from_query_params]),
    "transfer_learning.py": (transfer.to_query_params(transfer.TransferSettings()), [transfer.from_query_params]),
    "autoencoder_lab.py": (autoencoder.to_query_params(autoencoder.AutoencoderSettings()),
                           [autoencoder.from_query_params]),
    "gan_lab.py": (point_gan.to_query_params(point_gan.PointGanSettings()), [point_gan.from_query_params]),
    "image_gan.py": (image_gan.to_query_params(image_gan.ImageGanSettings()), [image_gan.from_query_params]),
    "rbm_lab.py": ({**rbm.to_query_params(rbm.RbmSettings()), **dbn.to_query_params(dbn.DbnSettings())},
                   [rbm.from_query_params, dbn.from_query_params]),
    "rl_lab.py": (rl.to_query_params(rl.AgentSettings()), [rl.from_query_params]),
    "forecasting_race.py": (forecast.to_query_params(forecast.ForecastSettings()), [forecast.from_query_params]),
    "recurrence_unrolled.py": (unrolled.to_query_params(unrolled.UnrolledSettings()), [unrolled.from_query_params]),
    "vanishing_gradients.py": (gradients.to_query_params(gradients.GradientSettings()), [gradients.from_query_params]),
    "seq2seq_attention.py": (seq2seq.to_query_params(seq2seq.Seq2SeqSettings()), [seq2seq.from_query_params]),
    **{page: (language_model.to_query_params(language_model.LanguageModelSettings()),
              [language_model.from_query_params])
       for page in ("char_language_model.py", "inside_the_cell.py", "character_embeddings.py")},
}
HOSTILE = ("inf", "-inf", "nan", "1e999", "-1e999", "1e9", "-1e9", "-1", "0", "", "abc", "1.5", "0x10",
           ",", "1,2,3,4,5,6,7,8,9,10,11,12,13", "[click](https://evil.example) ![x](https://evil.example/p.png)")


@pytest.mark.parametrize("page", sorted(LINKS))
def test_every_link_key_read_with_any_value_gives_settings_and_at_most_warnings(page):
    defaults, readers = LINKS[page]
    assert defaults  # the page has a link to fuzz
    for key in defaults:
        for value in HOSTILE:
            for read in readers:
                settings, warnings = read({**defaults, key: value})
                assert settings is not None and all(isinstance(line, str) for line in warnings), (key, value)


# Pages whose settings show some widgets only in one mode: the link is also tried in that mode.
MODES = {"rl_lab.py": [{}, {"agent": "dqn"}], "network_playground.py": [{}, {"optimizer": "adam"}]}
# Keys left at their default in the page runs: their largest value is slow by design (200 epochs of
# pretraining take over a minute on 2 cores); the reader test above fuzzes them.
SLOW_KEYS = {"transfer_learning.py": {"pretrain"}}


@pytest.mark.parametrize("value", ["1e9", "-1e9"])
@pytest.mark.parametrize("page", sorted(LINKS))
def test_a_link_with_every_number_out_of_range_opens_the_page_with_warnings(page, value):
    defaults, _ = LINKS[page]
    for mode in MODES.get(page, [{}]):
        link = {**defaults, **{key: value for key, default in defaults.items()
                               if is_number(default) and key not in SLOW_KEYS.get(page, ())}, **mode}
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        app.query_params.update(link)
        app.switch_page(f"pages/{page}").run()
        assert not app.exception, (mode, app.exception[0].value if app.exception else "")
        assert app.warning, mode  # the clamped values are named, not silently changed


def test_markup_in_a_link_value_is_shown_as_text_not_rendered_as_a_link_or_image():
    from ui.text import literal

    hostile = "[Reset your password](https://evil.example/login) ![x](https://evil.example/p.png)"
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params.update({"lr": hostile})
    app.switch_page("pages/network_playground.py").run()
    bodies = [item.value for item in app.warning]
    assert any(literal(hostile) in body for body in bodies), bodies  # every bracket escaped
    assert not any("](https://evil" in body for body in bodies)
