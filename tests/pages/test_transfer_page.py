"""AppTest: the transfer-learning lab pre-trains once, then races four fine-tuning modes live."""

from tests.pages.test_pages import metric, open_page, shown, until, url_settings

PAGE = "transfer_learning.py"


def open_pretrained(query: dict | None = None):
    """The page once its pre-training (a background job, shared by every session) is done."""
    app = open_page(PAGE, query)
    until(app, lambda: not app.get("progress"), seconds=240)
    return app


def test_pretraining_runs_in_the_background_with_a_progress_bar_and_the_race_follows():
    app = open_page(PAGE, {"pretrain": "2", "seed": "5"})  # settings no other test pre-trains
    assert not app.exception
    progress = app.get("progress")  # the page answered at once
    assert progress and progress[0].proto.text.startswith("Pre-training on ") and "for 2 epochs" in progress[0].proto.text
    assert not any(button.key == "tl_step" for button in app.button)
    assert url_settings(app)["pretrain"] == "2"  # the link follows the controls meanwhile
    until(app, lambda: any(button.key == "tl_step" for button in app.button), seconds=240)
    assert not app.get("progress") and not app.exception


def test_pretraining_is_shown_and_a_step_trains_all_four_modes():
    app = open_pretrained()
    assert not app.exception
    assert float(metric(app, "Test accuracy on the source classes").rstrip("%")) > 90
    assert [item.label for item in app.metric][1:] == ["Epoch", "New head only", "Last layers unfrozen",
                                                      "Everything fine-tuned", "From scratch"]
    assert metric(app, "From scratch") == "–"
    app.button(key="tl_step").click().run()
    assert all(metric(app, label).endswith("%") for label in ("New head only", "From scratch"))
    assert metric(app, "Epoch") == "1"
    table = app.dataframe[-1].value
    assert list(table["mode"]) == ["New head only", "Last layers unfrozen", "Everything fine-tuned", "From scratch"]
    assert table["trainable weights"][0] == "645"  # 128 features × 5 classes + 5 biases


def test_a_live_setting_keeps_progress_and_the_experiment_rebuilds():
    app = open_pretrained()
    app.button(key="tl_step").click().run()
    app.select_slider(key="tl_lr").set_value(0.01).run()
    assert metric(app, "Epoch") == "1"  # learning rate: live
    app.number_input(key="tl_labelled").set_value(2).run()
    assert not app.exception
    assert metric(app, "Epoch") == "0"  # fewer labels: a new race
    assert any("from 2 labelled image(s) each (10 in all)" in item.value for item in app.subheader)
    assert any("with 10 labelled images," in item.value for item in app.markdown)  # the count, not a fixed 25


def test_impossible_choices_are_explained():
    app = open_pretrained()
    app.multiselect(key="tl_source").set_value([]).run()
    assert "Choose at least two classes to pre-train on (0 chosen)" in shown(app.error)
    assert "Received" not in shown(app.error) and "[]" not in shown(app.error)  # words, not engine lists
    app.multiselect(key="tl_source").set_value([0, 1, 2, 3, 4]).run()
    app.number_input(key="tl_unfreeze").set_value(3).run()
    assert "Choose 1 to 2" in shown(app.error)


def test_settings_round_trip_through_the_url():
    query = {"data": "digits", "size": "8", "source": "0,2,4,6,8", "labelled": "3", "pretrain": "5",
             "unfreeze": "2", "optimizer": "rmsprop", "lr": "0.001", "batch": "16", "seed": "2"}
    app = open_pretrained(query)
    assert not app.exception
    assert app.multiselect(key="tl_source").value == [0, 2, 4, 6, 8]
    assert any("Pre-trained on 0, 2, 4, 6, 8" in item.value for item in app.subheader)
    params = url_settings(app)
    for key, value in query.items():
        assert params[key] == value


def test_the_imagenet_run_is_explained_when_its_weights_are_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    app = open_pretrained()
    app.toggle(key="tl_imagenet").set_value(True).run()
    assert not app.exception
    assert any("ImageNet weights are not on this machine" in item.value for item in app.warning)
    assert "ImageNet MobileNetV2, new head" not in [item.label for item in app.metric]
    assert url_settings(app)["imagenet"] == "1"  # the link keeps what was asked for


def test_the_imagenet_run_races_beside_the_others_when_its_weights_are_here(backbone_home, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(backbone_home))
    app = open_pretrained({"imagenet": "1"})
    assert not app.exception
    assert app.toggle(key="tl_imagenet").value
    assert [item.label for item in app.metric][-1] == "ImageNet MobileNetV2, new head"
    app.button(key="tl_step").click().run()
    assert metric(app, "ImageNet MobileNetV2, new head").endswith("%")
    table = app.dataframe[-1].value
    assert list(table["mode"])[-1] == "ImageNet MobileNetV2, new head"
    assert table["trainable weights"].iloc[-1] == "6,405"  # 1,280 features × 5 classes + 5 biases
