"""GPU vs CPU: what TensorFlow sees, where each lab trains, and a FLOP-rate benchmark per device.

The benchmark times two kinds of work that dominate deep learning, at several sizes on every
device TensorFlow can use: a square matrix multiply (2n³ floating-point operations) and a
3×3 convolution over a batch of feature maps. Small problems cannot fill a GPU's thousands
of cores and pay its launch and transfer costs, so the CPU often wins them; as sizes grow
the GPU pulls ahead. The crossover is where the curves meet.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import fields
from engine.fields import Declared, choices, integer
from engine.links import LinkReader
from engine.training.executor import default_executor

OPERATIONS = ("matmul", "conv")
SIZES = {"matmul": (64, 128, 256, 512, 1024, 2048), "conv": (8, 16, 32, 64, 128)}


def _nearest(sizes: tuple[int, ...], value: int) -> int:
    return min(sizes, key=lambda size: abs(size - value))


@dataclass(frozen=True)
class BenchmarkSettings(Declared):
    """What the benchmark measures: which operations, and the largest size of each (one of ``SIZES``)."""

    operations: tuple[str, ...] = choices(OPERATIONS, OPERATIONS, "ops", "operations", max_length=len(OPERATIONS))
    matmul_max: int = integer(1024, SIZES["matmul"][0], SIZES["matmul"][-1], "matmul", "a largest matrix")
    conv_max: int = integer(64, SIZES["conv"][0], SIZES["conv"][-1], "conv", "a largest feature map")

    @classmethod
    def repair_link(cls, values: dict[str, Any], reader: LinkReader) -> None:
        """Sizes snap to the nearest one measured; a link with no known operation measures them all."""
        values["matmul_max"] = _nearest(SIZES["matmul"], values["matmul_max"])
        values["conv_max"] = _nearest(SIZES["conv"], values["conv_max"])
        values["operations"] = values["operations"] or OPERATIONS

    def sizes(self) -> dict[str, tuple[int, ...]]:
        """The sizes measured per chosen operation: every size up to its largest."""
        largest = {"matmul": self.matmul_max, "conv": self.conv_max}
        return {operation: tuple(size for size in SIZES[operation] if size <= largest[operation])
                for operation in OPERATIONS if operation in self.operations}


to_query_params = fields.to_query_params
from_query_params = functools.partial(fields.from_query_params, BenchmarkSettings)
CONV_BATCH, CONV_CHANNELS, CONV_KERNEL = 8, 32, 3
MIN_SECONDS = 0.05  # each measurement repeats the operation for at least this long


@dataclass(frozen=True)
class Measurement:
    """One timed operation.

    Attributes:
        device: TensorFlow's device name ("CPU:0", "GPU:0").
        operation: "matmul" or "conv".
        size: matrix side, or feature-map side for the convolution.
        seconds: mean seconds per operation.
        gflops: billions of floating-point operations per second.
    """

    device: str
    operation: str
    size: int
    seconds: float
    gflops: float


def flops(operation: str, size: int) -> float:
    """Floating-point operations of one ``operation`` at ``size`` (a multiply-add counts as two)."""
    if operation == "matmul":
        return 2.0 * size**3
    if operation == "conv":  # 'same' padding: every output pixel of every output channel sums k·k·C products
        return 2.0 * CONV_BATCH * size * size * CONV_KERNEL * CONV_KERNEL * CONV_CHANNELS * CONV_CHANNELS
    raise ValueError(f"Unknown operation {operation!r}. Expected one of: {', '.join(OPERATIONS)}.")


def compute_devices() -> list[str]:
    """The devices TensorFlow can place work on ("CPU:0", then any "GPU:n")."""
    import tensorflow as tf

    return [device.name.replace("/device:", "") for device in tf.config.list_logical_devices()
            if device.device_type in ("CPU", "GPU")]


def measure(operation: str, size: int, device: str, min_seconds: float = MIN_SECONDS) -> Measurement:
    """Time ``operation`` at ``size`` on ``device`` (a compiled function; the first call is not timed)."""
    import tensorflow as tf

    work = flops(operation, size)
    with tf.device(device):
        generator = tf.random.Generator.from_seed(0)
        if operation == "matmul":
            left, right = generator.normal([size, size]), generator.normal([size, size])
            function = tf.function(lambda: tf.reduce_sum(tf.linalg.matmul(left, right)))
        else:
            images = generator.normal([CONV_BATCH, size, size, CONV_CHANNELS])
            kernel = generator.normal([CONV_KERNEL, CONV_KERNEL, CONV_CHANNELS, CONV_CHANNELS])
            function = tf.function(lambda: tf.reduce_sum(tf.nn.conv2d(images, kernel, 1, "SAME")))
        function().numpy()  # trace, compile and warm up
        repeats, started = 0, time.perf_counter()
        while True:
            function().numpy()  # .numpy() waits for the device, so GPU time is really spent
            repeats += 1
            elapsed = time.perf_counter() - started
            if elapsed >= min_seconds:
                break
    seconds = elapsed / repeats
    return Measurement(device, operation, size, seconds, work / seconds / 1e9)


def run_benchmark(sizes: dict[str, tuple[int, ...]] | None = None, devices: list[str] | None = None,
                  on_measurement: Callable[[Measurement], None] | None = None) -> list[Measurement]:
    """Every operation at every size on every device, smallest first; ``on_measurement`` sees each as it lands."""
    results = []
    for device in devices or compute_devices():
        for operation, operation_sizes in (sizes or SIZES).items():
            for size in operation_sizes:
                # one slot of the shared executor per measurement: a benchmark waits for, and never starves, training
                result = default_executor().run(functools.partial(measure, operation, size, device))
                results.append(result)
                if on_measurement:
                    on_measurement(result)
    return results


def crossover(measurements: list[Measurement], operation: str) -> int | None:
    """The smallest size at which a GPU beats the CPU at ``operation`` (None without a GPU or a win)."""
    rates: dict[int, dict[str, float]] = {}
    for result in measurements:
        if result.operation == operation:
            rates.setdefault(result.size, {})["GPU" if "GPU" in result.device else "CPU"] = result.gflops
    wins = [size for size, by_kind in sorted(rates.items()) if by_kind.get("GPU", 0) > by_kind.get("CPU", float("inf"))]
    return wins[0] if wins else None


def host_memory_gigabytes() -> float | None:
    """Physical memory of the host, where the OS says (Linux, macOS)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (AttributeError, ValueError, OSError):
        return None


