"""House rules that code review alone would miss."""

import subprocess
import sys
from unittest import mock

from tests.conftest import ROOT


def test_engine_imports_without_streamlit_or_plotly():
    code = (
        "import sys, engine.playground.task, engine.training.trainer, engine.device;"
        "bad = [name for name in ('streamlit', 'plotly', 'ui') if name in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_streamlit_no_longer_clears_the_keras_session_after_a_run():
    import keras
    from streamlit.runtime.scriptrunner import script_runner

    from ui.runtime import keep_keras_state

    keep_keras_state()
    with mock.patch.object(keras.backend, "clear_session") as clear_session:
        script_runner._clean_problem_modules()  # what Streamlit calls after every run
    clear_session.assert_not_called()


def test_streamlit_config_turns_the_post_run_gc_and_the_source_watcher_off():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"


def test_every_page_enters_through_the_app_shell():
    # Without enter_page() a link that is a fresh server's first request runs the page
    # outside app.py (see ui.runtime.enter_page and the browser test of it).
    for page in sorted((ROOT / "pages").glob("*.py")):
        assert "enter_page()" in page.read_text(), f"{page.name} does not call ui.runtime.enter_page()"


def test_every_keyed_setting_widget_keeps_its_value_for_the_session():
    # Without persist_state="session" Streamlit drops a widget's value when it is hidden or the
    # learner visits another page, and the lab then reads a missing or default setting.
    import ast

    widgets = {"selectbox", "slider", "select_slider", "number_input", "multiselect", "radio", "toggle",
               "checkbox", "pills", "segmented_control", "text_area", "text_input"}
    forgetful = []
    for path in sorted([*(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in widgets:
                keywords = {keyword.arg: keyword.value for keyword in node.keywords}
                persist = keywords.get("persist_state")
                if "key" in keywords and not (isinstance(persist, ast.Constant) and persist.value == "session"):
                    forgetful.append(f"{path.name}:{node.lineno}")
    assert not forgetful, f"widgets without persist_state='session': {forgetful}"
