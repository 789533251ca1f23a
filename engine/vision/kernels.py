"""Convolution kernels: the classic presets, validation of hand-typed values, random kernels.

A kernel is a (rows, cols) float32 array, 1×1 to 7×7, not necessarily square. Deep-learning
"convolution" slides the kernel without flipping it (cross-correlation), so a preset's
numbers are the weights exactly as they meet the pixels: Sobel x below is negative on the
left, positive on the right, and responds to brightness rising from left to right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

MIN_SIZE, MAX_SIZE = 1, 7
MAX_ABS_VALUE = 1000.0


@dataclass(frozen=True)
class KernelPreset:
    """A named kernel: what it detects, and its values for a requested size if it scales."""

    description: str
    make: Callable[[int, int], np.ndarray]
    fixed_size: tuple[int, int] | None = None


def _fixed(values: Sequence[Sequence[float]]) -> Callable[[int, int], np.ndarray]:
    kernel = np.array(values, dtype=np.float32)
    return lambda rows, cols: kernel.copy()


def _identity(rows: int, cols: int) -> np.ndarray:
    kernel = np.zeros((rows, cols), dtype=np.float32)
    kernel[(rows - 1) // 2, (cols - 1) // 2] = 1.0
    return kernel


def _box(rows: int, cols: int) -> np.ndarray:
    return np.full((rows, cols), 1.0 / (rows * cols), dtype=np.float32)


def _gaussian(rows: int, cols: int) -> np.ndarray:
    # sigma grows with the size so the bell fills the grid (OpenCV's rule for a size-only blur).
    def bell(size: int) -> np.ndarray:
        sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8
        offsets = np.arange(size) - (size - 1) / 2
        values = np.exp(-(offsets**2) / (2 * sigma**2))
        return values / values.sum()

    return np.outer(bell(rows), bell(cols)).astype(np.float32)


PRESETS: dict[str, KernelPreset] = {
    "Identity": KernelPreset("Copies the image: a single 1 in the centre. The baseline to compare against.", _identity),
    "Box blur": KernelPreset("Averages the neighbourhood equally: noise and fine detail fade, edges soften.", _box),
    "Gaussian blur": KernelPreset(
        "A weighted average that trusts near pixels more than far ones: a smoother blur than the box.", _gaussian),
    "Sharpen": KernelPreset("Boosts each pixel against its neighbours: edges and texture stand out.",
                            _fixed([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]), (3, 3)),
    "Outline (Laplacian)": KernelPreset(
        "Zero on flat areas, large where brightness changes in any direction: outlines every edge.",
        _fixed([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]), (3, 3)),
    "Emboss": KernelPreset("Light from the top left: edges facing it turn bright, the others dark, like a relief.",
                           _fixed([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]), (3, 3)),
    "Sobel x": KernelPreset(
        "Brightness rising from left to right (vertical edges), smoothed over three rows.",
        _fixed([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]), (3, 3)),
    "Sobel y": KernelPreset(
        "Brightness rising from top to bottom (horizontal edges), smoothed over three columns.",
        _fixed([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]), (3, 3)),
    "Prewitt x": KernelPreset("Like Sobel x with equal row weights: vertical edges, a little noisier.",
                              _fixed([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]), (3, 3)),
    "Prewitt y": KernelPreset("Like Sobel y with equal column weights: horizontal edges.",
                              _fixed([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]), (3, 3)),
    "Scharr x": KernelPreset("Vertical edges with weights tuned so every edge angle gets a fair response.",
                             _fixed([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]), (3, 3)),
    "Scharr y": KernelPreset("Horizontal edges, with Scharr's rotation-fair weights.",
                             _fixed([[-3, -10, -3], [0, 0, 0], [3, 10, 3]]), (3, 3)),
}


def make_preset(name: str, rows: int = 3, cols: int = 3) -> np.ndarray:
    """The preset's (rows, cols) kernel; presets with a fixed size ignore the requested one."""
    if name not in PRESETS:
        raise ValueError(f"Unknown kernel preset {name!r}. Expected one of: {', '.join(PRESETS)}.")
    check_size(rows, cols)
    preset = PRESETS[name]
    return preset.make(*(preset.fixed_size or (rows, cols)))