def gpu_memory_in_use(device: str) -> tuple[float, float] | None:
    """(current, peak) gigabytes TensorFlow holds on a GPU, or None where it cannot say."""
    import tensorflow as tf

    try:
        info = tf.config.experimental.get_memory_info(device)
    except (ValueError, RuntimeError):
        return None
    return info["current"] / 1e9, info["peak"] / 1e9


def lab_devices(has_gpu: bool) -> list[tuple[str, str, str]]:
    """(lab, where it trains, why) for every lab: TensorFlow's own placement, never forced."""
    trainer = "GPU:0" if has_gpu else "CPU:0"
    convolutions = "XLA-compiled on the GPU" if has_gpu else "TensorFlow's CPU kernels (XLA's are slower there)"
    return [
        ("Network Playground", trainer, "dense networks, XLA-compiled chunks of epochs"),
        ("Convolution lab", trainer, "one convolution at a time, for the chosen kernel"),
        ("CNN lab", trainer, f"convolutional networks, {convolutions}"),
        ("Transfer learning", trainer, f"a small backbone and heads, {convolutions}"),
        ("Autoencoders and VAEs", trainer, "dense or convolutional autoencoders, compiled chunks"),
        ("GAN lab (2-D) / Image GAN", trainer, "two networks, compiled chunks"),
        ("RBMs and deep belief nets", trainer, "contrastive divergence in compiled chunks"),
        ("Reinforcement learning", trainer, "updates on the device; actions are chosen on the CPU in NumPy "
                                            "(one observation at a time is faster there than any device call)"),
    ]
