"""What a learner takes home from a run: its trained models as ``.keras`` files and its history as CSV.

A lab with one model gives one ``.keras`` file; a lab with several (a VAE's encoder and
decoder, a GAN's two networks, the members of a race, an agent's networks) gives a zip of
``<name>.keras`` files. Each loads back with ``keras.models.load_model`` in safe mode: no code
of ours is needed.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from engine.training.contract import Exportable, Run


def model_file(run: Run, zipped: bool = False) -> bytes:
    """The run's models, saved now: a zip of ``<name>.keras`` files, or (not ``zipped``) its one ``.keras`` file.

    Raises:
        ValueError: when the run has no Keras model to save, or several and not ``zipped``.
    """
    models = run.keras_models() if isinstance(run, Exportable) else {}
    if not models:
        raise ValueError("This run keeps no Keras model to save.")
    if len(models) > 1 and not zipped:
        raise ValueError(f"This run has {len(models)} models ({', '.join(models)}): export them as a zip.")
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name, model in models.items():
            path = Path(folder) / f"{name}.keras"
            model.save(path)
            files[path.name] = path.read_bytes()
    if not zipped:
        return next(iter(files.values()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # .keras files are zips already
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def history_csv(run: Run) -> str:
    """One row per epoch (episode, for an agent) and one column per series, six significant digits."""
    names = list(run.history)
    lines = [",".join(["epoch", *names])]
    values = np.column_stack([run.history[name] for name in names]) if names and run.epoch else np.empty((0, 0))
    for epoch, row in enumerate(values, start=1):
        lines.append(",".join([str(epoch), *(f"{value:.6g}" for value in row)]))
    return "\n".join(lines) + "\n"