def check_size(rows: int, cols: int) -> None:
    """Raise a ``ValueError`` unless 1 ≤ rows, cols ≤ 7."""
    if not (MIN_SIZE <= rows <= MAX_SIZE and MIN_SIZE <= cols <= MAX_SIZE):
        raise ValueError(f"Expected a kernel from {MIN_SIZE}×{MIN_SIZE} to {MAX_SIZE}×{MAX_SIZE}. Received: {rows}×{cols}.")


def random_kernel(rows: int, cols: int, seed: int) -> np.ndarray:
    """Integer weights from −3 to 3 (easy to read and to multiply in your head)."""
    check_size(rows, cols)
    return np.random.default_rng(seed).integers(-3, 4, size=(rows, cols)).astype(np.float32)


def parse_kernel(cells: Sequence[Sequence[object]]) -> np.ndarray:
    """Validate a grid of cells typed by a user into a float32 kernel.

    Args:
        cells: rows of numbers or numeric text ("-1", "0.5"); empty rows are not allowed.

    Raises:
        ValueError: naming the first bad cell (empty, text, NaN/inf, beyond ±1000) or the size.
    """
    rows = [list(row) for row in cells]
    if not rows or not rows[0]:
        raise ValueError("The kernel is empty: it needs at least one row and one column.")
    check_size(len(rows), len(rows[0]))
    kernel = np.empty((len(rows), len(rows[0])), dtype=np.float32)
    for row_index, row in enumerate(rows):
        if len(row) != kernel.shape[1]:
            raise ValueError(f"Row {row_index + 1} has {len(row)} cells; every row needs {kernel.shape[1]}.")
        for col_index, cell in enumerate(row):
            where = f"Cell (row {row_index + 1}, column {col_index + 1})"
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                raise ValueError(f"{where} is empty: type a number (0 for no weight).")
            try:
                value = float(cell)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ValueError(f"{where} is {cell!r}, not a number.") from None
            if not np.isfinite(value):
                raise ValueError(f"{where} is {value}: weights must be finite numbers.")
            if abs(value) > MAX_ABS_VALUE:
                raise ValueError(f"{where} is {value:g}; weights between −{MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g} are accepted.")
            kernel[row_index, col_index] = value
    return kernel


def normalize_by_sum(kernel: np.ndarray) -> tuple[np.ndarray, str]:
    """Divide by the sum of the weights so a flat area keeps its brightness.

    Returns the kernel and a note; a kernel whose weights sum to (almost) zero, as edge
    detectors do, is returned unchanged, since dividing would blow it up.
    """
    total = float(kernel.sum())
    if abs(total) < 1e-6:
        return kernel, "The weights sum to 0 (an edge detector): left as they are."
    if abs(total - 1.0) < 1e-6:
        return kernel, "The weights already sum to 1."
    return (kernel / total).astype(np.float32), f"Divided by the sum of the weights, {total:g}."


def embed_centred(kernel: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Zero-pad a kernel to (rows, cols), centred, so kernels of a bank share one shape.

    Padding with zeros leaves the sums unchanged, so each output map is the same as with the
    smaller kernel (for odd sizes the centre pixel stays the centre pixel).
    """
    if kernel.shape[0] > rows or kernel.shape[1] > cols:
        raise ValueError(f"Cannot fit a {kernel.shape[0]}×{kernel.shape[1]} kernel into {rows}×{cols}.")
    embedded = np.zeros((rows, cols), dtype=np.float32)
    top, left = (rows - kernel.shape[0]) // 2, (cols - kernel.shape[1]) // 2
    embedded[top:top + kernel.shape[0], left:left + kernel.shape[1]] = kernel
    return embedded
