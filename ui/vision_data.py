"""Image data sets shared by every session of the vision labs (read-only arrays, cached once)."""

from __future__ import annotations

import streamlit as st

from engine.data.image_sets import ImageDataset, load_image_dataset


@st.cache_data(show_spinner="Loading images…", max_entries=8)
def cached_dataset(name: str, image_size: int, seed: int) -> ImageDataset:
    """A built-in data set at an image size and split seed, loaded once per server."""
    return load_image_dataset(name, image_size, seed)
