"""The preview of a PDF: its first page, drawn locally by PDFium (pypdfium2) in a child process
with hard limits (``pdfium_child``), then made a WebP thumbnail like an image's (``images``).

No online service sees the file. ``pdf_thumbnail`` raises FileDamaged (PDFium cannot read it),
DecompressionBomb (an image on the page, or the page, is too large; or the child ran out of its
memory, CPU or wall-clock limit) and never anything else for what the bytes contain.
"""

from __future__ import annotations

import logging
import subprocess
import sys

from django.conf import settings

from logitrack.documents import images, pdfium_child
from logitrack.documents.errors import DecompressionBomb, FileDamaged
from logitrack.documents.filetypes import PNG

logger = logging.getLogger(__name__)

# Seconds the child may take, start-up included (about 0.2 s of it on this kind of machine).
RENDER_TIMEOUT_S = 30


def first_page_png(data: bytes) -> bytes:
    """The first page of the PDF ``data`` as a PNG whose longer side is 320 px."""
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
            [
                sys.executable,
                "-I",
                "-m",
                "logitrack.documents.pdfium_child",
                str(int(settings.LOGITRACK_DOCUMENT_MAX_PIXELS)),
            ],
            input=data,
            capture_output=True,
            timeout=RENDER_TIMEOUT_S,
            check=False,
            # -I: no PYTHON* variables, no user site, not the working directory; logitrack is
            # found as installed. The child inherits nothing of ours but the path.
            env={"PATH": "/usr/bin:/bin"},
        )
    except subprocess.TimeoutExpired as exc:
        logger.warning("pdf preview: the renderer ran past %s s", RENDER_TIMEOUT_S)
        raise DecompressionBomb() from exc
    if done.returncode == pdfium_child.EXIT_DAMAGED:
        raise FileDamaged()
    if done.returncode != 0 or not done.stdout:
        # EXIT_BOMB, or killed by its memory or CPU limit (a negative status is the signal).
        logger.warning("pdf preview: the renderer stopped with status %s", done.returncode)
        raise DecompressionBomb()
    return done.stdout


def pdf_thumbnail(data: bytes) -> bytes:
    """A WebP thumbnail (at most 320 x 320 px) of the first page of the PDF ``data``."""
    return images.reencode(first_page_png(data), PNG).thumbnail
