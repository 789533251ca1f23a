"""The convolution lab's setups: channel modes, banks, and share links."""

import numpy as np
import pytest

from engine.data.images import load_sample
from engine.vision.convolution import ConvolutionConfig
from engine.vision.convolution_lab import ConvolutionLabSettings, compute, from_query_params, to_query_params
from engine.vision.kernels import make_preset

SOBEL = tuple(tuple(float(value) for value in row) for row in make_preset("Sobel x"))
PHOTO = np.random.default_rng(0).uniform(0, 255, size=(12, 10, 3)).astype(np.float32)


def test_grayscale_with_a_bank_gives_one_map_per_kernel():
    lab = compute(ConvolutionLabSettings(bank=("Sobel y", "Box blur")), PHOTO)
    assert lab.inputs.shape == (12, 10, 1) and lab.filters.shape == (3, 3, 1, 3)
    assert lab.result.feature_maps.shape == (10, 8, 3)
    assert lab.map_names == ["Your kernel", "Sobel y", "Box blur"]


def test_per_channel_mode_filters_each_colour_on_its_own():
    lab = compute(ConvolutionLabSettings(channels="per_channel"), PHOTO)
    assert lab.depthwise and lab.result.feature_maps.shape == (10, 8, 3)
    single = compute(ConvolutionLabSettings(), np.repeat(PHOTO[:, :, 1:2], 3, axis=2))
    np.testing.assert_allclose(lab.result.feature_maps[:, :, 1], single.result.feature_maps[:, :, 0], rtol=1e-5, atol=1e-3)


def test_depth_mode_sums_the_three_slices_into_one_map():
    zero = tuple(tuple(0.0 for _ in row) for row in SOBEL)
    lab = compute(ConvolutionLabSettings(channels="depth", kernels=(SOBEL, zero, zero)), PHOTO)
    red_only = compute(ConvolutionLabSettings(), np.repeat(PHOTO[:, :, :1], 3, axis=2))
    assert lab.result.feature_maps.shape == (10, 8, 1) and lab.example.multiplications == 27
    np.testing.assert_allclose(lab.result.feature_maps, red_only.result.feature_maps, rtol=1e-5, atol=1e-3)


def test_normalising_a_box_kernel_makes_it_an_average():
    ones = ((1.0, 1.0, 1.0),) * 3
    image = np.full((5, 5, 3), 7.0, np.float32)
    lab = compute(ConvolutionLabSettings(kernels=(ones,), normalize=True), image)
    np.testing.assert_allclose(lab.result.feature_maps, 7.0, rtol=1e-6)
    assert "Divided by the sum of the weights, 9" in lab.notes[0]


def test_the_picked_pixel_is_clamped_into_a_smaller_output():
    lab = compute(ConvolutionLabSettings(pixel=(50, 50, 5), config=ConvolutionConfig(strides=(2, 2))), PHOTO)
    assert lab.pixel == (4, 3, 0)


def test_the_course_example_link_reproduces_the_number_2():
    settings, warnings = from_query_params({"image": "Course example 3×3", "kernel": "-1,0,1;-2,0,2;-1,0,1"})
    lab = compute(settings, load_sample(settings.image).pixels)
    assert warnings == [] and lab.example.total == 2


def test_every_setting_round_trips_through_a_link():
    settings = ConvolutionLabSettings(
        image="Checkerboard", channels="depth", kernels=(SOBEL, SOBEL, ((0.5, -1.25, 2.0),) * 3),
        bank=("Emboss", "Scharr y"), normalize=True, pixel=(3, 4, 1),
        config=ConvolutionConfig(strides=(2, 1), padding="explicit", pad=2, dilation_rate=(1, 3), relu=True,
                                 pooling="average", pool_size=3, pool_strides=1),
    )
    restored, warnings = from_query_params(to_query_params(settings))
    assert restored == settings and warnings == []


def test_an_absurd_link_is_clamped_or_refused_with_warnings():
    settings, warnings = from_query_params({
        "image": "../../etc/passwd", "channels": "hyperspectral", "kernel": "1,nan;2,3", "bank": "Sobel x,Nope",
        "strides": "99,-4", "padding": "full", "pad": "1e9", "dilation": "abc", "pool": "0", "relu": "yes",
    })
    assert settings.image == "Shapes" and settings.channels == "grayscale" and settings.kernels == (SOBEL,)
    assert settings.bank == ("Sobel x",) and settings.config.strides == (8, 1) and settings.config.pad == 16
    assert settings.config.padding == "valid" and settings.config.pool_size == 1 and not settings.config.relu
    assert len(warnings) == 10
    assert any("must be finite" in warning for warning in warnings)


def test_a_depth_link_needs_three_slices_of_one_size():
    settings, warnings = from_query_params({"channels": "depth", "kernel": "1,2;3,4|1"})
    assert settings.kernels == (SOBEL,) * 3 and "3 slice(s) of one size" in warnings[0]


def test_settings_refuse_kernels_that_do_not_match_the_mode():
    with pytest.raises(ValueError, match="takes 3 kernel"):
        ConvolutionLabSettings(channels="depth")
    with pytest.raises(ValueError, match="Unknown item 'Nope' in kernels in the bank"):
        ConvolutionLabSettings(bank=("Nope",))
