"""Vision figures: the numbers in, the right traces out."""

import numpy as np
import pytest

from ui.vision_figures import (
    MAX_CLICK_TARGETS,
    colour_output_figure,
    feature_map_figure,
    image_figure,
    maps_grid_figure,
    worked_example_figure,
)


def test_small_grey_images_show_their_values_and_colour_images_are_drawn_as_rgb():
    digit = np.arange(64, dtype=np.float32).reshape(8, 8, 1) / 4
    grey = image_figure(np.repeat(digit, 3, axis=2), (0, 16), "digit", taps=(np.array([-1, 0, 1]), np.array([0, 1, 2])))
    assert grey.data[0].type == "heatmap" and grey.data[0].texttemplate and grey.data[0].zmax == 16
    assert len(grey.layout.shapes) == 9
    assert sum(shape.line.dash == "dot" for shape in grey.layout.shapes) == 3  # the row on padding
    photo = image_figure(np.random.default_rng(0).uniform(0, 255, (40, 30, 3)).astype(np.float32), (0, 255), "photo")
    assert photo.data[0].type == "image" and np.asarray(photo.data[0].z).dtype == np.uint8


def test_feature_maps_diverge_around_zero_and_offer_a_bounded_grid_of_click_targets():
    values = np.linspace(-3, 1, 200 * 150, dtype=np.float32).reshape(200, 150)
    figure = feature_map_figure(values, "map", selected=(5, 7), clickable=True)
    heatmap, targets, selected = figure.data
    assert heatmap.zmin == -3 and heatmap.zmax == 3 and heatmap.texttemplate is None
    assert len(targets.x) == MAX_CLICK_TARGETS**2 and max(targets.x) == 149 and max(targets.y) == 199
    assert (selected.x[0], selected.y[0]) == (7, 5)
    small = feature_map_figure(np.ones((3, 4), np.float32), "small", clickable=True)
    assert len(small.data[1].x) == 12 and small.data[0].colorscale[0][1] != small.data[0].colorscale[-1][1]


def test_colour_output_clips_or_rescales_each_channel():
    maps = np.stack([np.full((2, 2), -50.0), np.full((2, 2), 300.0), np.array([[0.0, 10.0], [20.0, 30.0]])], axis=2)
    clipped = np.asarray(colour_output_figure(maps, (0, 255), False, "c").data[0].z)
    assert clipped[0, 0, 0] == 0 and clipped[0, 0, 1] == 255
    rescaled = np.asarray(colour_output_figure(maps, (0, 255), True, "c").data[0].z)
    assert rescaled[0, 0, 2] == 0 and rescaled[1, 1, 2] == 255


def test_a_grid_is_one_mosaic_with_a_title_per_map_and_the_worked_example_three_panels_per_channel():
    grid = maps_grid_figure(np.zeros((5, 5, 6), np.float32), [f"map {index}" for index in range(6)])
    assert len(grid.data) == 1 and [item.text for item in grid.layout.annotations][:2] == ["map 0", "map 1"]
    patch = np.ones((3, 3, 3), np.float32)
    worked = worked_example_figure(patch, patch * 2, patch * 2, ["red", "green", "blue"], (0.0, 255.0))
    assert len(worked.data) == 9 and "× weights — green" in [item.text for item in worked.layout.annotations]


def test_a_uniform_white_patch_is_drawn_white_and_uniform_weights_are_not_black():
    white = np.full((3, 3, 1), 255.0, np.float32)
    weights = np.full((3, 3, 1), 1 / 9, np.float32)
    worked = worked_example_figure(white, weights, white * weights, ["grey"], (0.0, 255.0))
    patch, kernel = worked.data[0], worked.data[1]
    assert patch.zmin == 0 and patch.zmax == 255  # 255 sits at the light end of the grey scale, as in the input
    assert kernel.zmin == -kernel.zmax  # weights diverge around zero: a uniform kernel is blue, not black
    lonely = feature_map_figure(np.full((4, 4), 7.0, np.float32), "flat").data[0]
    assert lonely.zmin < 7 < lonely.zmax  # a flat map sits mid-scale


def test_saliency_figure_overlays_every_explanation_on_the_image_with_a_colour_bar():
    from ui.vision_figures import saliency_figure

    image = np.random.default_rng(0).uniform(size=(8, 8)).astype(np.float32)
    figure = saliency_figure(image, image, image, np.full(10, 0.1), tuple("0123456789"))
    # image; image + saliency; image + Grad-CAM; the probabilities
    assert [trace.type for trace in figure.data] == ["heatmap"] * 5 + ["bar"]
    overlays = [figure.data[2], figure.data[4]]
    assert all(trace.opacity == 0.6 and trace.showscale is not False and trace.colorbar.orientation == "h"
               for trace in overlays)
    np.testing.assert_array_equal(figure.data[1].z, image)  # the picture under the saliency map
    assert len(figure.data[5].x) == 10
    without_cam = saliency_figure(image, image, None, np.full(10, 0.1), tuple("0123456789"))
    assert [trace.type for trace in without_cam.data] == ["heatmap"] * 3 + ["bar"]
    with_lime = saliency_figure(image, image, None, np.full(10, 0.1), tuple("0123456789"), lime=image - 0.5)
    assert [item.text for item in with_lime.layout.annotations][:3] == ["image", "gradient saliency", "LIME"]
    assert with_lime.data[4].zmin == -with_lime.data[4].zmax == pytest.approx(-np.abs(image - 0.5).max())


