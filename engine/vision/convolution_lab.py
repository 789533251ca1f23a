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

from dataclasses import dataclass, field

import numpy as np

from engine.data.images import SAMPLE_IMAGES, to_grayscale
from engine.links import LinkReader
from engine.vision.convolution import (
    MAX_DILATION,
    MAX_OUTPUT_MAPS,
    MAX_PAD,
    MAX_POOL,
    MAX_STRIDE,
    PADDINGS,
    POOLINGS,
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


@dataclass(frozen=True)
class ConvolutionLabSettings:
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

    image: str = "Shapes"
    channels: str = "grayscale"
    kernels: tuple[Kernel, ...] = field(default_factory=lambda: (_rows(make_preset("Sobel x")),))
    bank: tuple[str, ...] = ()
    normalize: bool = False
    config: ConvolutionConfig = ConvolutionConfig()
    pixel: tuple[int, int, int] = (0, 0, 0)

    def __post_init__(self) -> None:
        if self.channels not in CHANNEL_MODES:
            raise ValueError(f"Unknown channel mode {self.channels!r}. Expected one of: {', '.join(CHANNEL_MODES)}.")
        expected = 3 if self.channels == "depth" else 1
        if len(self.kernels) != expected:
            raise ValueError(f"The {self.channels} mode takes {expected} kernel(s). Received: {len(self.kernels)}.")
        if len({np.shape(kernel) for kernel in self.kernels}) != 1:
            raise ValueError("The red, green and blue slices of a 3-D kernel must have the same size.")
        unknown = [name for name in self.bank if name not in PRESETS]
        if unknown:
            raise ValueError(f"Unknown preset(s) in the bank: {', '.join(unknown)}.")
        if 1 + len(self.bank) > MAX_OUTPUT_MAPS:
            raise ValueError(f"At most {MAX_OUTPUT_MAPS - 1} extra kernels in the bank. Received: {len(self.bank)}.")

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
def to_query_params(settings: ConvolutionLabSettings) -> dict[str, str]:
    """Settings as short query-parameter strings (kernels as "a,b,c;d,e,f", slices joined by "|")."""
    config = settings.config
    return {
        "image": settings.image,
        "channels": settings.channels,
        "kernel": "|".join(";".join(",".join(f"{value:g}" for value in row) for row in kernel)
                           for kernel in settings.kernels),
        "bank": ",".join(settings.bank),
        "normalize": str(int(settings.normalize)),
        "strides": f"{config.strides[0]},{config.strides[1]}",
        "padding": config.padding,
        "pad": str(config.pad),
        "dilation": f"{config.dilation_rate[0]},{config.dilation_rate[1]}",
        "relu": str(int(config.relu)),
        "pooling": config.pooling,
        "pool": str(config.pool_size),
        "pool_strides": str(config.pool_strides),
        "pixel": ",".join(map(str, settings.pixel)),
    }


def from_query_params(params: dict[str, str]) -> tuple[ConvolutionLabSettings, list[str]]:
    """Settings from a link, starting from the defaults; one warning per value ignored or clamped."""
    reader = LinkReader(params)
    default = ConvolutionLabSettings()
    channels = reader.choice("channels", CHANNEL_MODES, default.channels)
    kernels = _read_kernels(reader, channels)
    bank = tuple(name for name in reader.text("bank", "").split(",") if name)
    known_bank = tuple(name for name in bank if name in PRESETS)[:MAX_OUTPUT_MAPS - 1]
    if known_bank != bank:
        reader.warn("bank", ",".join(bank), f"unknown presets dropped, at most {MAX_OUTPUT_MAPS - 1}")
    strides = (*reader.int_list("strides", (1, 1), 1, MAX_STRIDE, 2), 1, 1)
    dilation = (*reader.int_list("dilation", (1, 1), 1, MAX_DILATION, 2), 1, 1)
    config = ConvolutionConfig(
        strides=(strides[0], strides[1]),
        padding=reader.choice("padding", PADDINGS, "valid"),
        pad=int(reader.number("pad", 0, 0, MAX_PAD, integer=True)),
        dilation_rate=(dilation[0], dilation[1]),
        relu=reader.flag("relu", False),
        pooling=reader.choice("pooling", POOLINGS, "none"),
        pool_size=int(reader.number("pool", 2, 1, MAX_POOL, integer=True)),
        pool_strides=int(reader.number("pool_strides", 2, 1, MAX_POOL, integer=True)),
    )
    pixel = (*reader.int_list("pixel", (0, 0, 0), 0, 4096, 3), 0, 0, 0)
    settings = ConvolutionLabSettings(
        image=reader.choice("image", tuple(SAMPLE_IMAGES), default.image),
        channels=channels,
        kernels=kernels,
        bank=known_bank,
        normalize=reader.flag("normalize", False),
        config=config,
        pixel=(pixel[0], pixel[1], pixel[2]),
    )
    return settings, reader.warnings


def _read_kernels(reader: LinkReader, channels: str) -> tuple[Kernel, ...]:
    """The link's kernel slices, or the default Sobel x (in every slice) with a warning."""
    count = 3 if channels == "depth" else 1
    fallback = tuple(_rows(make_preset("Sobel x")) for _ in range(count))
    raw = reader.text("kernel", "", max_length=4000)  # 3 slices of 7×7 fit
    if not raw:
        return fallback
    try:
        slices = [parse_kernel([row.split(",") for row in part.split(";")]) for part in raw.split("|")]
    except ValueError as error:
        reader.warn("kernel", raw, f"{error} Using Sobel x")
        return fallback
    if len(slices) != count or len({kernel.shape for kernel in slices}) != 1:
        reader.warn("kernel", raw, f"expected {count} slice(s) of one size; using Sobel x")
        return fallback
    return tuple(_rows(kernel) for kernel in slices)
