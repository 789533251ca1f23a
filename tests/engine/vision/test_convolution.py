"""Convolution arithmetic: our geometry and hand-worked pixels against TensorFlow and NumPy."""

import itertools

import numpy as np
import pytest

from engine.vision.convolution import (
    ConvolutionConfig,
    axis_geometry,
    convolution_geometry,
    convolve,
    pooling_output_size,
    worked_example,
)
from engine.vision.kernels import make_preset


def numpy_reference(image, filters, config, depthwise=False):
    """Direct loops over the definition: pad with zeros, slide, multiply, add."""
    geometry = convolution_geometry(image.shape[:2], filters.shape[:2], config)
    padded = np.pad(image.astype(np.float64), [
        (geometry.rows.pad_before, geometry.rows.pad_after), (geometry.cols.pad_before, geometry.cols.pad_after), (0, 0)])
    out_rows, out_cols = geometry.output_shape
    maps = image.shape[2] if depthwise else filters.shape[3]
    output = np.zeros((out_rows, out_cols, maps))
    for row, col, output_map in itertools.product(range(out_rows), range(out_cols), range(maps)):
        for i, j in itertools.product(range(filters.shape[0]), range(filters.shape[1])):
            r = row * config.strides[0] + i * config.dilation_rate[0]
            c = col * config.strides[1] + j * config.dilation_rate[1]
            if depthwise:
                output[row, col, output_map] += padded[r, c, output_map] * filters[i, j, 0, 0]
            else:
                output[row, col, output_map] += padded[r, c, :] @ filters[i, j, :, output_map]
    return output


def test_the_course_example_with_sobel_x_gives_2():
    image = np.array([[3, 2, 1], [1, 2, 3], [1, 1, 1]], dtype=np.float32)[:, :, None]
    kernel = make_preset("Sobel x")[:, :, None, None]
    result = convolve(image, kernel, ConvolutionConfig())
    assert result.feature_maps.shape == (1, 1, 1) and result.feature_maps[0, 0, 0] == 2
    example = worked_example(image, kernel, ConvolutionConfig(), 0, 0)
    assert example.total == 2 and example.multiplications == 9
    np.testing.assert_array_equal(example.products[:, :, 0], [[-3, 0, 1], [-2, 0, 6], [-1, 0, 1]])


