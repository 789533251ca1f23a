"""Test set-up: quiet TensorFlow and import the project from the repository root."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The start-up warm-up compiles no default networks (ui.default_networks): tests that are not about
# it would wait for it; tests/pages/test_default_networks.py runs it.
os.environ.setdefault("DLP_WARM_NETWORKS", "0")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's 8×8 digits as the image labs load them (tests only read it)."""
    from engine.data.image_sets import load_image_dataset

    return load_image_dataset("digits", 8, seed=0)


@pytest.fixture(scope="session")
def backbone_home(tmp_path_factory) -> Path:
    """A ``KERAS_HOME`` holding a stand-in for MobileNetV2's weights file.

    The real file comes from the internet, which tests do not use; this one has the same
    layout (Keras's HDF5 weights format, the same layer names) with randomly initialised
    values, so everything but the ImageNet knowledge itself is exercised.
    """
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    from engine.vision.backbone import INPUT_SIZE, WEIGHTS_FILE, WIDTH

    home = tmp_path_factory.mktemp("keras_home")
    (home / "models").mkdir()
    model = keras.applications.MobileNetV2(input_shape=(INPUT_SIZE, INPUT_SIZE, 3), alpha=WIDTH, include_top=False,
                                           weights=None)
    with h5py.File(home / "models" / WEIGHTS_FILE, "w") as weights_file:
        legacy_h5_format.save_weights_to_hdf5_group(weights_file, model)
    return home
