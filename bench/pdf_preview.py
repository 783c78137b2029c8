"""What a PDF's preview costs: the limited child process (``pdfpreview.pdf_thumbnail``) against
drawing the same first page with pypdfium2 in the calling process (the plain alternative, with
no limits) and against an image upload's thumbnail (Pillow only).

The PDF is a one-page A4 invoice made with reportlab. Wall and CPU seconds (CPU of this process
and of its children) per preview, best of REPEAT runs of N previews each; the ratio shows what
the isolation (interpreter start-up, PDFium loaded afresh, pipes) adds. No database.

    .venv/bin/python bench/pdf_preview.py [N]
"""

from __future__ import annotations

import io
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20
REPEAT = 3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from logitrack.documents import images, pdfium_child  # noqa: E402
from logitrack.documents.filetypes import PNG  # noqa: E402
from logitrack.documents.pdfpreview import pdf_thumbnail  # noqa: E402
from logitrack.documents.tests import samples  # noqa: E402


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(work: Callable[[], object]) -> tuple[float, float]:
    """(wall s, CPU s) per call, best of REPEAT runs of N calls."""
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), _cpu()
        for _ in range(N):
            work()
        best_wall = min(best_wall, (time.perf_counter() - wall) / N)
        best_cpu = min(best_cpu, (_cpu() - cpu) / N)
    return best_wall, best_cpu


def main() -> None:
    pdf = samples.pdf_page()
    photo = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (1600, 1200), (30, 140, 90)).save(photo, "JPEG")
    jpeg = photo.getvalue()

    def in_process() -> bytes:
        status, png = pdfium_child.draw_first_page(pdf, 50_000_000)
        assert status == 0
        return images.reencode(png, PNG).thumbnail

    isolated = measure(lambda: pdf_thumbnail(pdf))
    plain = measure(in_process)
    image = measure(lambda: images.reencode(jpeg, "image/jpeg"))
    print(f"load average: {os.getloadavg()}")
    print(f"{N} previews, best of {REPEAT}")
    for name, (wall, cpu) in (
        ("PDF, limited child process", isolated),
        ("PDF, pypdfium2 in process", plain),
        ("JPEG 1600x1200 re-encode + thumbnail", image),
    ):
        print(f"  {name:40s} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU")
    wall_ratio, cpu_ratio = isolated[0] / plain[0], isolated[1] / plain[1]
    print(f"  child / in process: {wall_ratio:.1f}x wall, {cpu_ratio:.1f}x CPU")


if __name__ == "__main__":
    main()
