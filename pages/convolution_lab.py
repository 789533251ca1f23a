"""Convolution lab: edit a kernel, slide it over an image, and check one output pixel by hand."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from engine.data.images import LoadedImage, load_sample
from engine.vision.convolution_lab import (
    DEPTH_CHANNELS,
    ConvolutionLabSettings,
    LabResult,
    compute,
    from_query_params,
    to_query_params,
)
from ui.convolution_controls import (
    UPLOADED,
    geometry_controls,
    image_controls,
    kernel_controls,
    seed_widgets,
    settings_from_widgets,
)
from ui.lessons import lesson
from ui.links import open_lab, write_url
from ui.runtime import wait_for_warmup
from ui.vision_figures import (
    colour_output_figure,
    feature_map_figure,
    image_figure,
    maps_grid_figure,
    worked_example_figure,
)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_sample(name: str) -> LoadedImage:
    """A bundled image (the same for every session)."""
    return load_sample(name)


def current_image() -> LoadedImage:
    if st.session_state["cv_image"] == UPLOADED and "cv_upload" in st.session_state:
        return st.session_state["cv_upload"]
    return cached_sample(st.session_state["cv_image"])


def _pick_pixel() -> None:
    """A click on the feature map: work out that pixel."""
    event = st.session_state.get("cv_output_chart")
    points = event.selection.points if event else []
    if points:
        st.session_state["cv_col"], st.session_state["cv_row"] = int(points[0]["x"]), int(points[0]["y"])


def geometry_text(lab: LabResult, settings: ConvolutionLabSettings) -> None:
    """Output size, per axis, with the formula and this setup's numbers."""
    geometry = lab.result.geometry
    out_rows, out_cols = geometry.output_shape
    maps = lab.result.feature_maps.shape[2]
    st.markdown(
        f"**Output size**: {geometry.rows.input_size}×{geometry.cols.input_size} input → "
        f"**{out_rows}×{out_cols}×{maps}**. Per axis: ⌊(input + padding before + after − dilation·(kernel − 1) − 1)"
        f" / stride⌋ + 1"
    )
    st.markdown(f"- rows: {geometry.rows.formula}\n- columns: {geometry.cols.formula}")
    pooled = lab.result.pooled
    if pooled is not None:
        config = settings.config
        st.markdown(
            f"**After {config.pooling} pooling** ({config.pool_size}×{config.pool_size}, stride {config.pool_strides}): "
            f"⌊({out_rows} − {config.pool_size}) / {config.pool_strides}⌋ + 1 = {pooled.shape[0]} rows, "
            f"⌊({out_cols} − {config.pool_size}) / {config.pool_strides}⌋ + 1 = {pooled.shape[1]} columns"
        )


def output_views(lab: LabResult, image: LoadedImage, settings: ConvolutionLabSettings) -> None:
    """Input with the kernel's footprint, the feature map(s), and the pooled maps."""
    example, (row, col, output_map) = lab.example, lab.pixel
    left, right = st.columns(2)
    left.plotly_chart(image_figure(lab.inputs, image.value_range, "Input (outlined: under the kernel)",
                                   (example.input_rows, example.input_cols)),
                      key="cv_input_chart", config={"displayModeBar": False})
    maps = lab.result.activated
    name = "after ReLU" if settings.config.relu else "feature map"
    with right:
        right.plotly_chart(
            feature_map_figure(maps[:, :, output_map], f"{lab.map_names[output_map]}: {name} (click a pixel)",
                               selected=(row, col), clickable=True),
            key="cv_output_chart", on_select=_pick_pixel, selection_mode="points",
            config={"displayModeBar": False},
        )
        if lab.depthwise:
            rescale = st.toggle("Rescale each channel to its own range", key="cv_rescale", persist_state="session",
                                help="Edge detectors give negative values; rescaling shows them instead of clipping.")
            st.plotly_chart(colour_output_figure(maps, image.value_range, rescale, "The three channels as colour"),
                            key="cv_colour_chart", config={"displayModeBar": False})
    if maps.shape[2] > 1 and not lab.depthwise:
        st.markdown(f"**All {maps.shape[2]} output maps** (an output of depth {maps.shape[2]})")
        st.plotly_chart(maps_grid_figure(maps, lab.map_names), key="cv_maps_chart", config={"displayModeBar": False})
    if lab.result.pooling_error:
        st.error(f"Pooling cannot run here: {lab.result.pooling_error}")
    if lab.result.pooled is not None:
        pooled = lab.result.pooled
        st.markdown(f"**After pooling**: {pooled.shape[0]}×{pooled.shape[1]}×{pooled.shape[2]}")
        st.plotly_chart(maps_grid_figure(pooled, lab.map_names), key="cv_pooled_chart",
                        config={"displayModeBar": False})


