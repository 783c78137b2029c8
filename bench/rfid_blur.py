"""Face blurring of camera snapshots: time per 1080p snapshot and the detector's recall, in one run.

Time, ``--runs`` calls each after one warm-up (median and p95 wall ms, median CPU ms of this
process; OpenCV may use a second core, so CPU can exceed wall), on a 1920 x 1080 frame holding
``skimage.data.astronaut()`` at its own size (one face, about 100 px) on a grey background:

- ``blur``: ``cameras.blur.blur_sensitive_regions`` (grey copy at ``LOGITRACK_CAMERA_DETECT_SIDE``
  = 512 px, two frontal cascades, the profile cascade on the copy and its mirror, the plate
  cascade, pixelate + Gaussian); and the same searching a 640 px copy (``--side``), which is
  slower and finds faces down to 60 px in 1080p instead of 75 px;
- ``plain``: what any stored image already costs, ``documents.images.reencode`` of the JPEG
  (decode, copy the pixels without metadata, JPEG encode, WebP thumbnail), no detection;
- ``snapshot``: the camera path's image work (decode, pixels without metadata, blur, encode
  with thumbnail): what blurring adds on top of ``plain``.

Ratios printed side by side: blur / the 150 ms budget, blur / plain, snapshot / plain. On a
shared machine wall time follows the load (printed); the CPU column follows it much less.

Recall on images that a package ships (scikit-image, a dev dependency):
- ``skimage.data.lfw_subset()``: 200 grey 25 x 25 crops of Labeled Faces in the Wild, the first
  100 faces, the last 100 not faces. A crop that is all face gives the cascades (20-24 px
  windows) no margin, so each is centred on a 75 x 75 mid-grey canvas and enlarged to 150 x 150
  (bilinear) before detection; recall = faces with at least one detection, false positives =
  non-faces with one;
- ``astronaut()``: found at its own size and in the 1080p frame (1 face each).

    .venv/bin/python bench/rfid_blur.py
    .venv/bin/python bench/rfid_blur.py --runs 30
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

BUDGET_MS = 150.0


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _timed(runs: int, call: Callable[[], Any]) -> tuple[float, float, float]:
    """(median wall ms, p95 wall ms, median CPU ms) of ``runs`` calls after one warm-up."""
    call()
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    ordered = sorted(walls)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(walls), p95, statistics.median(cpus)


def _astronaut() -> Any:
    from skimage import data

    return data.astronaut()


def _scene() -> Any:
    from PIL import Image

    frame = Image.new("RGB", (1920, 1080), (90, 90, 90))
    frame.paste(Image.fromarray(_astronaut()), (700, 300))
    return frame


def _recall() -> tuple[int, int, int, int]:
    """(faces found, faces, non-faces with a detection, non-faces) on lfw_subset."""
    import numpy as np
    from PIL import Image
    from skimage import data

    from logitrack.tracking.cameras.blur import detect_regions

    crops: Any = data.lfw_subset()
    found = false_positives = 0
    for index, crop in enumerate(crops):
        face = Image.fromarray((crop * 255).astype(np.uint8))
        canvas = Image.new("L", (75, 75), 128)
        canvas.paste(face, (25, 25))
        canvas = canvas.resize((150, 150), Image.Resampling.BILINEAR)
        hit = bool(detect_regions(canvas, plates=False)[0])
        if index < 100:
            found += hit
        else:
            false_positives += hit
    return found, 100, false_positives, len(crops) - 100


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed calls per path")
    parser.add_argument(
        "--side", type=int, default=640, help="a larger detection copy compared (px)"
    )
    args = parser.parse_args(argv)
    _setup()
    import cv2
    from PIL import Image

    from logitrack.documents import images
    from logitrack.tracking.cameras.blur import (
        DETECT_SIDE,
        blur_sensitive_regions,
        detect_regions,
    )

    frame = _scene()
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=90)
    jpeg = out.getvalue()

    def plain() -> object:
        return images.reencode(jpeg, "image/jpeg")

    def snapshot() -> object:
        decoded = images.open_image(jpeg, "image/jpeg")
        clean = images.pixels_only(decoded, "image/jpeg")
        decoded.close()
        return images.encode_clean(blur_sensitive_regions(clean).image, "image/jpeg")

    faces_in_frame = blur_sensitive_regions(frame).faces
    blur_ms = _timed(args.runs, lambda: blur_sensitive_regions(frame))
    small_ms = _timed(args.runs, lambda: blur_sensitive_regions(frame, detect_side=args.side))
    small_faces = blur_sensitive_regions(frame, detect_side=args.side).faces
    plain_ms = _timed(args.runs, plain)
    snapshot_ms = _timed(args.runs, snapshot)
    found, faces, false_positives, others = _recall()
    astronaut = len(detect_regions(Image.fromarray(_astronaut()), plates=False)[0])

    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    print(
        f"camera blur, 1920x1080 JPEG ({len(jpeg) // 1024} KiB), {args.runs} runs, "
        f"OpenCV {cv2.__version__} ({cv2.getNumThreads()} threads), "
        f"load average {load[0]:.2f} on {os.cpu_count()} CPUs"
    )
    for name, (median, p95, cpu) in (
        (f"blur, {DETECT_SIDE} px copy (default)", blur_ms),
        (f"blur, {args.side} px copy", small_ms),
        ("plain (decode + re-encode)", plain_ms),
        ("snapshot (decode + blur + encode)", snapshot_ms),
    ):
        print(f"  {name:<34} median {median:7.1f} ms  p95 {p95:7.1f} ms  CPU {cpu:7.1f} ms")
    for label, (median, _p95, cpu) in ((str(DETECT_SIDE), blur_ms), (str(args.side), small_ms)):
        print(
            f"  ratios {label} px: blur / {BUDGET_MS:.0f} ms budget {median / BUDGET_MS:.2f}"
            f" (CPU {cpu / BUDGET_MS:.2f}) | blur / plain {median / plain_ms[0]:.2f}"
            f" | within budget: {'yes' if median <= BUDGET_MS else 'NO'}"
        )
    print(f"  ratio snapshot / plain {snapshot_ms[0] / plain_ms[0]:.2f}")
    print(
        f"  recall lfw_subset faces {found}/{faces} ({found / faces:.0%})"
        f" | false positives on its non-faces {false_positives}/{others}"
        f" | astronaut {astronaut}/1 at 512 px, {faces_in_frame}/1 in the 1080p frame"
        f" ({small_faces}/1 with the {args.side} px copy)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
