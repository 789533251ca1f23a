"""AppTest: the convolution lab's controls change what it computes, and links reproduce a setup."""

from tests.pages.test_pages import open_page, shown, url_settings

PAGE = "convolution_lab.py"


def worked_sum(app) -> str:
    line = next(item.value for item in app.markdown if "multiplications" in item.value)
    return line.rsplit("**", 2)[-2]


def test_the_course_example_link_shows_the_sum_2():
    app = open_page(PAGE, {"image": "Course example 3×3"})
    assert not app.exception
    assert worked_sum(app) == "2"
    assert any("9 multiplications" in item.value for item in app.markdown)


def test_a_preset_a_size_and_a_pixel_change_the_arithmetic():
    app = open_page(PAGE, {"image": "Digit 8×8"})
    before = worked_sum(app)
    app.selectbox(key="cv_preset").set_value("Box blur").run()
    assert worked_sum(app) != before
    app.number_input(key="cv_rows").set_value(5).run()
    assert any("15 multiplications" in item.value for item in app.markdown)  # a 5×3 box: non-square works
    app.number_input(key="cv_col").set_value(2).run()
    assert any("row 0, column 2" in item.value for item in app.caption)


def test_editing_a_cell_reaches_the_output():
    app = open_page(PAGE, {"image": "Course example 3×3"})
    editor_key = f"cv_editor_{app.session_state['cv_kernel_version']}_0"
    app.session_state[editor_key] = {"edited_rows": {1: {"3": 5.0}}, "added_rows": [], "deleted_rows": []}
    app.run()
    assert worked_sum(app) == "11"  # 2 − 2·3 + 5·3: the middle-right weight went from 2 to 5


def test_modes_banks_and_pooling_render():
    app = open_page(PAGE, {"channels": "depth", "kernel": "1,0;0,1|0,0;0,0|0,0;0,0", "pooling": "max", "relu": "1"})
    assert not app.exception and any("12 multiplications" in item.value for item in app.markdown)
    app = open_page(PAGE, {"bank": "Sobel y,Emboss"})
    assert not app.exception and any("×3" in item.value for item in app.markdown)
    app.radio(key="cv_channels").set_value("per_channel").run()
    assert not app.exception and app.toggle(key="cv_rescale") is not None


def test_an_impossible_geometry_is_explained():
    app = open_page(PAGE, {"image": "Course example 3×3", "dilation": "4,1"})
    assert not app.exception
    assert any("does not fit" in item.value for item in app.error)


def test_settings_round_trip_through_the_url():
    query = {"image": "Checkerboard", "padding": "explicit", "pad": "2", "strides": "2,1", "kernel": "0,1;1,0",
             "pooling": "average", "pool": "3"}
    app = open_page(PAGE, query)
    assert not app.exception
    assert app.selectbox(key="cv_padding").value == "explicit" and app.number_input(key="cv_pad").value == 2
    params = url_settings(app)
    for key, value in query.items():
        assert params[key] == value


def test_an_absurd_link_gets_warnings():
    app = open_page(PAGE, {"kernel": "1,x", "strides": "0,0", "image": "nope"})
    assert not app.exception
    warnings = shown(app.warning)
    assert "kernel='1,x'" in warnings and "image='nope'" in warnings


def test_an_impossible_pooling_is_explained_beside_the_maps_it_would_pool():
    app = open_page(PAGE, {"image": "Digit 8×8"})
    app.selectbox(key="cv_pooling").set_value("max").run()
    app.number_input(key="cv_pool").set_value(8).run()  # the 6×6 map cannot hold an 8×8 window
    assert not app.exception
    assert any("Pooling cannot run here" in item.value for item in app.error)
    keys = {chart.proto.id.rsplit("-", 1)[-1] for chart in app.get("plotly_chart")}
    assert {"cv_input_chart", "cv_output_chart", "cv_worked_chart"} <= keys


def test_a_kernel_too_big_for_the_image_is_explained_with_the_input_in_view():
    app = open_page(PAGE, {"image": "Course example 3×3"})
    app.number_input(key="cv_rows").set_value(5).run()
    assert any("does not fit" in item.value for item in app.error)
    assert "cv_input_chart" in {chart.proto.id.rsplit("-", 1)[-1] for chart in app.get("plotly_chart")}


def test_the_kernel_grid_shows_the_weights_used_not_rounded_to_a_step():
    import json

    app = open_page(PAGE)
    app.selectbox(key="cv_preset").set_value("Gaussian blur").run()
    columns = json.loads(app.data_editor[0].proto.columns)
    number_columns = [column["type_config"] for name, column in columns.items() if name != "_index"]
    # A step would round the display (0.0571 shown as 0.1); four significant digits show what is used.
    assert number_columns and all(config.get("format") == "%.4g" and "step" not in config for config in number_columns)
