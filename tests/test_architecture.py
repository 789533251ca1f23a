"""House rules that code review alone would miss."""

import ast
import subprocess
import sys
from pathlib import Path
from unittest import mock

from tests.conftest import ROOT

DOMAINS = ("vision", "generative", "rl", "playground", "sequence")  # each uses the foundations, never another domain


def engine_modules() -> dict[str, Path]:
    """Every module of ``engine`` by dotted name."""
    modules = {}
    for path in sorted((ROOT / "engine").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def engine_imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The engine modules ``path`` imports, at its top or inside functions (not those only for type checkers)."""
    tree = ast.parse(path.read_text())
    for_types = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                 and "TYPE_CHECKING" in ast.unparse(block.test) for node in ast.walk(block)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in for_types:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "engine":
            found |= {f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                      for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "engine"}
    return found & set(modules)


def test_every_engine_module_imports_without_streamlit_plotly_or_ui():
    names = sorted(engine_modules())
    code = (
        f"import importlib, sys; [importlib.import_module(name) for name in {names!r}];"
        "bad = [name for name in ('streamlit', 'plotly', 'ui') if name in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_engine_modules_form_no_import_loop_and_domains_use_only_the_foundations():
    modules = engine_modules()
    graph = {name: engine_imports(path, modules) for name, path in modules.items()}
    loops, state = [], {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for imported in graph[name]:
            if state.get(imported) == "open":
                loops.append([*path[path.index(imported):], imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[name] = "done"

    for name in graph:
        if name not in state:
            visit(name, [name])
    assert not loops, f"import loops: {loops}"

    def domain(name: str) -> str | None:
        parts = name.split(".")
        return parts[1] if len(parts) > 2 and parts[1] in DOMAINS else None

    crossing = [f"{name} -> {imported}" for name, imported_names in graph.items() for imported in imported_names
                if domain(name) and domain(imported) and domain(name) != domain(imported)]
    assert not crossing, f"domains importing each other: {crossing}"


def test_pages_and_ui_never_schedule_work_themselves():
    # Heavy one-shot work (pre-training, a benchmark) takes its executor slot inside the engine.
    offenders = [path.name for path in sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])
                 if "default_executor" in path.read_text()]
    assert not offenders, offenders


def test_streamlit_no_longer_clears_the_keras_session_after_a_run():
    import keras
    from streamlit.runtime.scriptrunner import script_runner

    from ui.runtime import keep_keras_state

    keep_keras_state()
    with mock.patch.object(keras.backend, "clear_session") as clear_session:
        script_runner._clean_problem_modules()  # what Streamlit calls after every run
    clear_session.assert_not_called()


def test_streamlit_config_turns_the_post_run_gc_the_source_watcher_and_magic_off():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["magicEnabled"] is False
    # with magic off, a bare value on its own line would show nothing: the pages have none
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call | ast.Await):
                assert isinstance(node.value, ast.Constant) and isinstance(node.value.value, str), \
                    f"{path.name}:{node.lineno} has a bare value, which magic no longer writes"


def test_every_page_enters_through_the_app_shell():
    # Without enter_page() a link that is a fresh server's first request runs the page
    # outside app.py (see ui.runtime.enter_page and the browser test of it); labs open with open_lab, which calls it.
    for page in sorted((ROOT / "pages").glob("*.py")):
        text = page.read_text()
        assert "enter_page()" in text or "open_lab(" in text, f"{page.name} does not enter through the app shell"


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
