"""Helpers for the tests of exported scripts: read a script's definitions, run it as a learner would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"}  # nothing of this app on the path


def script_namespace(source: str) -> dict:
    """What a script defines before ``main`` (its constants, loaders and model builders)."""
    namespace: dict = {}
    exec(compile(source.split("def main():")[0], "export.py", "exec"), namespace)  # noqa: S102 - our own script
    return namespace


def run_script(source: str, folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Write ``source`` into ``folder`` and run it there with ``arguments`` in a fresh interpreter."""
    script = folder / "setup.py"
    script.write_text(source)
    return subprocess.run([sys.executable, str(script), *arguments], capture_output=True, text=True, timeout=300,
                          env=ENVIRONMENT, cwd=folder)