def test_comparison_figure_draws_one_line_per_run_in_each_panel():
    from ui.comparison_figures import comparison_figure

    history = {"epoch": np.arange(1, 4), "a/val_accuracy": np.array([0.2, 0.5, 0.7]), "a/loss": np.ones(3),
               "b/val_accuracy": np.array([0.1, 0.2, np.nan]), "b/loss": np.ones(3)}
    figure = comparison_figure(history, {"a": "First", "b": "Second"})
    assert [(trace.name, trace.yaxis) for trace in figure.data] == [
        ("First", "y"), ("Second", "y"), ("First", "y2"), ("Second", "y2")]
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles == ["<b>test accuracy</b>", "<b>training loss</b>"]  # above the panels, not along their y-axes
    assert tuple(figure.layout.yaxis.range) == (0, 1) and [trace.showlegend for trace in figure.data] == [
        True, True, False, False]


def test_a_gallery_of_pictures_carries_no_numbers_in_its_pixels():
    pictures = np.random.default_rng(0).uniform(size=(8, 8, 3)).astype(np.float32)
    assert all(trace.texttemplate for trace in maps_grid_figure(pictures, ["a", "b", "c"]).data)
    assert not any(trace.texttemplate for trace in maps_grid_figure(pictures, ["a", "b", "c"], annotate=False).data)


@pytest.mark.parametrize(("shape", "count"), [((5, 5), 1), ((3, 3), 6), ((14, 14), 16), ((5, 7), 12)])
def test_a_grid_of_maps_puts_each_map_in_its_own_tile_scaled_as_if_drawn_alone(shape, count):
    rng = np.random.default_rng(count)
    maps = rng.normal(size=(*shape, count)).astype(np.float32)
    maps[:, :, ::2] = np.abs(maps[:, :, ::2]) + 3.0  # every other map has no negative values: grey
    grid = maps_grid_figure(maps, [f"map {index}" for index in range(count)])
    diverging = next(trace for trace in grid.data if trace.colorscale[0][1] != "rgb(0,0,0)") if count > 1 else None
    grey = next(trace for trace in grid.data if trace.zmin == 0.0)
    hover = np.asarray(grid.data[0].customdata)
    tiles_z = [np.asarray(trace.z) for trace in grid.data]
    assert sum(np.isfinite(z).sum() for z in tiles_z) == count * shape[0] * shape[1]  # no two tiles overlap
    titles = list(grid.layout.annotations)
    assert [title.text for title in titles] == [f"map {index}" for index in range(count)]
    for index, title in enumerate(titles):
        # the tile under its title: columns centred on it, rows starting just below it
        left, top = round(title.x - (shape[1] - 1) / 2), round(title.y + 0.5)
        tile = (slice(top, top + shape[0]), slice(left, left + shape[1]))
        np.testing.assert_allclose(hover[tile][..., 2], maps[:, :, index])
        np.testing.assert_array_equal(hover[tile][..., 0], np.arange(shape[0])[:, None] + np.zeros(shape[1]))
        np.testing.assert_array_equal(hover[tile][..., 1], np.zeros(shape[0])[:, None] + np.arange(shape[1]))
        shown = np.asarray((grey if index % 2 == 0 else diverging).z)[tile]
        if index % 2 == 0:  # grey: lowest value black, highest white
            assert shown.min() == pytest.approx(0.0) and shown.max() == pytest.approx(1.0)
        else:  # diverging around 0: the largest magnitude at the scale's end
            assert np.abs(shown).max() == pytest.approx(1.0)
            np.testing.assert_allclose(shown, maps[:, :, index] / np.abs(maps[:, :, index]).max(), rtol=1e-6)
    assert grey.zmax == 1.0 and (diverging is None or (diverging.zmin, diverging.zmax) == (-1.0, 1.0))
    assert grid.layout.yaxis.scaleanchor == "x"  # square cells


def test_a_grid_of_maps_keeps_a_flat_map_mid_grey_and_leaves_non_finite_cells_empty():
    maps = np.stack([np.full((3, 3), 7.0), np.array([[np.nan, 1.0, 2.0], [3.0, 4.0, np.inf], [5.0, 6.0, 8.0]])], axis=2)
    grid = maps_grid_figure(maps.astype(np.float32), ["flat", "broken"])
    z = np.asarray(grid.data[0].z)
    titles = grid.layout.annotations
    flat = z[round(titles[0].y + 0.5):, :3][:3]
    assert np.all(flat == 0.5)
    assert np.isfinite(z).sum() == 9 + 7 and np.nanmax(z) == 1.0 and np.nanmin(z) == 0.0


