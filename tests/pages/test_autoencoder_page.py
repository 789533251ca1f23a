"""AppTest: the autoencoder lab trains live, explores its code space, samples and shares its setup."""

from engine.generative.autoencoder import from_query_params
from tests.pages.test_pages import figure, metric, open_page, plotted, show_section, url_settings
from ui.figures import metric_label

PAGE = "autoencoder_lab.py"



def test_steps_lower_the_test_loss_and_the_views_follow():
    app = open_page(PAGE)
    assert not app.exception and not app.error
    assert metric(app, "Epoch") == "0"
    app.button(key="ae_step").click().run()
    first = float(metric(app, "Test reconstruction loss"))
    for _ in range(4):
        app.button(key="ae_step").click().run()
    assert metric(app, "Epoch") == "5"
    assert float(metric(app, "Test reconstruction loss")) < first
    assert float(metric(app, "Test KL")) > 0
    assert any("Test images and what comes back" in item.value for item in app.markdown)
    assert not any("The code, decoded" in item.value for item in app.markdown)  # only the part shown runs
    show_section(app, "ae", "Latent explorer")
    assert any("The code, decoded" in item.value for item in app.markdown)
    assert url_settings(app)["view"] == "2"


def test_beta_and_noise_apply_live_and_the_denoising_rows_appear():
    def last_train(metric_name: str) -> float:
        trace = next(trace for trace in figure(app, "ae_curves")["data"]
                     if trace["hovertemplate"].startswith(f"train {metric_label(metric_name)} "))
        return float(plotted(trace["y"])[-1])

    app = open_page(PAGE)
    app.button(key="ae_step").click().run()
    assert last_train("loss") > last_train("reconstruction_loss") + 0.01  # β = 1: the KL term counts
    app.slider(key="ae_beta").set_value(0.0).run()
    app.slider(key="ae_noise").set_value(0.3).run()
    app.button(key="ae_step").click().run()
    assert metric(app, "Epoch") == "2"  # live: progress kept
    assert last_train("loss") == last_train("reconstruction_loss")  # β = 0 from the next batch on
    assert any("denoising" in item.value for item in app.markdown)


def test_the_code_sliders_decode_and_a_longer_code_gets_one_slider_per_number():
    app = open_page(PAGE, {"view": "2"})  # a link can open the latent explorer
    assert [item.key for item in app.slider if item.key.startswith("ae_z_")] == ["ae_z_0", "ae_z_1"]
    app.slider(key="ae_z_0").set_value(1.5).run()
    assert not app.exception
    app.slider(key="ae_latent").set_value(6).run()
    assert not app.exception
    assert len([item for item in app.slider if item.key.startswith("ae_z_")]) == 6
    assert any("principal components" in item.value for item in app.caption)


def test_sampling_and_interpolation_follow_their_controls():
    app = show_section(open_page(PAGE), "ae", "Sample and interpolate")
    app.slider(key="ae_samples").set_value(8).run()
    assert any("8 codes drawn from the prior" in item.value for item in app.caption)
    app.radio(key="ae_model").set_value("autoencoder").run()
    assert any("fitted to the training codes" in item.value for item in app.caption)
    app.number_input(key="ae_to").set_value(5).run()
    assert any("test images 0" in item.value and "and 5" in item.value for item in app.caption)


def test_a_code_too_long_for_the_images_is_explained():
    app = open_page(PAGE)
    app.slider(key="ae_latent").set_value(64).run()
    assert any("squeezes nothing" in item.value for item in app.error)
    assert not app.exception


def test_the_link_carries_the_setup_and_reproduces_it():
    app = open_page(PAGE)
    app.radio(key="ae_arch").set_value("conv").run()
    app.slider(key="ae_beta").set_value(2.5).run()
    params = url_settings(app)
    assert params["arch"] == "conv" and params["beta"] == "2.5"
    shared = open_page(PAGE, params)
    assert shared.radio(key="ae_arch").value == "conv" and shared.slider(key="ae_beta").value == 2.5
    assert from_query_params(params)[0].architecture == "conv"
    clamped = open_page(PAGE, {"latent": "500"})
    assert clamped.slider(key="ae_latent").value == 64
    assert any("latent" in item.value for item in clamped.warning)
