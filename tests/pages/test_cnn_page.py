"""AppTest: the CNN lab trains on the shared mechanism, and its controls rebuild or apply live."""

import pytest

from tests.pages.test_pages import metric, open_page, show_section, shown, until, url_settings

PAGE = "cnn_lab.py"


def test_step_trains_and_a_live_setting_keeps_progress():
    app = open_page(PAGE)
    assert not app.exception and metric(app, "Epoch") == "0"
    app.button(key="cnn_step").click().run()
    assert metric(app, "Epoch") == "1" and metric(app, "Test accuracy") != "–"
    app.select_slider(key="cnn_lr").set_value(0.01).run()
    assert metric(app, "Epoch") == "1"  # learning rate: live
    assert until(app, lambda: any("True class" in item.value for item in app.markdown))  # saliency drawn
    show_section(app, "cnn", "Mistakes")
    assert any("misclassified" in item.value for item in app.markdown)
    assert not any("True class" in item.value for item in app.markdown)


def test_the_lenet_preset_reads_32_pixel_images_with_61706_parameters():
    app = open_page(PAGE)
    app.selectbox(key="cnn_preset").set_value("LeNet-5").run()
    assert not app.exception
    assert app.number_input(key="cnn_size").value == 32
    assert any("61,706 parameters" in item.value for item in app.caption)
    assert metric(app, "Epoch") == "0"


def test_a_bad_layer_list_is_explained():
    app = open_page(PAGE, {"layers": "dense:16:3:1:same:relu:2:0.25:64"})
    assert not app.exception
    assert any("add Flatten or GlobalAveragePooling before it" in item.value for item in app.error)


def test_settings_round_trip_through_the_url():
    query = {"data": "digits", "size": "16", "seed": "3", "optimizer": "rmsprop", "lr": "0.001", "batch": "64",
             "layers": "conv2d:8:5:1:valid:tanh:2:0.25:64|max_pool:16:3:1:same:relu:2:0.25:64|"
                       "flatten:16:3:1:same:relu:2:0.25:64"}
    app = open_page(PAGE, query)
    assert not app.exception
    assert app.selectbox(key="cnn_optimizer").value == "rmsprop" and app.number_input(key="cnn_seed").value == 3
    params = url_settings(app)
    for key, value in query.items():
        assert params[key] == value


def test_lime_explains_the_chosen_image_with_its_samples_and_seed():
    app = open_page(PAGE)
    app.button(key="cnn_step").click().run()
    caption = until(app, lambda: next((item.value for item in app.caption if item.value.startswith("LIME:")), None))
    assert "500 perturbed copies" in caption and "seed 0" in caption
    app.select_slider(key="cnn_lime_samples").set_value(250).run()
    app.number_input(key="cnn_lime_seed").set_value(7).run()
    caption = until(app, lambda: next((item.value for item in app.caption
                                       if item.value.startswith("LIME:") and "seed 7" in item.value), None))
    assert "250 perturbed copies" in caption
    assert metric(app, "Epoch") == "1"  # explaining never trains or rebuilds


def test_drawing_and_uploading_ask_for_an_image_until_one_is_given():
    app = open_page(PAGE)
    app.radio(key="cnn_source").set_value("Draw one").run()
    assert not app.exception
    assert any("Draw a digit in the black square" in item.value for item in app.info)
    app.radio(key="cnn_source").set_value("Upload one").run()
    assert any("Upload a picture" in item.value for item in app.info)


def test_a_file_that_is_not_an_image_is_refused_as_an_error():
    app = open_page(PAGE)
    app.radio(key="cnn_source").set_value("Upload one").run()
    app.file_uploader(key="cnn_digit_upload").set_value(("notes.png", b"not an image at all", "image/png")).run()
    assert not app.exception
    assert "notes.png was not used" in shown(app.error)


def test_the_explanation_says_which_epochs_network_it_explains():
    app = open_page(PAGE)
    app.button(key="cnn_step").click().run()
    app.button(key="cnn_step").click().run()
    assert until(app, lambda: any("as it was at epoch 2." in item.value for item in app.caption))
    assert any("Grad-CAM uses layer_3, the last convolutional layer" in item.value for item in app.caption)


def test_the_layer_table_leaves_the_cells_a_kind_lacks_empty():
    app = open_page(PAGE)
    table = app.data_editor[0].value
    dense = table[table["kind"] == "dense"].iloc[0]
    pooling = table[table["kind"] == "max_pool"].iloc[0]
    assert dense["units"] == 64 and dense.isna()[["kernel_size", "filters", "pool_size", "padding"]].all()
    assert pooling["pool_size"] == 2 and pooling.isna()[["units", "activation", "filters"]].all()


def test_choosing_your_own_images_without_a_zip_asks_for_one():
    app = open_page(PAGE)
    app.selectbox(key="cnn_data").set_value("upload").run()
    assert not app.exception
    assert any("Upload a zip of class folders" in item.value for item in app.info)


@pytest.mark.parametrize(("size", "count", "message"), [
    ((8000, 4999), 40, "40 megapixels once decoded"),  # each member skipped from its header
    ((4000, 4000), 26, "add up to 416 megapixels once decoded"),  # the whole zip refused
])
def test_a_zip_of_huge_blank_images_is_refused_once_and_not_read_again(monkeypatch, size, count, message):
    """Reruns (a new seed, a new image size) reuse the verdict instead of reading the zip again."""
    import io
    import zipfile

    from PIL import Image

    from engine.data import image_folders

    png = io.BytesIO()
    Image.new("L", size).save(png, "PNG")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as writer:
        for index in range(count):
            writer.writestr(f"{'ab'[index % 2]}/{index}.png", png.getvalue())
    reads: list[int] = []
    real = image_folders.read_zip_images
    monkeypatch.setattr(image_folders, "read_zip_images", lambda *args: reads.append(1) or real(*args))
    app = open_page(PAGE)
    from ui.cnn_controls import ZipUpload  # once a page run has loaded it: it declares a component on import

    app.session_state["cnn_zip_file"] = ZipUpload("huge.zip", "huge-1", archive.getvalue())
    app.selectbox(key="cnn_data").set_value("upload").run()
    assert not app.exception
    assert any(message in shown([item]) for item in app.error), shown(app.error)
    app.number_input(key="cnn_seed").set_value(5).run()
    app.number_input(key="cnn_size").set_value(12).run()
    assert not app.exception and reads == [1] and len(app.error) == 1


def test_while_training_the_explanation_waits_for_refresh_and_pause_explains_the_network_again():
    def explained_at() -> int | None:
        caption = next((item.value for item in app.caption if item.value.startswith("Explained for the network")), None)
        return int(caption.split("epoch ")[1].split(":")[0].rstrip(".").replace(",", "")) if caption else None

    app = open_page(PAGE)
    until(app, lambda: explained_at() is not None)  # worked out in the background, with a progress bar meanwhile
    assert explained_at() == 0
    app.button(key="cnn_play").click().run()
    until(app, lambda: int(metric(app, "Epoch").replace(",", "")) >= 2, seconds=120)
    assert explained_at() == 0  # training goes on: the explanation stays until Refresh (no LIME pass per rerun)
    app.button(key="cnn_refresh_inside").click().run()
    refreshed = until(app, lambda: (explained_at() or 0) >= 1 and explained_at())
    assert refreshed >= 1
    app.button(key="cnn_play").click().run()  # the Play button reads Pause while it plays
    paused_at = int(metric(app, "Epoch").replace(",", ""))
    assert until(app, lambda: explained_at() == paused_at) and paused_at >= refreshed  # paused: the network as it is
