"""AppTest: the character language model trains, writes three ways, takes a text, explains bad prompts and shares its setup."""

import math

from engine.sequence.language_model import from_query_params
from tests.pages.test_pages import figure, metric, open_page, shown, url_settings

PAGE = "char_language_model.py"


def written_cells(app) -> list[str]:
    """The characters of the live sample as its chart shows them, prompt first."""
    (trace,) = figure(app, "lm_written")["data"]
    return [cell for row in trace["text"] for cell in row if cell]


def test_steps_lower_the_validation_loss_and_perplexity_is_e_to_it():
    app = open_page(PAGE)
    assert not app.exception and not app.error
    assert metric(app, "Epoch") == "0" and metric(app, "Validation perplexity").startswith("≈ ")
    app.button(key="lm_step").click().run()
    first = float(metric(app, "Validation loss"))
    app.button(key="lm_step").click().run()
    app.button(key="lm_step").click().run()
    loss = float(metric(app, "Validation loss"))
    assert loss < first
    assert float(metric(app, "Validation perplexity")) == round(math.exp(loss), 2) or \
        abs(float(metric(app, "Validation perplexity")) - math.exp(loss)) < 0.02 * math.exp(loss)
    cells = written_cells(app)
    assert "".join(cells[:4]) == "The␣" and len(cells) == 4 + 200
    greedy, sampled, *beams = [item.value for item in app.code]
    assert greedy.startswith("The ") and sampled.startswith("The ") and len(beams) == 4


def test_the_writing_controls_apply_without_a_new_run():
    app = open_page(PAGE)
    app.button(key="lm_step").click().run()
    app.text_input(key="lm_prompt").set_value("class ").run()
    app.number_input(key="lm_beam").set_value(2).run()
    app.slider(key="lm_temp").set_value(1.5).run()
    app.number_input(key="lm_sample").set_value(50).run()
    assert metric(app, "Epoch") == "1"  # the network stayed
    assert all(item.value.startswith("class ") for item in app.code)
    assert len(app.code) == 2 + 2
    app.button(key="lm_step").click().run()
    assert "".join(written_cells(app)[:6]) == "class␣" and len(written_cells(app)) == 56
    assert "temperature 1.5" in shown(app.markdown)


def test_a_prompt_with_characters_the_text_lacks_says_which():
    app = open_page(PAGE)
    app.text_input(key="lm_prompt").set_value("Zoë → ").run()
    assert "'ë', '→'" in shown(app.error) and not app.exception


def test_an_uploaded_text_is_learned_and_a_bad_file_leaves_the_text_in_place():
    app = open_page(PAGE)
    story = ("the cat sat on the mat. the dog sat on the log. " * 80).encode()
    app.file_uploader(key="lm_upload_file").set_value(("story.txt", story, "text/plain")).run()
    assert "'T'" in shown(app.error) and not app.exception  # the prompt "The " has a letter the story lacks
    app.text_input(key="lm_prompt").set_value("the ").run()
    assert not app.exception and not app.error
    assert app.selectbox(key="lm_corpus").value == "upload"
    assert any(item.label == "The vocabulary: 14 distinct characters in 3,840" for item in app.expander)
    app.button(key="lm_step").click().run()
    assert metric(app, "Epoch") == "1"
    app.file_uploader(key="lm_upload_file").set_value(("empty.txt", b"  \n", "text/plain")).run()
    assert "Could not use empty.txt: The file is empty" in shown(app.error)
    assert app.selectbox(key="lm_corpus").value == "upload" and metric(app, "Epoch") == "1"


def test_the_link_carries_the_setup_and_the_prompt():
    app = open_page(PAGE)
    app.radio(key="lm_cell").set_value("gru").run()
    app.text_input(key="lm_prompt").set_value("A list ").run()
    params = url_settings(app)
    assert params["cell"] == "gru" and params["prompt"] == "A list "
    shared = open_page(PAGE, params)
    assert not shared.exception
    assert from_query_params(url_settings(shared))[0] == from_query_params(params)[0]
    assert shared.text_input(key="lm_prompt").value == "A list "


def test_inside_the_cell_draws_every_gate_on_the_typed_text_and_names_tracking_units():
    app = open_page("inside_the_cell.py")
    app.button(key="lm_step").click().run()
    assert not app.exception and not app.error
    panels = figure(app, "lm_cell_trace")["layout"]["annotations"]
    assert [panel["text"].split(" ")[0] for panel in panels] == ["<b>input", "<b>forget", "<b>output", "<b>candidate",
                                                                  "<b>cell", "<b>hidden"]
    tracking = figure(app, "lm_tracking")["layout"]["annotations"]
    assert tracking and all(" unit " in item["text"] and "r = " in item["text"] for item in tracking)
    app.text_area(key="lm_inspect").set_value('x = "a b"').run()
    assert figure(app, "lm_cell_trace")["layout"]["xaxis"]["ticktext"] == ["x", "␣", "=", "␣", '"', "a", "␣", "b", '"']
    app.radio(key="lm_cell").set_value("gru").run()
    panels = figure(app, "lm_cell_trace")["layout"]["annotations"]
    assert [panel["text"].split(" ")[0] for panel in panels] == ["<b>update", "<b>reset", "<b>candidate", "<b>hidden"]
    app.text_area(key="lm_inspect").set_value("naïve ☃").run()
    assert "'☃'" in shown(app.error) and not app.exception


def test_embeddings_are_drawn_by_kind_and_the_neighbours_of_a_character_listed():
    app = open_page("character_embeddings.py", {"projection": "pca", "of": "e"})
    app.button(key="lm_step").click().run()
    assert not app.exception and not app.error
    kinds = [trace["name"] for trace in figure(app, "lm_embedding_chart")["data"]]
    assert {"vowel", "consonant", "space", "punctuation"} <= set(kinds)
    assert "PCA (linear)" in shown(app.caption)
    (table,) = app.dataframe
    assert len(table.value) == 8 and "e" not in list(table.value["character"])
    app.radio(key="lm_projection").set_value("tsne").run()
    assert "t-SNE" in shown(app.caption) and not app.exception
    app.text_input(key="lm_of").set_value("☃").run()
    assert "'☃'" in shown(app.error) and not app.exception
    assert url_settings(app)["projection"] == "tsne"


def test_the_three_pages_share_one_network():
    app = open_page(PAGE)
    for _ in range(2):
        app.button(key="lm_step").click().run()
    app.switch_page("pages/inside_the_cell.py").run()
    assert "network after 2 epochs" in shown(app.caption)  # the network trained on the first page
    app.button(key="lm_step").click().run()
    app.switch_page("pages/character_embeddings.py").run()
    assert "network after 3 epochs" in shown(app.caption) and not app.exception
    app.switch_page("pages/char_language_model.py").run()
    assert metric(app, "Epoch") == "3"
