"""A labelled image set from a zip of class folders: ``cats/1.png``, ``dogs/2.jpg``, ...

Each sub-folder is a class, named by the folder. A single folder around them all (the way
most tools zip a directory) is looked through; files loose beside the class folders (a
README) have no class and are skipped. Everything is checked before anything large is decoded: the
archive's size, how many files it holds and how big they claim to be once unpacked (so a zip
bomb is refused unopened), and how many pixels its images declare (so a small zip of huge
blank images is refused before it holds a core for hours). Files that are not images, and system files such as
``__MACOSX/`` or ``.DS_Store``, are skipped and listed in the data set's note. Images become
grayscale squares in [0, 1] at the lab's image size (stretched if they were not square).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np

from engine.data.image_sets import ImageDataset, resize_images
from engine.data.images import MAX_UPLOAD_BYTES, decoded_pixels, load_upload, to_grayscale

MAX_IMAGES = 5000
MAX_CLASSES = 50
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MIN_IMAGES_PER_CLASS = 2  # one to train on, one to test on
DECODE_SIDE = 128  # members decode to at most this side (the lab trains on 4 to 64 pixels)
MAX_MEMBER_PIXELS = 16_000_000  # one member, as decoded (a JPEG decodes reduced, so it may declare more)
MAX_DECODED_PIXELS = 400_000_000  # all members together, as decoded: tens of seconds of one core at most
RESIZE_BATCH = 512  # images resized in one call (bounded memory, few calls)


@dataclass(frozen=True)
class ZipImages:
    """The usable images of a zip, decoded once (small and grey) for any image size and split.

    Attributes:
        images: (height, width) uint8 grey levels, longest side at most ``DECODE_SIDE`` (a quarter of
            float32's memory: a session keeps them while its zip is in use).
        labels: each image's class folder.
        skipped: the files left out, each with the reason.
    """

    images: list[np.ndarray]
    labels: list[str]
    skipped: list[str]


def load_zip_dataset(data: bytes, image_size: int, seed: int = 0, test_share: float = 0.2,
                     name: str = "upload") -> ImageDataset:
    """Decode and split a zip of class folders; ``ValueError`` says what is wrong with it."""
    return zip_dataset(read_zip_images(data), image_size, seed, test_share, name)


def read_zip_images(data: bytes, progress: Callable[[int, int], None] | None = None) -> ZipImages:
    """Check a zip of class folders, then decode its images; ``ValueError`` says what is wrong with it.

    Before any pixel is decoded, every member's header is read: files that are not images or
    would decode to more than ``MAX_MEMBER_PIXELS`` are skipped, and a zip whose images add up
    to more than ``MAX_DECODED_PIXELS`` is refused. ``progress(done, total)`` is called before
    each image is decoded; an exception it raises (the caller's session has ended) stops the work.
    """
    if not data:
        raise ValueError("The zip file is empty. Zip a folder with one sub-folder of images per class.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"The zip file is {len(data) / 2**20:.1f} MB; at most {MAX_UPLOAD_BYTES / 2**20:.0f} MB "
                         "is accepted. Use fewer or smaller images.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValueError("This file is not a zip archive. Zip a folder with one sub-folder of images per class.") from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir() and not _is_system_file(info.filename)]
        _check_sizes(members)
        paths = [PurePosixPath(info.filename) for info in members]
        root = _common_folder(paths)
        if all(len(path.parts) - root < 2 for path in paths):
            raise ValueError("Every image must sit in a class folder, and none does. Put each class's images "
                             "in a folder named after the class, and zip the folders.")
        usable, skipped = _usable_members(archive, members, paths, root)
        images, labels = [], []
        for done, (info, path) in enumerate(usable):
            if progress:
                progress(done, len(usable))
            try:
                pixels = load_upload(archive.read(info), working_side=DECODE_SIDE).pixels
            except (ValueError, zipfile.BadZipFile, RuntimeError) as error:  # RuntimeError: encrypted member
                skipped.append(f"{path} ({_first_sentence(error)})")
                continue
            images.append(np.round(to_grayscale(pixels)[:, :, 0]).astype(np.uint8))
            labels.append(path.parts[root])
    return ZipImages(images, labels, skipped)


def _usable_members(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], paths: list[PurePosixPath],
                    root: int) -> tuple[list[tuple[zipfile.ZipInfo, PurePosixPath]], list[str]]:
    """The members worth decoding, and the others with why; refuses a zip that would decode to too many pixels."""
    usable, skipped, total = [], [], 0
    for info, path in zip(members, paths, strict=True):
        if len(path.parts) - root < 2:
            skipped.append(f"{path} (not in a class folder)")
            continue
        try:
            pixels = decoded_pixels(archive.read(info), working_side=DECODE_SIDE)
        except (ValueError, zipfile.BadZipFile, RuntimeError) as error:
            skipped.append(f"{path} ({_first_sentence(error)})")
            continue
        if pixels > MAX_MEMBER_PIXELS:
            skipped.append(f"{path} ({pixels / 1e6:.0f} megapixels once decoded; at most "
                           f"{MAX_MEMBER_PIXELS / 1e6:.0f} in a zip)")
            continue
        usable.append((info, path))
        total += pixels
    if total > MAX_DECODED_PIXELS:
        raise ValueError(f"The images in this zip add up to {total / 1e6:,.0f} megapixels once decoded; at most "
                         f"{MAX_DECODED_PIXELS / 1e6:,.0f} are accepted. The lab trains on squares of 4 to 64 "
                         "pixels, so images a few hundred pixels across lose nothing: scale them down and zip "
                         "them again.")
    return usable, skipped


def _first_sentence(error: Exception) -> str:
    return str(error).split(". ")[0].rstrip(".")


def zip_dataset(found: ZipImages, image_size: int, seed: int = 0, test_share: float = 0.2,
                name: str = "upload") -> ImageDataset:
    """The decoded images as grey ``image_size`` squares (stretched if they were not square), split by ``seed``."""
    by_shape: dict[tuple[int, ...], list[int]] = {}  # one resize per shape: zips mostly hold one or two
    for index, image in enumerate(found.images):
        by_shape.setdefault(image.shape, []).append(index)
    images: list[np.ndarray] = [np.empty(0)] * len(found.images)
    for indices in by_shape.values():
        for start in range(0, len(indices), RESIZE_BATCH):
            chunk = indices[start:start + RESIZE_BATCH]
            batch = np.stack([found.images[index] for index in chunk])[:, :, :, None].astype(np.float32) / 255.0
            for index, resized in zip(chunk, resize_images(batch, image_size), strict=True):
                images[index] = resized
    return _split(images, found.labels, found.skipped, seed, test_share, name)


def _is_system_file(filename: str) -> bool:
    parts = PurePosixPath(filename).parts
    return any(part == "__MACOSX" or part.startswith(".") for part in parts) or filename.endswith("Thumbs.db")


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    if not members:
        raise ValueError("The zip holds no files. Zip a folder with one sub-folder of images per class.")
    if len(members) > MAX_IMAGES:
        raise ValueError(f"The zip holds {len(members):,} files; at most {MAX_IMAGES:,} images are accepted.")
    unpacked = sum(info.file_size for info in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValueError(f"The zip would unpack to {unpacked / 2**20:,.0f} MB; at most "
                         f"{MAX_UNPACKED_BYTES / 2**20:.0f} MB is accepted.")


def _common_folder(paths: list[PurePosixPath]) -> int:
    """How many leading folders to look through (0 or 1: one folder wrapping the class folders)."""
    tops = {path.parts[0] for path in paths}
    return 1 if len(tops) == 1 and any(len(path.parts) > 2 for path in paths) else 0


def _split(images: list[np.ndarray], labels: list[str], skipped: list[str], seed: int,
           test_share: float, name: str) -> ImageDataset:
    from sklearn.model_selection import train_test_split

    note = ""
    if skipped:
        listed = "; ".join(skipped[:3]) + (f"; and {len(skipped) - 3} more" if len(skipped) > 3 else "")
        note = f"Skipped {len(skipped)} file(s) that are not usable images: {listed}."
    if not images:
        raise ValueError("No file in the zip is a usable image. " + note)
    class_names, label_ids, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if not 2 <= len(class_names) <= MAX_CLASSES:
        raise ValueError(f"Expected 2 to {MAX_CLASSES} class folders. Received: {len(class_names)} "
                         f"({', '.join(class_names[:5])}).")
    small = [str(cls) for cls, count in zip(class_names, counts, strict=True) if count < MIN_IMAGES_PER_CLASS]
    if small:
        raise ValueError(f"Each class needs at least {MIN_IMAGES_PER_CLASS} images (one to train on, one to "
                         f"test on). Too few in: {', '.join(small)}.")
    num_test = min(max(len(class_names), round(test_share * len(images))), len(images) - len(class_names))
    x_train, x_test, y_train, y_test = train_test_split(
        np.stack(images), label_ids.astype(np.int64), test_size=num_test, random_state=seed, stratify=label_ids)
    return ImageDataset(name, x_train, y_train, x_test, y_test, tuple(str(cls) for cls in class_names), note)
