"""Figures of the generative labs: weights as signed tiles on one scale."""

import numpy as np

from ui.figures import DIVERGING
from ui.generative_figures import filters_figure


def test_weight_tiles_share_one_signed_scale_so_an_unused_unit_stays_pale():
    rng = np.random.default_rng(0)
    strong = rng.normal(scale=1.0, size=(8, 8))
    unused = rng.normal(scale=0.01, size=(8, 8))
    figure = filters_figure(np.stack([strong, unused], axis=2), columns=2)
    heatmap = figure.data[0]
    assert heatmap.zmin == -1 and heatmap.zmax == 1 and [list(step) for step in heatmap.colorscale] == DIVERGING
    sheet = np.asarray(heatmap.z, dtype=float)
    left, right = sheet[:, :8], sheet[:, 9:]
    assert np.nanmax(np.abs(left)) == 1.0 and np.nanmax(np.abs(right)) < 0.05
    assert (left < 0).any() and (left > 0).any()  # signs kept: on and off pixels
