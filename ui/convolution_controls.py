"""The convolution lab's controls: widgets in, ``ConvolutionLabSettings`` out.

Widget values live in ``st.session_state`` under ``cv_*`` keys; ``seed_widgets`` writes a
settings object into them (from a share link, once per session). The kernel is held as a
base grid per slice (``cv_kernels``) plus whatever the user typed into the data editor, whose
widget key carries a version: loading a preset, resizing or randomising bumps the version so
the editor starts again from the new base.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from engine.data.images import SAMPLE_IMAGES, load_upload
from engine.fields import bounds, spec
from engine.vision.convolution import PADDINGS, POOLINGS, ConvolutionConfig
from engine.vision.convolution_lab import CHANNEL_MODES, DEPTH_CHANNELS, ConvolutionLabSettings
from engine.vision.kernels import MAX_SIZE, PRESETS, embed_centred, make_preset, parse_kernel, random_kernel
from ui import links
from ui.editors import remember_shown, shown_before_leaving
from ui.lessons import lesson
from ui.text import literal

UPLOADED = "Your upload"
CUSTOM = "Custom"
CHANNEL_LABELS = {"grayscale": "Grayscale (one channel)", "per_channel": "Same kernel on each RGB channel",
                  "depth": "3-D kernel (one slice per channel)"}
SPLIT_KEYS = ("kernel", "strides", "dilation", "pixel")  # each shown as several widgets (or the kernel grid)
PADDING_LABELS = {"valid": "valid (none)", "same": "same", "explicit": "zeros on each side"}
POOLING_LABELS = {"none": "None", "max": "Max", "average": "Average"}


def seed_widgets(settings: ConvolutionLabSettings) -> None:
    """Set every control from settings (before the widgets are drawn)."""
    config = settings.config
    rows, cols = settings.kernel_shape
    links.seed_widgets("cv", settings, skip=SPLIT_KEYS)
    st.session_state.update({
        "cv_stride_rows": config.strides[0], "cv_stride_cols": config.strides[1],
        "cv_dilation_rows": config.dilation_rate[0], "cv_dilation_cols": config.dilation_rate[1],
        "cv_row": settings.pixel[0], "cv_col": settings.pixel[1], "cv_map": settings.pixel[2],
        "cv_rows": rows, "cv_cols": cols, "cv_preset": _matching_preset(settings),
    })
    _set_kernels([np.array(kernel, dtype=np.float32) for kernel in settings.kernels])


def _matching_preset(settings: ConvolutionLabSettings) -> str:
    kernel = np.array(settings.kernels[0], dtype=np.float32)
    for name in PRESETS:
        preset = make_preset(name, *kernel.shape)
        if preset.shape == kernel.shape and np.allclose(preset, kernel):
            return name
    return CUSTOM


def _set_kernels(kernels: list[np.ndarray]) -> None:
    st.session_state["cv_kernels"] = kernels
    st.session_state["cv_kernel_version"] = st.session_state.get("cv_kernel_version", 0) + 1


def _editor_key(index: int) -> str:
    return f"cv_editor_{st.session_state['cv_kernel_version']}_{index}"


def current_kernels() -> list[list[list[object]]]:
    """Each slice's cells: the base grid with the user's edits applied (cells may be invalid)."""
    kernels = []
    for index, base in enumerate(st.session_state["cv_kernels"]):
        cells: list[list[object]] = base.tolist()
        edits = st.session_state.get(_editor_key(index), {}).get("edited_rows", {})
        for row, changes in edits.items():
            for column, value in changes.items():
                cells[int(row)][int(column) - 1] = value
        kernels.append(cells)
    return kernels


def _numeric(cells: list[list[object]]) -> np.ndarray:
    """Cells as numbers for resizing, with anything unreadable as 0."""
    def number(value: object) -> float:
        try:
            result = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 0.0
        return result if np.isfinite(result) else 0.0

    return np.array([[number(value) for value in row] for row in cells], dtype=np.float32)


def _load_preset() -> None:
    name = st.session_state["cv_preset"]
    if name == CUSTOM:
        return
    kernel = make_preset(name, st.session_state["cv_rows"], st.session_state["cv_cols"])
    st.session_state["cv_rows"], st.session_state["cv_cols"] = kernel.shape
    _set_kernels([kernel] * _slice_count())


def _resize() -> None:
    rows, cols = st.session_state["cv_rows"], st.session_state["cv_cols"]
    name = st.session_state.get("cv_preset", CUSTOM)
    if name != CUSTOM and PRESETS[name].fixed_size is None:
        _set_kernels([make_preset(name, rows, cols)] * _slice_count())
        return
    resized = []
    for cells in current_kernels():
        old = _numeric(cells)
        kept = old[max(0, (old.shape[0] - rows) // 2):, max(0, (old.shape[1] - cols) // 2):][:rows, :cols]
        resized.append(embed_centred(kept, rows, cols))
    st.session_state["cv_preset"] = CUSTOM
    _set_kernels(resized)


def _randomize() -> None:
    seed = st.session_state.get("cv_random_seed", 0) + 1
    st.session_state["cv_random_seed"] = seed
    rows, cols = st.session_state["cv_rows"], st.session_state["cv_cols"]
    st.session_state["cv_preset"] = CUSTOM
    _set_kernels([random_kernel(rows, cols, seed * 3 + index) for index in range(_slice_count())])


def _slice_count() -> int:
    return 3 if st.session_state.get("cv_channels") == "depth" else 1


def _mark_custom_if_edited() -> None:
    """An edited cell makes the kernel the user's own: the preset's name and description no longer apply."""
    state = st.session_state
    name = state.get("cv_preset", CUSTOM)
    if name == CUSTOM:
        return
    preset = make_preset(name, state["cv_rows"], state["cv_cols"])
    if any(cells.shape != preset.shape or not np.allclose(cells, preset)
           for cells in map(_numeric, current_kernels())):
        state["cv_preset"] = CUSTOM


def _change_channels() -> None:
    first = _numeric(current_kernels()[0])
    _set_kernels([first] * _slice_count())


def _uploader_key() -> str:
    return f"cv_file_{st.session_state.get('cv_file_version', 0)}"


def _accept_upload() -> None:
    """Decode a newly chosen file; on success it becomes the image. A refused file leaves the
    uploader (a fresh one replaces it) and the reason stays beneath it."""
    state = st.session_state
    uploaded = state.get(_uploader_key())
    if uploaded is None:
        return
    try:
        image = load_upload(uploaded.getvalue())
    except ValueError as error:
        state["cv_upload_error"] = f"{uploaded.name} was not used: {error}"
        state["cv_file_version"] = state.get("cv_file_version", 0) + 1
        return
    state.pop("cv_upload_error", None)
    state.update(cv_upload=image, cv_image=UPLOADED)


def image_controls() -> None:
    """Sample or uploaded image (in the sidebar); an upload stays in the session."""
    with st.sidebar:
        st.header("Image", help=lesson("convolution", "image"))
        options = list(SAMPLE_IMAGES) + ([UPLOADED] if "cv_upload" in st.session_state else [])
        st.selectbox("Image", options, key="cv_image", persist_state="session", help="Bundled images work offline.")
        if st.session_state["cv_image"] in SAMPLE_IMAGES:
            st.caption(SAMPLE_IMAGES[st.session_state["cv_image"]].description)
        st.file_uploader("Or upload an image", type=["png", "jpg", "jpeg", "webp", "bmp", "gif"],
                         key=_uploader_key(), on_change=_accept_upload, help="PNG, JPEG, WebP, BMP or GIF, up to 10 MB.")
        if st.session_state.get("cv_upload_error"):
            st.error(literal(st.session_state["cv_upload_error"]))


def geometry_controls() -> None:
    """Channels, padding, stride, dilation, ReLU and pooling (in the sidebar)."""
    with st.sidebar:
        st.header("Channels", help=lesson("convolution", "channels"))
        st.radio("Channels", CHANNEL_MODES, format_func=CHANNEL_LABELS.__getitem__, key="cv_channels", persist_state="session",
                 on_change=_change_channels, label_visibility="collapsed")
        st.header("Geometry", help=lesson("convolution", "geometry"))
        st.selectbox("Padding", PADDINGS, format_func=PADDING_LABELS.__getitem__, key="cv_padding", persist_state="session")
        st.number_input("Zeros on each side", *bounds(ConvolutionConfig, "pad"), key="cv_pad", persist_state="session",
                        disabled=st.session_state.get("cv_padding") != "explicit")
        rows, cols = st.columns(2)
        rows.number_input("Stride (rows)", *bounds(ConvolutionConfig, "strides"), key="cv_stride_rows", persist_state="session")
        cols.number_input("Stride (columns)", *bounds(ConvolutionConfig, "strides"), key="cv_stride_cols", persist_state="session")
        rows.number_input("Dilation (rows)", *bounds(ConvolutionConfig, "dilation"), key="cv_dilation_rows", persist_state="session")
        cols.number_input("Dilation (columns)", *bounds(ConvolutionConfig, "dilation"), key="cv_dilation_cols", persist_state="session")
        st.header("After the convolution", help=lesson("convolution", "pooling"))
        st.toggle("ReLU: max(0, x)", key="cv_relu", persist_state="session")
        st.selectbox("Pooling", POOLINGS, format_func=POOLING_LABELS.__getitem__, key="cv_pooling", persist_state="session")
        size, stride = st.columns(2)
        pooling_off = st.session_state.get("cv_pooling") == "none"
        size.number_input("Pool size", *bounds(ConvolutionConfig, "pool"), key="cv_pool", persist_state="session", disabled=pooling_off)
        stride.number_input("Pool stride", *bounds(ConvolutionConfig, "pool_strides"), key="cv_pool_strides",
                            persist_state="session", disabled=pooling_off)


def kernel_controls() -> None:
    """Preset, size, random, normalise, the editable grid(s) and the bank."""
    lost_edits = shown_before_leaving("cv_kernels")
    if lost_edits is not None:
        _set_kernels([_numeric(cells) for cells in lost_edits])
    st.subheader("Kernel", help=lesson("convolution", "kernel"))
    preset, rows, cols, random_button = st.columns([2.2, 1, 1, 1], vertical_alignment="bottom")
    preset.selectbox("Preset", [CUSTOM, *PRESETS], key="cv_preset", persist_state="session", on_change=_load_preset)
    rows.number_input("Rows", 1, MAX_SIZE, key="cv_rows", persist_state="session", on_change=_resize)
    cols.number_input("Columns", 1, MAX_SIZE, key="cv_cols", persist_state="session", on_change=_resize)
    random_button.button("Random", icon=":material/casino:", key="cv_random", on_click=_randomize, width="stretch")
    name = st.session_state["cv_preset"]
    st.caption(PRESETS[name].description if name in PRESETS else "Your own weights: edit any cell.")
    names = DEPTH_CHANNELS if st.session_state["cv_channels"] == "depth" else ("weights",)
    for column, (index, base) in zip(st.columns(len(names)), enumerate(st.session_state["cv_kernels"]), strict=False):
        frame = pd.DataFrame(base, columns=[str(number) for number in range(1, base.shape[1] + 1)])
        with column:
            if len(names) > 1:
                st.caption(f"{names[index]} slice")
            st.data_editor(
                frame, key=_editor_key(index), hide_index=True, width="stretch", on_change=_mark_custom_if_edited,
                column_config={name: st.column_config.NumberColumn(name, format="%.4g") for name in frame},
            )
    remember_shown("cv_kernels", _editor_key(0), current_kernels())
    normalize, bank = st.columns([1, 2.5], vertical_alignment="bottom")
    normalize.toggle("Normalise by the sum", key="cv_normalize", persist_state="session",
                     help="Divide every weight by their total, so flat areas keep their brightness.")
    bank.multiselect("Kernel bank: add presets as extra output maps", list(PRESETS), key="cv_bank",
                     persist_state="session",
                     disabled=st.session_state["cv_channels"] == "per_channel", max_selections=spec(ConvolutionLabSettings, "bank").max_length,
                     help="Each kernel gives one feature map: the output's depth is the number of kernels.")


def settings_from_widgets() -> ConvolutionLabSettings:
    """The settings the widgets show; ``ValueError`` when a cell or a combination is invalid.

    An uploaded image is not a setting: the settings then name the default sample.
    """
    state = st.session_state
    kernels = tuple(tuple(tuple(float(value) for value in row) for row in parse_kernel(cells))
                    for cells in current_kernels())
    image = state["cv_image"] if state["cv_image"] in SAMPLE_IMAGES else ConvolutionLabSettings().image
    return links.settings_from_widgets("cv", ConvolutionLabSettings, {
        "image": image, "kernel": kernels, "strides": (int(state["cv_stride_rows"]), int(state["cv_stride_cols"])),
        "dilation": (int(state["cv_dilation_rows"]), int(state["cv_dilation_cols"])),
        "pixel": (int(state["cv_row"]), int(state["cv_col"]), int(state["cv_map"])),
    })
