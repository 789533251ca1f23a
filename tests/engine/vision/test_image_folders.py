"""Zips of class folders become labelled image sets; broken or odd zips get a clear refusal."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from engine.vision.image_folders import MAX_IMAGES, load_zip_dataset


def _png(value: int, size: tuple[int, int] = (12, 10), mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, value if mode == "L" else (value, value, value)).save(buffer, "PNG")
    return buffer.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_class_folders_become_labels_with_a_stratified_split():
    files = {f"dark/{index}.png": _png(20) for index in range(5)}
    files |= {f"light/{index}.png": _png(230, mode="RGB") for index in range(5)}
    dataset = load_zip_dataset(_zip(files), image_size=8, seed=1)
    assert dataset.class_names == ("dark", "light")
    assert dataset.x_train.shape == (8, 8, 8, 1) and dataset.x_test.shape == (2, 8, 8, 1)
    assert sorted(dataset.y_test) == [0, 1]
    for images, labels in ((dataset.x_train, dataset.y_train), (dataset.x_test, dataset.y_test)):
        np.testing.assert_allclose(images[labels == 0], 20 / 255, atol=1e-5)
        np.testing.assert_allclose(images[labels == 1], 230 / 255, atol=1e-5)
    assert dataset.note == ""


def test_one_wrapping_folder_is_looked_through_and_system_files_are_ignored():
    files = {f"shapes/{cls}/{index}.png": _png(40 * index) for cls in ("circle", "square") for index in range(3)}
    files |= {"__MACOSX/shapes/circle/._0.png": b"junk", "shapes/.DS_Store": b"junk"}
    dataset = load_zip_dataset(_zip(files), image_size=6)
    assert dataset.class_names == ("circle", "square")
    assert len(dataset.x_train) + len(dataset.x_test) == 6 and dataset.note == ""


def test_files_that_are_not_images_are_skipped_and_named():
    files = {f"{cls}/{index}.png": _png(100) for cls in ("a", "b") for index in range(2)}
    files |= {"a/readme.txt": b"hello", "b/broken.png": _png(100)[:30], "loose.png": _png(9)}
    dataset = load_zip_dataset(_zip(files), image_size=4)
    assert "Skipped 3 file(s)" in dataset.note and "a/readme.txt" in dataset.note and "b/broken.png" in dataset.note
    assert "loose.png (not in a class folder)" in dataset.note
    assert len(dataset.x_train) + len(dataset.x_test) == 4


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"not a zip at all", "not a zip archive"),
    (_zip({}), "holds no files"),
    (_zip({"one.png": _png(1), "two.png": _png(2)}), "must sit in a class folder"),
    (_zip({"only/1.png": _png(1), "only/2.png": _png(2)}), "Expected 2 to 50 class folders"),
    (_zip({"a/1.png": _png(1), "a/2.png": _png(2), "b/1.png": _png(3)}), "Too few in: b"),
    (_zip({"a/1.txt": b"x", "b/1.txt": b"y"}), "No file in the zip is a usable image"),
])
def test_unusable_zips_are_refused_with_the_reason(data, message):
    with pytest.raises(ValueError, match=message):
        load_zip_dataset(data, image_size=8)


def test_a_zip_bomb_is_refused_from_its_directory_before_unpacking():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/huge.png", b"\0" * (210 * 1024 * 1024))  # compresses to ~200 KB
        archive.writestr("b/1.png", _png(1))
    with pytest.raises(ValueError, match="would unpack to"):
        load_zip_dataset(buffer.getvalue(), image_size=8)


def test_too_many_files_are_refused():
    files = {f"{'ab'[index % 2]}/{index}.txt": b"" for index in range(MAX_IMAGES + 1)}
    with pytest.raises(ValueError, match="at most 5,000 images"):
        load_zip_dataset(_zip(files), image_size=8)
