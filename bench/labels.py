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
REPEAT = 3

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


def best(run: Callable[[], bytes]) -> tuple[float, int]:
    times = []
    size = 0
    for _ in range(REPEAT):
        forget_caches()
        start = time.perf_counter()
        size = len(run())
        times.append(time.perf_counter() - start)
    return min(times), size


def main() -> None:
    batch = labels(N)
    pdf_s, pdf_bytes = best(lambda: render_pdf(batch, "a6"))
    zpl_s, zpl_bytes = best(lambda: render_zpl(batch, "a6", dpi=203))
    zpl300_s, zpl300_bytes = best(lambda: render_zpl(batch, "a6", dpi=300))
    plain_s, plain_bytes = best(lambda: plain_pdf(N))
    print(f"labels: {N} A6 labels, best of {REPEAT}")
    print(f"  label PDF        {pdf_s:7.2f} s  {N / pdf_s:8.0f} pages/s  {pdf_bytes / 1e6:6.1f} MB")
    print(f"  ZPL 203 dpi      {zpl_s:7.2f} s  {N / zpl_s:8.0f} labels/s {zpl_bytes / 1e6:6.1f} MB")
    print(
        f"  ZPL 300 dpi      {zpl300_s:7.2f} s  {N / zpl300_s:8.0f} labels/s "
        f"{zpl300_bytes / 1e6:6.1f} MB"
    )
    print(
        f"  plain PDF (1 line of Helvetica per page) {plain_s:7.3f} s  {N / plain_s:8.0f} pages/s"
        f"  {plain_bytes / 1e6:6.2f} MB"
    )
    print(f"  ratio label PDF / plain PDF: {pdf_s / plain_s:.1f}x the time")
    print(f"  ratio ZPL 203 dpi / plain PDF: {zpl_s / plain_s:.1f}x the time")


if __name__ == "__main__":
    main()