def worked_example_view(lab: LabResult, image: LoadedImage, settings: ConvolutionLabSettings) -> None:
    """Row/column/map pickers, the patch × weights = products grids, and the sum."""
    st.subheader("One pixel, worked by hand", help=lesson("convolution", "worked"))
    out_rows, out_cols = lab.result.geometry.output_shape
    maps = lab.result.feature_maps.shape[2]
    row, col, output_map = st.columns(3)
    # Clamp before drawing: a smaller output (new kernel or stride) keeps the pick inside it.
    st.session_state["cv_row"] = min(st.session_state["cv_row"], out_rows - 1)
    st.session_state["cv_col"] = min(st.session_state["cv_col"], out_cols - 1)
    st.session_state["cv_map"] = min(st.session_state["cv_map"], maps - 1)
    row.number_input("Output row", 0, out_rows - 1, key="cv_row", persist_state="session")
    col.number_input("Output column", 0, out_cols - 1, key="cv_col", persist_state="session")
    output_map.number_input("Output map", 0, maps - 1, key="cv_map", persist_state="session", disabled=maps == 1,
                            help=", ".join(f"{index}: {name}" for index, name in enumerate(lab.map_names)))
    example = lab.example
    channel_names = [f"{DEPTH_CHANNELS[lab.pixel[2]]} channel"] if lab.depthwise else (
        [f"{name} channel" for name in DEPTH_CHANNELS] if lab.inputs.shape[2] == 3 else ["grey"])
    st.plotly_chart(worked_example_figure(example.patch, example.weights, example.products, channel_names,
                                          image.value_range),
                    key="cv_worked_chart", config={"displayModeBar": False})
    terms = " + ".join(f"({value + 0.0:.4g})" for value in example.products.ravel()[:12])  # no "-0"
    more = f" + … ({example.multiplications - 12} more)" if example.multiplications > 12 else ""
    value = float(lab.result.feature_maps[lab.pixel[0], lab.pixel[1], lab.pixel[2]])
    st.markdown(f"**{example.multiplications} multiplications**, then the sum: {terms}{more} = "
                f"**{example.total:.6g}**")
    st.caption(f"TensorFlow's output at row {lab.pixel[0]}, column {lab.pixel[1]}: {value:.6g}"
               + (f"; after ReLU: {max(value, 0.0):.6g}" if settings.config.relu else ""))


def main() -> None:
    open_lab("cv", "Convolution lab", lesson("convolution", "intro"), from_query_params, seed_widgets, warm_up=False)
    image_controls()
    geometry_controls()
    image = current_image()
    for note in image.notes:
        st.info(note)
    kernel_controls()
    try:
        settings = settings_from_widgets()
        wait_for_warmup()
        lab = compute(settings, image.pixels)
    except ValueError as error:
        # The input stays in view beside the reason, so the learner sees what the kernel would meet.
        reason, picture = st.columns(2)
        reason.error(str(error))
        picture.plotly_chart(image_figure(image.pixels, image.value_range, "Input"), key="cv_input_chart",
                             config={"displayModeBar": False})
        st.stop()
    for note in lab.notes:
        st.caption(note)
    geometry_text(lab, settings)
    output_views(lab, image, settings)
    worked_example_view(lab, image, settings)
    with st.expander("Share this setup"):
        if st.session_state["cv_image"] == UPLOADED:
            st.warning("Links cannot carry uploaded images: the link opens with the shapes image instead.")
        st.code(f"{st.context.url or ''}?{urlencode(to_query_params(settings))}", language=None)
    write_url(to_query_params(settings))


main()
