"""Convolution and pooling on one image, with the geometry and arithmetic spelled out.

The lab computes with TensorFlow's ops (``tf.nn.conv2d``, ``max_pool2d``, ``avg_pool2d``;
on the GPU when there is one). What it *shows* is computed here separately, in NumPy: the
output size formula with the numbers plugged in, and, for any output pixel, the input patch,
the weights, their products and the sum. Tests hold the two against each other.

Shapes: an image is (height, width, channels); filters are (kernel rows, kernel cols,
input channels, output maps), Keras's layout. Padding is applied here as explicit zeros on
each side (the same amounts TensorFlow's "same" picks), so the worked example and the op
see the very same padded input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.fields import Declared, choice, flag, integer, integers

PADDINGS = ("valid", "same", "explicit")
POOLINGS = ("none", "max", "average")
MAX_STRIDE, MAX_DILATION, MAX_PAD, MAX_POOL = 8, 4, 16, 8
MAX_OUTPUT_MAPS = 16


@dataclass(frozen=True)
class ConvolutionConfig(Declared):
    """How the kernel slides, and what follows it.

    Attributes:
        strides: (rows, cols) step between two kernel positions.
        padding: "valid" (no padding), "same" (zeros so the output is ⌈input / stride⌉), or
            "explicit" (``pad`` zeros on every side).
        pad: zeros added on each side when ``padding`` is "explicit".
        dilation_rate: (rows, cols) gap between kernel taps (1 = touching).
        relu: apply max(0, x) to the convolution's output.
        pooling: "none", "max" or "average", after the optional ReLU.
        pool_size: side of the square pooling window.
        pool_strides: step of the pooling window.
    """

    strides: tuple[int, ...] = integers((1, 1), 1, MAX_STRIDE, "strides", "strides", max_length=2, min_length=2)
    padding: str = choice("valid", PADDINGS, "padding", "padding")
    pad: int = integer(0, 0, MAX_PAD, "pad", "a padding amount")
    dilation_rate: tuple[int, ...] = integers((1, 1), 1, MAX_DILATION, "dilation", "dilation rates", max_length=2,
                                              min_length=2)
    relu: bool = flag(False, "relu", "ReLU")
    pooling: str = choice("none", POOLINGS, "pooling", "pooling")
    pool_size: int = integer(2, 1, MAX_POOL, "pool", "a pooling size")
    pool_strides: int = integer(2, 1, MAX_POOL, "pool_strides", "a pooling stride")


@dataclass(frozen=True)
class AxisGeometry:
    """The kernel's sweep along one axis (rows or columns).

    Attributes:
        input_size: pixels along the axis.
        kernel_size: taps along the axis.
        effective_size: pixels the dilated kernel spans, ``dilation · (kernel − 1) + 1``.
        pad_before, pad_after: zeros added at each end.
        output_size: positions the kernel takes.
        formula: the output size formula with this axis's numbers plugged in.
    """

    input_size: int
    kernel_size: int
    stride: int
    dilation: int
    effective_size: int
    pad_before: int
    pad_after: int
    output_size: int
    formula: str


def axis_geometry(axis: str, input_size: int, kernel_size: int, stride: int, dilation: int, padding: str,
                  pad: int = 0) -> AxisGeometry:
    """Padding and output size along one axis; a ``ValueError`` explains an impossible sweep."""
    effective = dilation * (kernel_size - 1) + 1
    if padding == "same":
        target = math.ceil(input_size / stride)
        total = max((target - 1) * stride + effective - input_size, 0)
        before, after = total // 2, total - total // 2
    else:
        before = after = pad if padding == "explicit" else 0
    padded = input_size + before + after
    if effective > padded:
        span = f"the {kernel_size}-tap kernel" + (f" with dilation {dilation} spans {effective} pixels" if dilation > 1 else "")
        raise ValueError(
            f"Along the {axis}, {span} but the {'padded ' if before + after else ''}input is only {padded} "
            f"pixels: the kernel does not fit once. Use a smaller kernel or dilation, or more padding."
        )
    output = (padded - effective) // stride + 1
    formula = (f"⌊({input_size} + {before} + {after} − {dilation}·({kernel_size} − 1) − 1) / {stride}⌋ + 1 = {output}")
    return AxisGeometry(input_size, kernel_size, stride, dilation, effective, before, after, output, formula)


@dataclass(frozen=True)
class Geometry:
    """Rows and columns of a convolution."""

    rows: AxisGeometry
    cols: AxisGeometry

    @property
    def output_shape(self) -> tuple[int, int]:
        return self.rows.output_size, self.cols.output_size


def convolution_geometry(image_shape: tuple[int, int], kernel_shape: tuple[int, int],
                         config: ConvolutionConfig) -> Geometry:
    """Geometry of sliding a (rows, cols) kernel over an (height, width) image."""
    return Geometry(*(
        axis_geometry(axis, size, kernel, stride, dilation, config.padding, config.pad)
        for axis, size, kernel, stride, dilation in zip(
            ("rows", "columns"), image_shape, kernel_shape, config.strides, config.dilation_rate, strict=True)
    ))


def pooling_output_size(input_size: int, pool_size: int, stride: int) -> int:
    """``⌊(input − pool) / stride⌋ + 1`` positions of a pooling window without padding."""
    if pool_size > input_size:
        raise ValueError(f"The {pool_size}×{pool_size} pooling window is larger than the {input_size}-pixel "
                         "feature map. Use a smaller window.")
    return (input_size - pool_size) // stride + 1


@dataclass(frozen=True)
class ConvolutionResult:
    """Everything one pass produced.

    Attributes:
        feature_maps: (out rows, out cols, maps) convolution output, before ReLU.
        activated: after the ReLU (the same array when ReLU is off).
        pooled: after pooling, or None without pooling (or when it cannot run).
        geometry: the convolution's sweep.
        pooling_error: why the pooling asked for cannot run on these maps ("" when it ran):
            the convolution's output is still good to show.
    """

    feature_maps: np.ndarray
    activated: np.ndarray
    pooled: np.ndarray | None
    geometry: Geometry
    pooling_error: str = ""


def convolve(inputs: np.ndarray, filters: np.ndarray, config: ConvolutionConfig,
             depthwise: bool = False) -> ConvolutionResult:
    """Convolve an image with TensorFlow's ops, then ReLU and pool as configured.

    Args:
        inputs: (height, width, channels) float32 image.
        filters: (rows, cols, channels, maps) weights; with ``depthwise`` a (rows, cols, 1, 1)
            kernel applied to each channel on its own, giving one map per channel.
        config: strides, padding, dilation, ReLU and pooling.
    """
    import tensorflow as tf

    channels = inputs.shape[2]
    if depthwise:
        if filters.shape[2:] != (1, 1):
            raise ValueError(f"A per-channel kernel has shape (rows, cols, 1, 1). Received: {filters.shape}.")
    elif filters.shape[2] != channels:
        raise ValueError(f"The kernel has depth {filters.shape[2]} but the image has {channels} channels.")
    if filters.shape[3] > MAX_OUTPUT_MAPS:
        raise ValueError(f"At most {MAX_OUTPUT_MAPS} kernels at once. Received: {filters.shape[3]}.")
    geometry = convolution_geometry(inputs.shape[:2], filters.shape[:2], config)
    padded = tf.pad(tf.constant(inputs[None], tf.float32), [
        [0, 0], [geometry.rows.pad_before, geometry.rows.pad_after],
        [geometry.cols.pad_before, geometry.cols.pad_after], [0, 0],
    ])
    if depthwise:
        # Each channel through the same kernel on its own, as one convolution whose kernel holds
        # it on the diagonal (channel c in, map c out, zeros elsewhere): oneDNN's many-channel path
        # is 3× as fast as a call per grey channel and beats Pillow's 8-bit filter
        # (bench/convolution_speed.py). Not TensorFlow's depthwise op, whose CPU kernel refuses
        # unequal row and column strides on some processors; nor the channels as a batch, which
        # oneDNN mixes up for some strided shapes on others (AMX processors).
        filters = filters[:, :, :1, :1] * np.eye(channels, dtype=np.float32)
    outputs = tf.nn.conv2d(padded, tf.constant(filters, tf.float32), strides=[1, *config.strides, 1],
                           padding="VALID", dilations=[1, *config.dilation_rate, 1])
    activated = tf.nn.relu(outputs) if config.relu else outputs
    pooled, pooling_error = None, ""
    if config.pooling != "none":
        try:
            for size in activated.shape[1:3]:
                pooling_output_size(size, config.pool_size, config.pool_strides)
        except ValueError as error:
            pooling_error = str(error)
        else:
            pool = tf.nn.max_pool2d if config.pooling == "max" else tf.nn.avg_pool2d
            pooled = pool(activated, config.pool_size, config.pool_strides, "VALID").numpy()[0]
    feature_maps = outputs.numpy()[0]
    return ConvolutionResult(feature_maps, activated.numpy()[0] if config.relu else feature_maps, pooled, geometry,
                             pooling_error)


@dataclass(frozen=True)
class WorkedExample:
    """One output pixel, computed by hand.

    Attributes:
        patch: (rows, cols, channels) input values under the kernel (0 where it covers padding).
        weights: (rows, cols, channels) kernel weights meeting them.
        products: ``patch * weights``.
        total: the sum of the products: the output value before ReLU.
        input_rows, input_cols: the input coordinates of each tap (negative or past the edge
            where the tap lies on padding).
    """

    patch: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    total: float
    input_rows: np.ndarray
    input_cols: np.ndarray

    @property
    def multiplications(self) -> int:
        return int(self.products.size)


def worked_example(inputs: np.ndarray, filters: np.ndarray, config: ConvolutionConfig, row: int, col: int,
                   output_map: int = 0, depthwise: bool = False) -> WorkedExample:
    """The multiply-and-add behind output pixel (row, col) of map ``output_map``.

    With ``depthwise``, map ``output_map`` is the input channel of that index convolved with
    the single kernel; otherwise every input channel contributes (a 3×3×3 kernel gives 27
    products).
    """
    geometry = convolution_geometry(inputs.shape[:2], filters.shape[:2], config)
    out_rows, out_cols = geometry.output_shape
    maps = inputs.shape[2] if depthwise else filters.shape[3]
    if not (0 <= row < out_rows and 0 <= col < out_cols and 0 <= output_map < maps):
        raise ValueError(f"Expected an output pixel inside {out_rows}×{out_cols} (map 0–{maps - 1}). "
                         f"Received: row {row}, column {col}, map {output_map}.")
    # The first tap sits at stride·index in padded coordinates; taps are dilation apart.
    taps_rows = row * config.strides[0] + np.arange(filters.shape[0]) * config.dilation_rate[0] - geometry.rows.pad_before
    taps_cols = col * config.strides[1] + np.arange(filters.shape[1]) * config.dilation_rate[1] - geometry.cols.pad_before
    source = inputs[:, :, output_map:output_map + 1] if depthwise else inputs
    weights = filters[:, :, :, 0] if depthwise else filters[:, :, :, output_map]
    inside_rows = (taps_rows >= 0) & (taps_rows < inputs.shape[0])
    inside_cols = (taps_cols >= 0) & (taps_cols < inputs.shape[1])
    patch = np.zeros(weights.shape, dtype=np.float32)
    patch[np.ix_(inside_rows, inside_cols)] = source[np.ix_(taps_rows[inside_rows], taps_cols[inside_cols])]
    products = patch.astype(np.float64) * weights.astype(np.float64)
    return WorkedExample(patch, weights.astype(np.float32), products, float(products.sum()), taps_rows, taps_cols)
