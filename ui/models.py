"""What every lab that trains a Keras model shows of it: its layer table and its exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from engine.models.layers import LayerRow
from engine.training.exports import history_csv, model_file
from engine.training.trainer import Trainer


def layer_table_view(rows: Sequence[LayerRow]) -> None:
    """Each layer's name, what it is, output shape and parameters; the totals below."""
    st.dataframe([{"layer": row.name, "what": row.description, "output shape": str(row.output_shape),
                   "parameters": row.parameters, "trainable": row.trainable} for row in rows], hide_index=True)
    st.caption(f"{sum(row.parameters for row in rows):,} parameters in all, "
               f"{sum(row.trainable for row in rows):,} of them trained.")


def export_buttons(prefix: str, name: str, trainer: Trainer, script: Callable[[], str] | None = None,
                   models: str | None = "keras") -> None:
    """Downloads of the run as it is now, each made when pressed.

    Args:
        prefix, name: the lab's widget-key prefix and the files' name.
        trainer: the lab's trainer (the files are made on its worker, between chunks).
        script: makes a runnable script of the setup, where the lab writes one.
        models: "keras" (one ``.keras`` file), "zip" (a zip of ``.keras`` files), or None (no model).
    """
    buttons = [button for button, shown in (("script", script), ("model", models), ("history", True)) if shown]
    columns = dict(zip(buttons, st.columns(len(buttons)), strict=True))
    if script is not None:
        columns["script"].download_button("Python script", script, file_name=f"{name}_setup.py", mime="text/x-python",
                                          key=f"{prefix}_export_script", icon=":material/code:")
    if models is not None:
        zipped = models == "zip"
        columns["model"].download_button(
            "Trained models (.zip of .keras)" if zipped else "Trained model (.keras)",
            lambda: trainer.call(lambda run: model_file(run, zipped)), file_name=f"{name}_model.{models}",
            mime="application/zip", key=f"{prefix}_export_model", icon=":material/neurology:")
    columns["history"].download_button("History (CSV)", lambda: trainer.call(history_csv),
                                       file_name=f"{name}_history.csv", mime="text/csv",
                                       key=f"{prefix}_export_history", icon=":material/table:")
