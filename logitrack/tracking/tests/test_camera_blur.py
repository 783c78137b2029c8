"""Face and plate blurring (logitrack.tracking.cameras.blur) on images that packages ship."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image
from skimage import data as skimage_data

from logitrack.tracking.cameras import blur


def _astronaut() -> Image.Image:
    return Image.fromarray(skimage_data.astronaut())


def _scene() -> Image.Image:
    """The astronaut at her own size in a grey 1920 x 1080 frame, as a dock camera sees a
    person: most of the frame is not a face."""
    frame = Image.new("RGB", (1920, 1080), (90, 90, 90))
    frame.paste(_astronaut(), (700, 300))
    return frame


def _covers(box: blur.Box, point: tuple[int, int]) -> bool:
    return box[0] <= point[0] < box[2] and box[1] <= point[1] < box[3]


def _centre(box: blur.Box) -> tuple[int, int]:
    return (box[0] + box[2]) // 2, (box[1] + box[3]) // 2


def test_the_detector_finds_the_astronauts_face_before_and_not_after_blurring() -> None:
    image = _astronaut()
    faces_before, _plates = blur.detect_regions(image, plates=False)

    result = blur.blur_sensitive_regions(image)
    faces_after, _plates = blur.detect_regions(result.image, plates=False)

    assert len(faces_before) == 1
    assert result.faces == 1
    # Tuned for recall, the cascades may fire on the suit; never again on where the face was.
    face = _centre(faces_before[0])
    assert [box for box in faces_after if _covers(box, face)] == []


def test_blurring_changes_the_pixels_of_the_face_box_and_leaves_the_rest() -> None:
    image = _astronaut()
    (box,), _plates = blur.detect_regions(image, plates=False)

    result = blur.blur_sensitive_regions(image)

    before = np.asarray(image.crop(box), dtype=np.int16)
    after = np.asarray(result.image.crop(box), dtype=np.int16)
    assert float(np.abs(before - after).mean()) > 20
    # Pixelated then blurred: hardly any detail left in the box.
    assert float(after.std(axis=(0, 1)).mean()) < float(before.std(axis=(0, 1)).mean()) / 2
    outside = (0, 0, image.width, box[1])  # the strip above the padded face box
    assert np.array_equal(np.asarray(image.crop(outside)), np.asarray(result.image.crop(outside)))


def test_the_input_image_is_not_modified() -> None:
    image = _astronaut()
    original = np.asarray(image).copy()

    blur.blur_sensitive_regions(image)

    assert np.array_equal(np.asarray(image), original)


def test_a_face_in_a_1080p_frame_is_found_on_the_downscaled_copy_and_blurred_at_full_size() -> None:
    frame = _scene()

    result = blur.blur_sensitive_regions(frame)

    (face,), _plates = blur.detect_regions(frame, plates=False)
    assert result.image.size == (1920, 1080)
    assert result.faces == 1
    after = blur.detect_regions(result.image, plates=False)[0]
    assert [box for box in after if _covers(box, _centre(face))] == []


def test_a_frame_without_a_face_is_returned_unchanged() -> None:
    frame = Image.new("RGB", (1280, 720), (120, 130, 140))

    result = blur.blur_sensitive_regions(frame)

    assert (result.faces, result.plates) == (0, 0)
    assert np.array_equal(np.asarray(frame), np.asarray(result.image))


def test_grey_and_rgba_images_keep_their_mode() -> None:
    for mode in ("L", "RGBA"):
        image = _astronaut().convert(mode)

        result = blur.blur_sensitive_regions(image)

        assert result.image.mode == mode
        assert result.faces == 1


def test_each_thread_loads_its_own_classifiers() -> None:
    seen: list[object] = []

    def work() -> None:
        seen.append(blur._detectors.ready())
        blur.blur_sensitive_regions(_astronaut())

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(seen) == 2
    assert seen[0] is not seen[1]


def test_a_missing_cascade_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setattr(blur, "_cascade_dir", lambda: tmp_path)

    with pytest.raises(blur.DetectorMissing):
        blur._load(blur.PROFILE)
