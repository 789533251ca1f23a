"""Zips of class folders become labelled image sets; broken or odd zips get a clear refusal."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from engine.data import image_folders
from engine.data.image_folders import (
    MAX_DECODED_PIXELS,
    MAX_IMAGES,
    MAX_MEMBER_PIXELS,
    load_zip_dataset,
    read_zip_images,
    zip_dataset,
)


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


@pytest.fixture
def decodes(monkeypatch) -> list[int]:
    """Counts the images the zip reader decodes (their sizes in bytes)."""
    counted: list[int] = []
    real = image_folders.load_upload

    def counting(data, **options):
        counted.append(len(data))
        return real(data, **options)

    monkeypatch.setattr(image_folders, "load_upload", counting)
    return counted


def test_a_small_zip_of_huge_blank_pngs_is_refused_from_their_headers(decodes):
    """The hostile zip: 5,000 black 8000×4999 PNGs, 39 kB each, 1.7 MB zipped; nothing gets decoded."""
    buffer = io.BytesIO()
    Image.new("L", (8000, 4999)).save(buffer, "PNG")
    blank = buffer.getvalue()
    data = _zip({f"set/{'ab'[index % 2]}/{index}.png": blank for index in range(5000)})
    assert len(data) < 2 * 2**20
    found = read_zip_images(data)
    assert decodes == [] and found.images == [] and len(found.skipped) == 5000
    assert "40 megapixels once decoded" in found.skipped[0]
    with pytest.raises(ValueError, match="No file in the zip is a usable image"):
        zip_dataset(found, image_size=8)


def test_a_zip_whose_images_add_up_to_too_many_pixels_is_refused_before_decoding(decodes):
    side = int(MAX_MEMBER_PIXELS**0.5)  # each image is as big as a member may be
    count = MAX_DECODED_PIXELS // side**2 + 1
    files = {f"{'ab'[index % 2]}/{index}.png": _png(0, (side, side)) for index in range(count)}
    with pytest.raises(ValueError, match=f"add up to {count * side**2 / 1e6:,.0f} megapixels"):
        read_zip_images(_zip(files))
    assert decodes == []


def test_a_big_jpeg_in_a_zip_counts_and_decodes_reduced():
    buffer = io.BytesIO()
    Image.new("L", (8000, 4999), 255).save(buffer, "JPEG")  # 40 megapixels declared, 0.6 decoded
    files = {f"{kind}/{index}.jpg": buffer.getvalue() for kind in ("a", "b") for index in range(2)}
    found = read_zip_images(_zip(files))
    assert found.skipped == [] and len(found.images) == 4
    assert all(image.shape[1] == 128 and abs(image.shape[0] - 80) <= 1 for image in found.images)  # 4999/8000 of 128
    assert all(image.min() >= 250 for image in found.images)


def test_decoding_reports_progress_and_stops_when_the_caller_raises(decodes):
    files = {f"{kind}/{index}.png": _png(100) for kind in ("a", "b") for index in range(5)}
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 3:
            raise KeyboardInterrupt  # what a session that ended raises into its script thread

    with pytest.raises(KeyboardInterrupt):
        read_zip_images(_zip(files), progress)
    assert seen == [(0, 10), (1, 10), (2, 10), (3, 10)] and len(decodes) == 3


def test_one_decoding_serves_every_image_size_and_seed(decodes):
    files = {f"{kind}/{index}.png": _png(value, (30, 20)) for kind, value in (("dark", 20), ("light", 230))
             for index in range(6)}
    found = read_zip_images(_zip(files))
    small, large = zip_dataset(found, image_size=4, seed=0), zip_dataset(found, image_size=16, seed=1)
    assert len(decodes) == 12
    assert small.x_train.shape[1:] == (4, 4, 1) and large.x_train.shape[1:] == (16, 16, 1)
    for dataset in (small, large):
        dark = dataset.y_train == list(dataset.class_names).index("dark")
        np.testing.assert_allclose(dataset.x_train[dark], 20 / 255, atol=1e-3)
