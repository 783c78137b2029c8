"""What printing labels costs: N A6 labels in one PDF and as ZPL, against a plain reportlab PDF.

The plain alternative is the cheapest PDF reportlab makes: N A6 pages with one line of text each
(built-in Helvetica, nothing embedded). Our labels are the real thing: Be Vietnam Pro embedded,
Code 128, QR code, fitted text blocks. Labels differ from each other (waybill, URL, recipient), so
no cache makes the second label free; every per-label cache is emptied before each run. Each
figure is the best of REPEAT runs. No database.

    .venv/bin/python bench/labels.py [N]
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
REPEAT = 2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from reportlab.lib.pagesizes import A6  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from logitrack.logistics.labels import LabelData, LabelParty, render_pdf, render_zpl  # noqa: E402
from logitrack.logistics.labels.fonts import _word_width_em  # noqa: E402
from logitrack.logistics.labels.raster import _line_image  # noqa: E402
from logitrack.logistics.labels.symbols import (  # noqa: E402
    code128_runs,
    qr_matrix,
    qr_version_modules,
)
from logitrack.logistics.labels.tests.samples import label  # noqa: E402


def labels(count: int) -> list[LabelData]:
    base = label()
    return [
        replace(
            base,
            waybill=f"LT{i:09d}K",
            tracking_url=f"https://logitrack.example.vn/t/LT{i:09d}K",
            recipient=LabelParty(
                f"Nguyễn Thị Ánh Tuyết {i}",
                f"+84 912 {i % 1000:03d} {i % 997:03d}",
                (f"{i} Trần Hưng Đạo, Phường Cửa Nam", "Thành phố Hà Nội"),
                f"{i} Trần Hưng Đạo, P. Hàng Bài, Q. Hoàn Kiếm, Hà Nội",
            ),
            cod_vnd=1000 * i,
        )
        for i in range(1, count + 1)
    ]


def plain_pdf(count: int) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A6, pageCompression=1)
    for i in range(1, count + 1):
        canvas.drawString(40, 200, f"LT{i:09d}K")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def forget_caches() -> None:
    """Empty every per-label cache, so that each run pays for every symbol and line again (the
    font files stay loaded, as in a running server)."""
    for cached in (code128_runs, qr_matrix, qr_version_modules, _line_image, _word_width_em):
        cached.cache_clear()


def best(run: Callable[[], bytes]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, bytes) of the fastest of REPEAT runs. On a
    shared machine the CPU time is the steadier figure; ratios use it."""
    runs = []
    size = 0
    for _ in range(REPEAT):
        forget_caches()
        start, cpu = time.perf_counter(), time.process_time()
        size = len(run())
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    wall, cpu_s = min(runs, key=lambda r: r[1])
    return wall, cpu_s, size


def main() -> None:
    batch = labels(N)
    rows = [
        ("label PDF (A6)", best(lambda: render_pdf(batch, "a6")), "pages"),
        ("ZPL 203 dpi (A6)", best(lambda: render_zpl(batch, "a6", dpi=203)), "labels"),
        ("ZPL 300 dpi (A6)", best(lambda: render_zpl(batch, "a6", dpi=300)), "labels"),
        ("plain PDF, 1 line/page", best(lambda: plain_pdf(N)), "pages"),
    ]
    print(f"labels: {N} per file, fastest of {REPEAT} runs (wall and CPU seconds)")
    for name, (wall, cpu, size), unit in rows:
        print(
            f"  {name:24} wall {wall:7.2f} s ({N / wall:6.0f} {unit}/s)  "
            f"cpu {cpu:7.2f} s ({N / cpu:6.0f} {unit}/s)  {size / 1e6:6.2f} MB"
        )
    plain = rows[3][1][1]
    print(f"  ratio label PDF / plain PDF (cpu): {rows[0][1][1] / plain:.1f}x")
    print(f"  ratio ZPL 203 dpi / plain PDF (cpu): {rows[1][1][1] / plain:.1f}x")


if __name__ == "__main__":
    main()
