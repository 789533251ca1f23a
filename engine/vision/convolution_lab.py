"""The convolution lab's setup: which image, which kernels, how they slide; and its share link.

``ConvolutionLabSettings`` holds every choice; ``compute`` turns settings and an image into
the numbers the page draws (the layer input, the filters, TensorFlow's output, the worked
example of one pixel). Channel modes:

- "grayscale": the image's luma, one channel; each kernel gives one map.
- "per_channel": the same 2-D kernel on red, green and blue separately; three maps, which
  together form a colour image (how photo editors blur and sharpen).
- "depth": a true 3-D kernel, one 2-D slice per colour channel; each position sums
  rows × cols × 3 products into one number, so the output has one map.

A bank of preset kernels adds maps (grayscale and depth modes), as a convolutional layer
with several filters does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from engine import fields
from engine.data.images import SAMPLE_IMAGES, to_grayscale
from engine.fields import Declared, choice, choices, flag, integers, nested, text
from engine.links import LinkReader
from engine.vision.convolution import (
    MAX_OUTPUT_MAPS,
    ConvolutionConfig,
    ConvolutionResult,
    WorkedExample,
    convolve,
    worked_example,
)
from engine.vision.kernels import PRESETS, embed_centred, make_preset, normalize_by_sum, parse_kernel

CHANNEL_MODES = ("grayscale", "per_channel", "depth")
DEPTH_CHANNELS = ("red", "green", "blue")
Kernel = tuple[tuple[float, ...], ...]


def _rows(kernel: np.ndarray) -> Kernel:
    return tuple(tuple(float(value) for value in row) for row in kernel)


def _kernels_text(kernels: tuple[Kernel, ...]) -> str:
    """Kernel slices as link text: rows "a,b,c;d,e,f", slices joined by "|"."""
    return "|".join(";".join(",".join(f"{value:g}" for value in row) for row in kernel) for kernel in kernels)


def _kernels_from_text(text: str) -> tuple[Kernel, ...]:
    """Kernel slices from link text; ``ValueError`` for a cell that is not a finite number."""
    return tuple(_rows(parse_kernel([row.split(",") for row in part.split(";")])) for part in text.split("|"))


@dataclass(frozen=True)
class ConvolutionLabSettings(Declared):
    """Everything the lab shows, as plain values (kernels as nested tuples of floats).

    Attributes:
        image: a key of ``SAMPLE_IMAGES`` (uploads are not part of a link).
        channels: a key of ``CHANNEL_MODES``.
        kernels: one (rows, cols) kernel, or three of the same size (red, green, blue) in depth mode.
        bank: extra preset kernels, each adding an output map.
        normalize: divide each edited kernel by the sum of its weights.
        config: stride, padding, dilation, ReLU and pooling.
        pixel: (row, col, map) of the output pixel worked out by hand.
    """

    image: str = choice("Shapes", SAMPLE_IMAGES, "image", "sample image")
    channels: str = choice("grayscale", CHANNEL_MODES, "channels", "channel mode")
    kernels: tuple[Kernel, ...] = text((_rows(make_preset("Sobel x")),), "kernel", "kernel", encode=_kernels_text,
                                       decode=_kernels_from_text)
    bank: tuple[str, ...] = choices((), tuple(PRESETS), "bank", "kernels in the bank", max_length=MAX_OUTPUT_MAPS - 1)
    normalize: bool = flag(False, "normalize", "normalization")
    config: ConvolutionConfig = nested(ConvolutionConfig())
    pixel: tuple[int, ...] = integers((0, 0, 0), 0, 4096, "pixel", "pixel coordinates", max_length=3, min_length=3)

    def __post_init__(self) -> None:
        super().__post_init__()
        expected = 3 if self.channels == "depth" else 1
        if len(self.kernels) != expected:
            raise ValueError(f"The {self.channels} mode takes {expected} kernel(s). Received: {len(self.kernels)}.")
        if len({np.shape(kernel) for kernel in self.kernels}) != 1:
            raise ValueError("The red, green and blue slices of a 3-D kernel must have the same size.")

    @classmethod
    def repair_link(cls, values: dict[str, Any], reader: LinkReader) -> None:
        """Sobel x in every slice when the link's kernel does not have one slice per channel (3 in depth mode)."""
        count = 3 if values["channels"] == "depth" else 1
        kernels = values["kernels"]
        if len(kernels) != count or len({np.shape(kernel) for kernel in kernels}) != 1:
            if kernels != cls().kernels:  # the link's own kernel, not the default it fell back to
                reader.warn("kernel", reader.params.get("kernel", ""),
                            f"expected {count} slice(s) of one size; using Sobel x")
            values["kernels"] = (_rows(make_preset("Sobel x")),) * count

    @property
    def kernel_shape(self) -> tuple[int, int]:
        return np.shape(self.kernels[0])


