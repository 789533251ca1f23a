"""AppTest: the RBM lab trains by CD-k live, animates a Gibbs chain, cross-checks scikit-learn, races the DBN."""

from tests.pages.test_pages import figure, metric, open_page, show_section, until, url_settings

PAGE = "rbm_lab.py"


def test_cd_steps_lower_the_error_and_the_chain_is_an_animation():
    app = open_page(PAGE)
    assert not app.exception and not app.error
    app.button(key="rbm_step").click().run()
    first = float(metric(app, "Test reconstruction error"))
    for _ in range(4):
        app.button(key="rbm_step").click().run()
    assert metric(app, "Epoch") == "5" and float(metric(app, "Test reconstruction error")) < first
    app.slider(key="rbm_chain_steps").set_value(50).run()
    app.select_slider(key="rbm_chain_every").set_value(10).run()
    chain = figure(app, "rbm_chain")
    assert [frame["name"] for frame in chain["frames"]] == ["0", "10", "20", "30", "40", "50"]


def test_k_is_live_and_scikit_learn_is_compared_on_demand():
    app = open_page(PAGE)
    app.button(key="rbm_step").click().run()
    app.slider(key="rbm_k").set_value(3).run()
    assert metric(app, "Epoch") == "1"
    app.button(key="rbm_reference").click().run()
    compared = until(app, lambda: [item.value for item in app.markdown if "scikit-learn" in item.value and "(CD-3)" in item.value])
    assert compared and "after 1 epoch:" in compared[0]
    app.slider(key="rbm_k").set_value(2).run()
    assert any("(CD-3)" in item.value for item in app.markdown)  # the comparison says how it was made


def test_the_dbn_race_trains_three_classifiers_and_the_link_carries_both_setups():
    app = show_section(open_page(PAGE), "rbm", "Deep belief network")
    app.number_input(key="dbn_pretrain").set_value(3).run()
    assert app.get("progress") and not any(button.key == "dbn_step" for button in app.button)  # pre-training
    assert url_settings(app)["pretrain"] == "3"  # the link follows the controls meanwhile
    until(app, lambda: any(button.key == "dbn_step" for button in app.button))
    assert not app.get("progress")
    app.button(key="dbn_step").click().run()
    assert all(metric(app, label).endswith("%") for label in
               ("DBN, fine-tuned", "DBN features, frozen", "Same MLP, random start"))
    assert any("after learning from 50 labelled images" in item.value for item in app.caption)
    params = url_settings(app)
    assert params["pretrain"] == "3" and params["hidden"] == "64"
    shared = open_page(PAGE, {**params, "labelled": "2"})
    assert shared.number_input(key="dbn_labelled").value == 2 and not shared.exception
