"""AppTest: every page renders, and the playground's controls drive real training."""

import base64
import json
import re
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")
PAGES = sorted(path.name for path in (ROOT / "pages").glob("*.py"))


def open_page(page: str, query: dict | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    if query:
        app.query_params.update(query)
    app.run()
    if page != "home.py":
        app.switch_page(f"pages/{page}")
        app.run()
    return app


def show_section(app: AppTest, prefix: str, section: str) -> AppTest:
    """Pick a part of the page in its row of buttons (``ui.links.page_section``), as a learner does."""
    return app.segmented_control(key=f"{prefix}_section").set_value(section).run()


def until(app: AppTest, found, seconds: float = 60.0):
    """Rerun the page until ``found()`` gives something (a background job's result shown); that something."""
    deadline = time.monotonic() + seconds
    while not (result := found()) and time.monotonic() < deadline:
        time.sleep(0.2)
        app.run()
    return result


def url_settings(app: AppTest) -> dict[str, str]:
    """The query parameters the page wrote, one string per key."""
    return {key: value[0] if isinstance(value, list) else value for key, value in app.query_params.items()}


def shown(items) -> str:
    """What a learner reads in these messages: their Markdown, escapes removed, joined by spaces."""
    return " ".join(re.sub(r"\\(.)", r"\1", item.value) for item in items)


def figure(app: AppTest, key: str) -> dict:
    """The Plotly figure (as JSON) of the chart with this widget key.

    After Step or Reset the live views draw on the canvas once, and the browser's next frame
    request brings the Plotly charts: when the chart is not there, the page runs once more, as
    that request does.
    """
    for _ in range(2):
        charts = [item for item in app.get("plotly_chart") if item.proto.id.endswith(f"-{key}")]
        if charts:
            return json.loads(charts[0].proto.spec)
        app.run()
    raise LookupError(f"No Plotly chart with key {key!r} on the page.")


def plotted(values) -> np.ndarray:
    """A trace's data as an array: Plotly sends NumPy arrays as base64 ("bdata") with their dtype."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def metric(app: AppTest, label: str) -> str:
    """A metric's value as shown: Streamlit's metric, or the live feed's tile while the run plays."""
    shown = {item.label: item.value for item in app.metric}
    for component in app.get("bidi_component"):
        if component.proto.component_name == "dlp_live_metrics":
            shown.update((name, value) for name, value, _ in json.loads(component.proto.json)["metrics"])
    return shown[label]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page):
    app = open_page(page)
    assert not app.exception, app.exception
    assert app.title


def test_home_page_lists_the_labs_and_fills_the_device_panel():
    app = open_page("home.py")
    text = " ".join(item.value for item in app.markdown)
    assert "TensorFlow" in text and "Keras" in text
    assert any("CPU" in item.value or "GPU" in item.value for item in [*app.info, *app.success])


def test_playground_step_play_pause_and_reset_drive_the_run():
    app = open_page("network_playground.py")
    assert metric(app, "Epoch") == "0"
    app.button(key="pg_step").click().run()
    assert metric(app, "Epoch") == "1"
    assert metric(app, "Train loss") != "–"
    app.button(key="pg_play").click().run()
    # AppTest never fires the fragment timer: rerun to read the newest snapshot, until training shows
    # (the first chunk waits for the compilation, longer on a busy machine)
    assert until(app, lambda: int(metric(app, "Epoch").replace(",", "")) > 1, seconds=60)
    assert app.button(key="pg_play").label == "Pause"  # one button: Play while paused, Pause while playing
    app.button(key="pg_play").click().run()
    assert app.button(key="pg_play").label == "Play"
    paused_at = metric(app, "Epoch")
    time.sleep(0.5)
    app.run()
    assert metric(app, "Epoch") == paused_at
    app.button(key="pg_reset").click().run()
    assert metric(app, "Epoch") == "0"


def live_views(app: AppTest) -> dict[str, str]:
    """Each live chart's key and how it is drawn: ``plotly`` or ``canvas`` (the live canvas component)."""
    drawn = {}
    for chart in app.get("plotly_chart"):
        drawn[chart.proto.id.rsplit("-", 1)[-1]] = "plotly"
    for component in app.get("bidi_component"):
        key = component.proto.id.rsplit("-", 1)[-1]
        if key.endswith("_canvas"):
            drawn[key.removesuffix("_canvas")] = "canvas"
    return drawn


