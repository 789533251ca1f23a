"""Hardware page engine: FLOP counts, timings on this host's devices, and the crossover."""

import pytest

from engine.hardware import Measurement, compute_devices, crossover, flops, lab_devices, measure, run_benchmark


def test_flop_counts_follow_the_formulas():
    assert flops("matmul", 100) == 2 * 100**3
    assert flops("conv", 16) == 2 * 8 * 16 * 16 * 3 * 3 * 32 * 32
    with pytest.raises(ValueError, match="Unknown operation"):
        flops("fft", 8)


def test_measurements_are_positive_and_consistent():
    assert compute_devices()[0].startswith("CPU")
    result = measure("matmul", 64, "CPU:0", min_seconds=0.01)
    assert result.seconds > 0
    assert result.gflops == pytest.approx(flops("matmul", 64) / result.seconds / 1e9)
    seen = []
    results = run_benchmark({"conv": (8,)}, ["CPU:0"], seen.append)
    assert results == seen and results[0].operation == "conv" and results[0].gflops > 0


def test_crossover_is_the_first_size_where_a_gpu_wins():
    def at(device, size, rate):
        return Measurement(device, "matmul", size, 1.0, rate)

    results = [at("CPU:0", 64, 5), at("GPU:0", 64, 1), at("CPU:0", 256, 50), at("GPU:0", 256, 80),
               at("CPU:0", 1024, 90), at("GPU:0", 1024, 900)]
    assert crossover(results, "matmul") == 256
    assert crossover([at("CPU:0", 64, 5)], "matmul") is None


def test_every_lab_is_placed_on_the_gpu_when_there_is_one():
    assert {device for _, device, _ in lab_devices(True)} == {"GPU:0"}
    assert {device for _, device, _ in lab_devices(False)} == {"CPU:0"}
