"""Faces and licence plates in a camera snapshot, found and blurred before anything is stored.

The detector is OpenCV's Viola-Jones cascades (Viola & Jones, "Rapid Object Detection using a
Boosted Cascade of Simple Features", CVPR 2001; Lienhart & Maydt's extended Haar features, ICIP
2002) as shipped inside the ``opencv-python-headless`` wheel (``cv2.data.haarcascades``):
``haarcascade_frontalface_alt2.xml`` and ``haarcascade_frontalface_default.xml`` for faces seen
from the front, ``haarcascade_profileface.xml`` on the image and on its mirror for faces turned
left or right, ``haarcascade_russian_plate_number.xml`` for licence plates. Nothing is
downloaded at run time: a wheel without the files fails loudly at the first snapshot.

How: detection runs on a grey copy whose longest side is at most
``DETECT_SIDE`` pixels (a 1920 x 1080 snapshot is searched at 512 x 288); the boxes found are
mapped back to full resolution, grown by ``PAD`` of their size on each side, and every pixel in
them is pixelated to ``BLOCKS`` blocks across and then Gaussian-blurred, on the full-resolution
image. The detector is tuned for recall (few neighbours required, two frontal cascades, small
minimum size): blurring a false positive costs a smudge on a wall, missing a face is a privacy
failure.

What it cannot do (the privacy policy's "faces blurred" is best effort, not a guarantee):
- faces smaller than ``MIN_FACE`` pixels on the searched copy (75 px tall in a 1080p frame,
  about 7 % of its height) are not searched for: a person more than about 4 m from a 1080p
  dock camera with a normal lens is not blurred. Searching smaller faces costs time roughly in
  proportion to the pixels searched (``DETECT_SIDE``) and was traded for the 150 ms budget;
- faces tilted more than about 15 degrees in the image plane, seen from above or below, seen
  from behind at three-quarters, or half hidden (masks, helmets, hands, sunglasses with a cap)
  are often missed: the cascades were trained on upright, unoccluded faces;
- very dark, back-lit or motion-blurred faces are often missed;
- licence plates: the only cascade shipped was trained on Russian single-line plates; it finds
  many Vietnamese long plates but misses most two-line (square) motorbike plates;
- people are recognisable by more than their face (clothes, a name on a uniform): not handled.

Thread safety: ``cv2.CascadeClassifier.detectMultiScale`` is not documented as thread-safe, so
each thread loads its own classifiers once (``threading.local``); loading takes about 0.1 s.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFilter

# Longest side of the copy the cascades search, pixels (LOGITRACK_CAMERA_DETECT_SIDE).
DETECT_SIDE = 512
# Each level of the search pyramid is this much smaller than the one before.
SCALE_STEP = 1.15
# Smallest face (and plate height) searched for on that copy, pixels.
MIN_FACE = 20
MIN_PLATE = (36, 12)
# Each box is grown by this fraction of its width and height on every side.
PAD = 0.25
# A blurred region is pixelated to this many blocks across before its Gaussian blur.
BLOCKS = 6

FRONTAL = ("haarcascade_frontalface_alt2.xml", "haarcascade_frontalface_default.xml")
PROFILE = "haarcascade_profileface.xml"
PLATE = "haarcascade_russian_plate_number.xml"

Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive), full-resolution pixels


@dataclass(frozen=True)
class BlurResult:
    """``image``: a new image, the input's pixels with every region found blurred (same size
    and mode); ``faces``/``plates``: the number of regions blurred of each kind."""

    image: Image.Image
    faces: int
    plates: int


class DetectorMissing(RuntimeError):
    """The OpenCV wheel does not carry the cascade files (a broken install): nothing is stored."""


def _cascade_dir() -> Path:
    return Path(cv2.data.haarcascades)  # type: ignore[attr-defined]


def _load(name: str) -> cv2.CascadeClassifier:
    path = _cascade_dir() / name
    classifier = cv2.CascadeClassifier(str(path))
    if classifier.empty():
        raise DetectorMissing(f"OpenCV cascade not found or unreadable: {name}")
    return classifier


@dataclass(frozen=True)
class _Loaded:
    frontal: tuple[cv2.CascadeClassifier, ...]
    profile: cv2.CascadeClassifier
    plate: cv2.CascadeClassifier


class _Detectors(threading.local):
    """This thread's classifiers, loaded at its first snapshot."""

    loaded: _Loaded | None = None

    def ready(self) -> _Loaded:
        if self.loaded is None:
            self.loaded = _Loaded(
                frontal=tuple(_load(name) for name in FRONTAL),
                profile=_load(PROFILE),
                plate=_load(PLATE),
            )
        return self.loaded


_detectors = _Detectors()


def _grey_copy(image: Image.Image, side: int) -> tuple[np.ndarray, float]:
    """(grey copy with longest side <= ``side``, full-resolution px per copy px)."""
    scale = max(image.width, image.height) / side
    if scale <= 1:
        return np.asarray(image.convert("L"), dtype=np.uint8), 1.0
    # A box reduction by the whole factor first (cheap), then the rest bilinear.
    factor = int(scale)
    small = image.reduce(factor) if factor >= 2 else image
    grey = small.convert("L")
    size = (max(1, round(image.width / scale)), max(1, round(image.height / scale)))
    if grey.size != size:
        grey = grey.resize(size, Image.Resampling.BILINEAR)
    # No histogram equalisation: the cascades normalise each window's contrast themselves, and
    # a global equalisation of a frame that is mostly wall or floor hides faces (measured).
    return np.asarray(grey, dtype=np.uint8), scale


