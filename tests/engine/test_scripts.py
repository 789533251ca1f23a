"""The frame every exported script shares: imports, constants, placeholders, the image loader."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from engine.data.image_sets import load_image_dataset
from engine.training.scripts import Length, constants, fill, image_loader, script
from tests.engine.scripts import run_script, script_namespace


def test_a_script_imports_only_what_its_code_uses_and_reads_its_options(tmp_path: Path):
    source = script("Title.", Length("SIZE", "episodes", note="(a note)"), [constants(SIZE=3)],
                    "def main():\n    {arguments}\n    print(np.zeros(arguments.episodes), arguments.save)")
    assert "import numpy as np" in source and "import argparse" in source and "(a note)" in source
    assert "import keras" not in source and "from keras import ops" not in source
    assert source.endswith('if __name__ == "__main__":\n    main()\n')
    assert run_script(source, tmp_path).stdout == "[0. 0. 0.] None\n"
    assert run_script(source, tmp_path, "--episodes", "1", "--save", "there").stdout == "[0.] there\n"
    assert "--folder" in script("T.", Length(1), [], "def main():\n    {arguments}", folder_option=True)


def test_constants_are_literals_that_read_back():
    namespace: dict = {"SimpleNamespace": SimpleNamespace}
    exec(constants(LAYERS=(4, 2), NAME="it's", SETTINGS=SimpleNamespace(units=3, variational=True)), namespace)  # noqa: S102
    assert namespace["LAYERS"] == (4, 2) and namespace["NAME"] == "it's"
    assert namespace["SETTINGS"] == SimpleNamespace(units=3, variational=True)


def test_fill_replaces_only_the_named_placeholders():
    assert fill('f"{name} {epochs}" at {rate}', rate=0.1) == 'f"{name} {epochs}" at 0.1'


def test_the_image_loader_loads_the_digits_as_the_app_does():
    loader = image_loader("digits", 12, seed=5)
    assert "def load_data():" in loader and "--folder" not in loader  # no upload branch where none is needed
    x_train, y_train, x_test, y_test, names = script_namespace(script("T.", Length(1), [loader], "def main():\n    pass"))[
        "load_data"]()
    app = load_image_dataset("digits", 12, seed=5)
    np.testing.assert_allclose(x_train, app.x_train, atol=1e-6)
    np.testing.assert_array_equal(y_test, app.y_test)
    assert names == list(app.class_names) and x_test.shape == app.x_test.shape and len(y_train) == len(app.y_train)