def test_the_runs_that_answer_pause_step_and_reset_keep_the_canvas_and_plotly_follows_in_the_next_frame():
    app = open_page("network_playground.py")
    assert live_views(app)["pg_boundary"] == "plotly"  # never played: Plotly from the start
    app.button(key="pg_play").click().run()
    time.sleep(0.5)
    app.run()
    assert {live_views(app)[key] for key in ("pg_network", "pg_curves", "pg_boundary")} == {"canvas"}
    app.button(key="pg_play").click().run()  # Pause
    assert app.button(key="pg_play").label == "Play"  # Pause shows at once ...
    assert {live_views(app)[key] for key in ("pg_network", "pg_curves", "pg_boundary")} == {"canvas"}
    paused_at = metric(app, "Epoch")
    app.run()  # ... and the next frame (the browser asks for it once it painted this one) is Plotly
    assert {live_views(app)[key] for key in ("pg_network", "pg_curves", "pg_boundary")} == {"plotly"}
    assert metric(app, "Epoch") == paused_at
    app.run()
    assert live_views(app)["pg_boundary"] == "plotly"
    for button, epoch in (("pg_step", f"{int(paused_at.replace(',', '')) + 1:,}"), ("pg_reset", "0")):
        app.button(key=button).click().run()  # Step and Reset show on the canvas too, Plotly in the next frame
        assert metric(app, "Epoch") == epoch
        assert {live_views(app)[key] for key in ("pg_network", "pg_curves", "pg_boundary")} == {"canvas"}
        app.run()
        assert {live_views(app)[key] for key in ("pg_network", "pg_curves", "pg_boundary")} == {"plotly"}
        assert metric(app, "Epoch") == epoch


def test_changing_the_architecture_rebuilds_and_a_live_setting_does_not():
    app = open_page("network_playground.py")
    app.button(key="pg_step").click().run()
    app.select_slider(key="pg_lr").set_value(0.1).run()
    assert metric(app, "Epoch") == "1"  # live change: progress kept
    app.number_input(key="pg_units_0").set_value(6).run()
    assert metric(app, "Epoch") == "0"  # new architecture: a new run
    assert any("rebuilt" in item.value for item in app.caption)
    assert app.query_params["layers"] == ["6,2"] or app.query_params["layers"] == "6,2"


def test_share_link_round_trips_through_the_url():
    query = {"data": "xor", "noise": "0.15", "layers": "5,3", "activations": "relu,relu", "lr": "0.1",
             "optimizer": "adam", "seed": "42", "features": "x1,x2,x1_times_x2"}
    app = open_page("network_playground.py", query)
    assert not app.exception
    assert app.selectbox(key="pg_data").value == "xor"
    assert app.number_input(key="pg_units_0").value == 5
    assert app.select_slider(key="pg_lr").value == 0.1
    params = url_settings(app)
    for key, value in query.items():
        assert params[key] == value


def test_an_absurd_link_gets_warnings_not_a_traceback():
    app = open_page("network_playground.py", {"lr": "banana", "layers": "999", "data": "nope"})
    assert not app.exception
    warnings = shown(app.warning)
    assert "lr='banana'" in warnings and "data='nope'" in warnings
    assert app.number_input(key="pg_units_0").value == 64


def test_diverging_training_shows_a_clear_message():
    app = open_page("network_playground.py", {"data": "plane", "lr": "10", "activations": "linear,linear"})
    for _ in range(20):
        app.button(key="pg_step").click().run()
        if app.error:
            break
    assert any("Loss became NaN" in item.value for item in app.error)


def test_raising_the_learning_rate_mid_run_is_explained_when_the_loss_jumps():
    app = open_page("network_playground.py", {"lr": "0.03"})
    for _ in range(3):
        app.button(key="pg_step").click().run()
    app.select_slider(key="pg_lr").set_value(10.0).run()
    for _ in range(5):
        app.button(key="pg_step").click().run()
        said = shown(app.info) + shown(app.error)
        if "jumped from" in said or "NaN" in said:
            break
    assert not app.exception
    assert "jumped from" in said or "NaN" in said, said  # never silence after a wild change


