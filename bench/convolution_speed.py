"""Convolution lab speed: our engine beside SciPy and Pillow on a 1024×1024 RGB image.

The same kernel on every channel ("valid" padding, stride 1), as the lab's per-channel mode
computes it. SciPy's ``convolve2d`` runs once per channel on float32; Pillow's
``ImageFilter.Kernel`` works on 8-bit images (rounding and clipping every result), which is
what makes it quick and why the lab does not use it. Prints the median of several calls and
our speed-up over each. Run: ``python bench/convolution_speed.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.vision.convolution import ConvolutionConfig, convolve  # noqa: E402

PILLOW_SIZES = (3, 5)  # the only kernel sizes ImageFilter.Kernel applies


def median_ms(function, repeats: int = 7) -> float:
    function()  # warm-up: first-call set-up is not what a kernel edit costs
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    from PIL import Image, ImageFilter
    from scipy.signal import convolve2d

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(1024, 1024, 3)).astype(np.float32)
    image = Image.fromarray(pixels.astype(np.uint8))
    print("1024×1024 RGB, same kernel on each channel, valid padding; median ms")
    print(f"{'kernel':>7} {'ours':>8} {'scipy':>8} {'pillow':>8} {'vs scipy':>9} {'vs pillow':>10}")
    for size in (3, 5, 7):
        kernel = rng.normal(size=(size, size)).astype(np.float32)
        ours = median_ms(lambda kernel=kernel: convolve(pixels, kernel[:, :, None, None], ConvolutionConfig(), depthwise=True))
        # convolve2d flips the kernel; flipping it first gives the same cross-correlation as ours.
        flipped = kernel[::-1, ::-1]
        scipy = median_ms(lambda flipped=flipped: [convolve2d(pixels[:, :, channel], flipped, mode="valid")
                                                   for channel in range(3)])
        pillow = float("nan")  # Pillow applies 3×3 and 5×5 kernels only
        if size in PILLOW_SIZES:
            pillow_filter = ImageFilter.Kernel((size, size), kernel.ravel().tolist(), scale=1)
            pillow = median_ms(lambda pillow_filter=pillow_filter: image.filter(pillow_filter))
        print(f"{size}×{size:<5} {ours:8.1f} {scipy:8.1f} {pillow:8.1f} {scipy / ours:8.1f}× {pillow / ours:9.1f}×")
    print("nan: Pillow's kernel filter takes only 3×3 and 5×5 kernels.")


if __name__ == "__main__":
    main()