def _detect(
    classifier: cv2.CascadeClassifier,
    grey: np.ndarray,
    *,
    neighbours: int,
    min_size: tuple[int, int],
) -> list[tuple[int, int, int, int]]:
    found = classifier.detectMultiScale(
        grey, scaleFactor=SCALE_STEP, minNeighbors=neighbours, minSize=min_size
    )
    return [tuple(int(v) for v in box) for box in found]  # type: ignore[misc]


def _faces(detectors: _Loaded, grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    size = (MIN_FACE, MIN_FACE)
    boxes: list[tuple[int, int, int, int]] = []
    for frontal in detectors.frontal:
        boxes += _detect(frontal, grey, neighbours=3, min_size=size)
    boxes += _detect(detectors.profile, grey, neighbours=3, min_size=size)
    mirrored = np.ascontiguousarray(grey[:, ::-1])
    width = grey.shape[1]
    for x, y, w, h in _detect(detectors.profile, mirrored, neighbours=3, min_size=size):
        boxes.append((width - x - w, y, w, h))
    return boxes


def _plates(detectors: _Loaded, grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    return _detect(detectors.plate, grey, neighbours=3, min_size=MIN_PLATE)


def _to_full(box: tuple[int, int, int, int], scale: float, size: tuple[int, int]) -> Box:
    x, y, w, h = box
    pad_x, pad_y = w * PAD, h * PAD
    left = max(0, int((x - pad_x) * scale))
    top = max(0, int((y - pad_y) * scale))
    right = min(size[0], int((x + w + pad_x) * scale + 0.999))
    bottom = min(size[1], int((y + h + pad_y) * scale + 0.999))
    return left, top, right, bottom


def _merge(boxes: list[Box]) -> list[Box]:
    """Overlapping boxes as their union (the cascades find one face several times)."""
    merged: list[Box] = []
    for box in sorted(boxes):
        for index, other in enumerate(merged):
            if box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]:
                merged[index] = (
                    min(box[0], other[0]),
                    min(box[1], other[1]),
                    max(box[2], other[2]),
                    max(box[3], other[3]),
                )
                break
        else:
            merged.append(box)
    if len(merged) < len(boxes):
        return _merge(merged) if len(merged) > 1 else merged
    return merged


def obscure(image: Image.Image, box: Box) -> None:
    """Make ``box`` of ``image`` unrecognisable, in place: pixelated to ``BLOCKS`` blocks across,
    then Gaussian-blurred with a radius of a fifth of the box's width."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    if width < 1 or height < 1:
        return
    region = image.crop(box)
    blocks = (max(1, min(BLOCKS, width)), max(1, min(round(BLOCKS * height / width), height)))
    region = region.resize(blocks, Image.Resampling.BOX).resize(
        (width, height), Image.Resampling.NEAREST
    )
    region = region.filter(ImageFilter.GaussianBlur(radius=max(2.0, width / 5)))
    image.paste(region, (left, top))


def detect_regions(
    image: Image.Image, *, plates: bool = True, detect_side: int = DETECT_SIDE
) -> tuple[list[Box], list[Box]]:
    """(face boxes, plate boxes) of ``image`` in full-resolution pixels, padded and merged;
    searched on a grey copy whose longest side is at most ``detect_side`` pixels."""
    detectors = _detectors.ready()
    grey, scale = _grey_copy(image, detect_side)
    size = image.size
    faces = _merge([_to_full(b, scale, size) for b in _faces(detectors, grey)])
    found_plates = (
        _merge([_to_full(b, scale, size) for b in _plates(detectors, grey)]) if plates else []
    )
    return faces, found_plates


def blur_sensitive_regions(
    image: Image.Image, *, plates: bool = True, detect_side: int = DETECT_SIDE
) -> BlurResult:
    """Blur every face (and licence plate, unless ``plates=False``) found in ``image``.

    ``image``: any Pillow image (RGB, L, RGBA...), already upright; it is not modified.
    ``detect_side``: longest side of the searched copy, pixels (smaller is faster and misses
    smaller faces: the smallest found is ``MIN_FACE * longest side / detect_side``). Returns
    a copy with the regions obscured (``obscure``) and how many of each were blurred. Raises
    DetectorMissing when the OpenCV wheel has no cascades. See the module docstring for what the
    detector misses.
    """
    faces, found_plates = detect_regions(image, plates=plates, detect_side=detect_side)
    result = image.copy()
    for box in faces + found_plates:
        obscure(result, box)
    return BlurResult(image=result, faces=len(faces), plates=len(found_plates))


__all__ = [
    "BlurResult",
    "DetectorMissing",
    "blur_sensitive_regions",
    "detect_regions",
    "obscure",
]