def random_setups(count=60, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        depthwise = bool(rng.integers(0, 2))
        channels = 3 if depthwise else int(rng.integers(1, 4))
        image = rng.normal(size=(int(rng.integers(5, 12)), int(rng.integers(5, 12)), channels)).astype(np.float32)
        shape = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        filters = rng.normal(size=(*shape, 1, 1) if depthwise else (*shape, channels, 2)).astype(np.float32)
        config = ConvolutionConfig(
            strides=(int(rng.integers(1, 4)), int(rng.integers(1, 4))),
            padding=str(rng.choice(["valid", "same", "explicit"])), pad=int(rng.integers(0, 3)),
            dilation_rate=(int(rng.integers(1, 3)), int(rng.integers(1, 3))),
        )
        yield image, filters, config, depthwise


@pytest.mark.parametrize(("image", "filters", "config", "depthwise"), list(random_setups()))
def test_tensorflow_numpy_and_the_worked_example_agree(image, filters, config, depthwise):
    result = convolve(image, filters, config, depthwise=depthwise)
    expected = numpy_reference(image, filters, config, depthwise)
    assert result.feature_maps.shape == expected.shape == (*result.geometry.output_shape, expected.shape[2])
    np.testing.assert_allclose(result.feature_maps, expected, rtol=1e-4, atol=1e-4)
    for row, col, output_map in itertools.product(*(range(size) for size in expected.shape)):
        example = worked_example(image, filters, config, row, col, output_map, depthwise=depthwise)
        assert example.total == pytest.approx(expected[row, col, output_map], abs=1e-4)


def test_the_per_channel_mode_takes_unequal_strides_with_dilation():
    # TensorFlow's depthwise kernel refuses unequal strides on some CPUs; the lab offers them.
    rng = np.random.default_rng(3)
    image = rng.normal(size=(9, 11, 3)).astype(np.float32)
    kernel = rng.normal(size=(3, 2, 1, 1)).astype(np.float32)
    for config in (ConvolutionConfig(strides=(1, 3)), ConvolutionConfig(strides=(2, 1), dilation_rate=(2, 1))):
        result = convolve(image, kernel, config, depthwise=True)
        np.testing.assert_allclose(result.feature_maps, numpy_reference(image, kernel, config, depthwise=True),
                                   rtol=1e-4, atol=1e-4)


def test_same_padding_keeps_the_size_at_stride_1_and_divides_it_at_stride_2():
    for size, kernel in itertools.product((7, 8), (1, 2, 3, 4, 5)):
        assert axis_geometry("rows", size, kernel, 1, 1, "same").output_size == size
        assert axis_geometry("rows", size, kernel, 2, 1, "same").output_size == -(-size // 2)


def test_the_formula_shows_the_numbers_it_used():
    geometry = axis_geometry("rows", 8, 3, 2, 2, "explicit", pad=1)
    assert geometry.effective_size == 5 and geometry.output_size == 3
    assert geometry.formula == "⌊(8 + 1 + 1 − 2·(3 − 1) − 1) / 2⌋ + 1 = 3"


def test_a_kernel_that_does_not_fit_is_explained_not_attempted():
    with pytest.raises(ValueError, match="with dilation 4 spans 25 pixels but the input is only 8"):
        axis_geometry("columns", 8, 7, 1, 4, "valid")
    with pytest.raises(ValueError, match="does not fit"):
        convolve(np.ones((3, 3, 1), np.float32), np.ones((5, 5, 1, 1), np.float32), ConvolutionConfig())


def test_relu_and_pooling_follow_the_convolution():
    rng = np.random.default_rng(1)
    image = rng.normal(size=(9, 9, 1)).astype(np.float32)
    kernel = rng.normal(size=(3, 3, 1, 1)).astype(np.float32)
    for pooling, reduce in (("max", np.max), ("average", np.mean)):
        config = ConvolutionConfig(relu=True, pooling=pooling, pool_size=3, pool_strides=2)
        result = convolve(image, kernel, config)
        np.testing.assert_allclose(result.activated, np.maximum(result.feature_maps, 0))
        assert result.pooled.shape == (3, 3, 1) and pooling_output_size(7, 3, 2) == 3
        np.testing.assert_allclose(result.pooled[1, 2, 0], reduce(result.activated[2:5, 4:7, 0]), rtol=1e-5)
    too_big = convolve(image, kernel, ConvolutionConfig(pooling="max", pool_size=8))
    assert too_big.pooled is None and "pooling window is larger" in too_big.pooling_error
    assert too_big.feature_maps.shape == (7, 7, 1)  # the convolution itself still ran


def test_a_3d_kernel_sums_27_products_into_one_map():
    rng = np.random.default_rng(2)
    image = rng.normal(size=(5, 5, 3)).astype(np.float32)
    kernel = rng.normal(size=(3, 3, 3, 1)).astype(np.float32)
    example = worked_example(image, kernel, ConvolutionConfig(), 1, 1)
    assert example.multiplications == 27
    assert example.total == pytest.approx(float((image[1:4, 1:4, :] * kernel[:, :, :, 0]).sum()), rel=1e-5)


@pytest.mark.parametrize(("settings", "message"), [
    (dict(padding="full"), "Unknown padding"),
    (dict(strides=(0, 1)), "strides from 1 to 8"),
    (dict(dilation_rate=(1, 9)), "dilation rates from 1 to 4"),
    (dict(pad=99), "padding amount"),
    (dict(pool_size=0), "pooling size"),
])
def test_bad_configs_say_what_was_expected(settings, message):
    with pytest.raises(ValueError, match=message):
        ConvolutionConfig(**settings)


def test_worked_example_refuses_a_pixel_outside_the_output():
    with pytest.raises(ValueError, match="inside 3×3"):
        worked_example(np.ones((5, 5, 1), np.float32), np.ones((3, 3, 1, 1), np.float32), ConvolutionConfig(), 3, 0)
