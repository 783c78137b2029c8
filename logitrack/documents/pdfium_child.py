"""The child process that draws the first page of a PDF (``python -m
logitrack.documents.pdfium_child MAX_PIXELS``): PDF bytes on stdin, a PNG on stdout.

PDFium is C++ parsing bytes a stranger sent, so it runs here, apart from the worker, under hard
limits set before it is even imported: address space (``MEMORY_LIMIT_BYTES``), CPU time
(``CPU_LIMIT_S``), no core dumps, and a wall-clock timeout in the parent
(``logitrack.documents.pdfpreview``). Besides those limits, two checks are made before anything
is drawn: the page's size (PDF 1.7, ISO 32000-1 annex C: at most 14,400 units a side) and the
pixel dimensions of every image on the page against ``MAX_PIXELS``, read from the image
dictionaries without decoding them, so a few kilobytes that inflate to gigapixels are refused
like an image upload is. The page is drawn at a scale that makes its longer side
``MAX_SIDE_PX`` pixels, whatever size it claims.

Exit status: 0 with the PNG on stdout; ``EXIT_DAMAGED`` when PDFium cannot read the file or its
first page; ``EXIT_BOMB`` when an image or the page is too large; anything else (killed by a
limit) is a failure too. Only the standard library, pypdfium2 and Pillow are imported: no
Django, no settings, no database.
"""

from __future__ import annotations

import io
import resource
import sys

MAX_SIDE_PX = 320
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024
CPU_LIMIT_S = 15
MAX_PAGE_UNITS = 14_400
EXIT_DAMAGED = 3
EXIT_BOMB = 4


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def draw_first_page(data: bytes, max_pixels: int) -> tuple[int, bytes]:
    """(exit status, PNG bytes or b"") for the PDF ``data``."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return EXIT_DAMAGED, b""
    try:
        if len(pdf) < 1:
            return EXIT_DAMAGED, b""
        page = pdf[0]
        width, height = page.get_size()
        if not (0 < width <= MAX_PAGE_UNITS and 0 < height <= MAX_PAGE_UNITS):
            return EXIT_BOMB if max(width, height) > MAX_PAGE_UNITS else EXIT_DAMAGED, b""
        for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
            image_width, image_height = image.get_px_size()
            if image_width * image_height > max_pixels:
                return EXIT_BOMB, b""
        scale = MAX_SIDE_PX / max(width, height)
        picture = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        picture.save(out, "PNG")
        return 0, out.getvalue()
    except pypdfium2.PdfiumError:
        return EXIT_DAMAGED, b""
    finally:
        pdf.close()


def main(argv: list[str]) -> int:
    _limit()
    max_pixels = int(argv[1])
    status, png = draw_first_page(sys.stdin.buffer.read(), max_pixels)
    if status == 0:
        sys.stdout.buffer.write(png)
        sys.stdout.buffer.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