def test_comparing_with_scikit_learn_shows_both_scores_as_the_metrics_row_does():
    app = open_page("network_playground.py")
    app.button(key="pg_step").click().run()
    app.button(key="pg_compare").click().run()
    assert not app.exception
    assert app.get("progress")  # the page answered at once: scikit-learn trains in the background
    app.button(key="pg_step").click().run()  # and the run's controls work meanwhile
    assert metric(app, "Epoch") == "2"
    scores = until(app, lambda: [item.value for item in app.metric if item.label.startswith(("scikit-learn", "Keras"))])
    assert len(scores) == 2 and all(score.endswith("%") for score in scores)  # accuracy as 84.8 %, never 0.848
    assert not app.get("progress")


def test_a_regression_names_its_loss_and_a_new_visitor_sees_learning_happen():
    app = open_page("network_playground.py", {"data": "plane"})
    loss = app.selectbox(key="pg_loss")
    assert loss.options[loss.index] == "Squared error" and loss.disabled
    # Full speed solves the circle before the first frame: a newcomer starts where the boundary visibly forms.
    assert app.selectbox(key="pg_speed").value == "10 epochs per frame"


def test_removing_every_feature_is_explained_not_crashed():
    app = open_page("network_playground.py")
    app.multiselect(key="pg_features").set_value([]).run()
    assert not app.exception
    message = shown(app.error)
    assert "switch on at least one feature (x₁, x₂, x₁²" in message and "x1_squared" not in message and "()" not in message


def points_csv(rows: int = 300) -> bytes:
    """``x1,x2,label`` rows: label 1 inside a circle of radius 1.2, else 0."""
    points = np.random.default_rng(0).uniform(-2, 2, (rows, 2))
    labels = (np.linalg.norm(points, axis=1) < 1.2).astype(int)
    return "\n".join(f"{x:.3f},{y:.3f},{label}" for (x, y), label in zip(points, labels, strict=True)).encode()


def test_uploading_a_csv_trains_on_it_and_keeps_the_network():
    app = open_page("network_playground.py")
    app.number_input(key="pg_units_0").set_value(5).run()
    app.file_uploader(key="pg_upload_file").set_value(("points.csv", points_csv(), "text/csv")).run()
    assert not app.exception and not app.error
    assert app.selectbox(key="pg_data").value == "upload"
    assert app.number_input(key="pg_num_layers").value == 2 and app.number_input(key="pg_units_0").value == 5
    app.button(key="pg_step").click().run()  # the rerun after the upload: the controls still match the model
    assert not app.exception and metric(app, "Epoch") == "1"
    assert any("2 inputs → 5 → 2 → 1 output" in item.value for item in app.caption)
    train = [item for item in figure(app, "pg_boundary")["data"] if item.get("name", "").startswith("class")
             and not item["name"].endswith("(test)")]
    assert sum(len(plotted(item["x"])) for item in train) == 150  # half of the 300 rows train


def test_a_bad_csv_is_refused_with_its_reason_and_the_data_stays():
    app = open_page("network_playground.py")
    app.file_uploader(key="pg_upload_file").set_value(("bad.csv", b"1,2\nnot,numbers,here\n", "text/csv")).run()
    assert not app.exception
    assert "Could not use bad.csv" in shown(app.error)
    assert app.selectbox(key="pg_data").value == "circle"


def test_every_page_file_is_in_the_navigation_and_the_catalogue_once_and_the_navigation_starts_at_home():
    import ast

    from ui.catalogue import HOME, LABS, sections

    tree = ast.parse((ROOT / "app.py").read_text())
    navigated = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                 and isinstance(node.value, str) and node.value.startswith("pages/")]
    paths = [lab.path for lab in (HOME, *LABS)]
    assert sorted(navigated) == sorted(paths) == sorted(f"pages/{page}" for page in PAGES)
    assert len(set(navigated)) == len(navigated) and len(set(paths)) == len(paths)
    grouped = sections(tuple(navigated))
    assert next(iter(grouped.values()))[0] is HOME
    assert [lab.path for labs in grouped.values() for lab in labs] == navigated  # sections do not reorder pages