@dataclass(frozen=True)
class LabResult:
    """What the page draws.

    Attributes:
        inputs: (height, width, channels) layer input (1 channel in grayscale mode).
        filters: (rows, cols, channels, maps), or (rows, cols, 1, 1) per channel.
        depthwise: whether the single kernel slid over each channel on its own.
        result: TensorFlow's output (feature maps, ReLU, pooling, geometry).
        example: the hand-worked pixel ``settings.pixel`` (clamped into the output).
        map_names: a title for each output map.
        notes: what normalisation or the bank did to the kernels.
    """

    inputs: np.ndarray
    filters: np.ndarray
    depthwise: bool
    result: ConvolutionResult
    example: WorkedExample
    pixel: tuple[int, int, int]
    map_names: list[str]
    notes: list[str]


def compute(settings: ConvolutionLabSettings, pixels: np.ndarray) -> LabResult:
    """Run the lab for an (H, W, 3) image; ``ValueError`` for any setup that cannot run."""
    notes: list[str] = []
    kernels = [parse_kernel(kernel) for kernel in settings.kernels]
    if settings.normalize:
        normalized = [normalize_by_sum(kernel) for kernel in kernels]
        kernels = [kernel for kernel, _ in normalized]
        notes.extend(note for _, note in normalized[:1])
    rows, cols = kernels[0].shape
    if settings.channels == "per_channel":
        inputs, depthwise = pixels.astype(np.float32), True
        filters = kernels[0][:, :, None, None]
        map_names = [f"{name} channel" for name in DEPTH_CHANNELS]
        if settings.bank:
            notes.append("A bank needs one map per kernel; per-channel mode shows the edited kernel only.")
    else:
        depthwise = False
        inputs = to_grayscale(pixels) if settings.channels == "grayscale" else pixels.astype(np.float32)
        edited = np.stack(kernels, axis=2)  # (rows, cols, channels)
        maps = [edited]
        map_names = ["Your kernel"]
        for name in settings.bank:
            preset = make_preset(name, rows, cols)
            if preset.shape[0] > rows or preset.shape[1] > cols:
                notes.append(f"{name} is {preset.shape[0]}×{preset.shape[1]}, larger than your kernel: left out.")
                continue
            maps.append(np.repeat(embed_centred(preset, rows, cols)[:, :, None], inputs.shape[2], axis=2))
            map_names.append(name)
        filters = np.stack(maps, axis=3).astype(np.float32)
    result = convolve(inputs, filters, settings.config, depthwise=depthwise)
    out_rows, out_cols = result.geometry.output_shape
    pixel = (min(settings.pixel[0], out_rows - 1), min(settings.pixel[1], out_cols - 1),
             min(settings.pixel[2], result.feature_maps.shape[2] - 1))
    example = worked_example(inputs, filters, settings.config, *pixel, depthwise=depthwise)
    return LabResult(inputs, filters, depthwise, result, example, pixel, map_names, notes)


# ----------------------------------------------------------------- share links
to_query_params = fields.to_query_params
from_query_params = partial(fields.from_query_params, ConvolutionLabSettings)
