"""Uploaded images re-encoded without their metadata, and their thumbnails.

A phone photo carries EXIF (camera, time, often the GPS position where it was taken), XMP, IPTC,
an ICC profile and comments. Only the pixels are kept: the EXIF orientation is applied first, so
the picture stands the right way, then the pixels are pasted into a new image that has no
metadata at all and encoded again in the same format (JPEG quality 85, PNG, WebP quality 85).

Decompression bombs (a few kilobytes that decode to gigapixels) are refused from the header's
dimensions before any pixel is decoded: more than ``LOGITRACK_DOCUMENT_MAX_PIXELS`` pixels is
refused, and Pillow's own ``Image.MAX_IMAGE_PIXELS`` guard is set to the same cap.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from logitrack.documents.errors import DecompressionBomb, FileDamaged
from logitrack.documents.filetypes import JPEG, PNG, WEBP

_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
THUMBNAIL_TYPE = "image/webp"
THUMBNAIL_SIZE = (320, 320)


@dataclass(frozen=True)
class Reencoded:
    data: bytes
    width: int
    height: int
    thumbnail: bytes


def _max_pixels() -> int:
    return int(settings.LOGITRACK_DOCUMENT_MAX_PIXELS)


def open_image(data: bytes, content_type: str, *, max_pixels: int | None = None) -> Image.Image:
    """Decode an image of an allowed type (from ``filetypes.sniff``); more than ``max_pixels``
    (default ``LOGITRACK_DOCUMENT_MAX_PIXELS``, never above it) raises DecompressionBomb from
    the header, before any pixel is decoded; anything unreadable raises FileDamaged."""
    limit = _max_pixels() if max_pixels is None else min(max_pixels, _max_pixels())
    Image.MAX_IMAGE_PIXELS = _max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_FORMATS[content_type]])
            width, height = image.size
            if width < 1 or height < 1:
                raise FileDamaged()
            if width * height > limit:
                raise DecompressionBomb()
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DecompressionBomb() from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise FileDamaged() from exc
    return image


def pixels_only(image: Image.Image, content_type: str) -> Image.Image:
    """A new image with ``image``'s pixels (turned upright) and no metadata whatsoever."""
    upright = ImageOps.exif_transpose(image) or image
    if content_type == JPEG:
        mode = "L" if upright.mode in {"L", "1"} else "RGB"
    else:
        mode = "RGBA" if upright.mode in {"RGBA", "LA", "P", "PA", "RGBa", "La"} else "RGB"
        if upright.mode == "L":
            mode = "L"
    converted = upright.convert(mode) if upright.mode != mode else upright
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _encode(image: Image.Image, content_type: str) -> bytes:
    out = io.BytesIO()
    if content_type == JPEG:
        image.save(out, "JPEG", quality=85, optimize=True)
    elif content_type == PNG:
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def thumbnail_of(image: Image.Image) -> bytes:
    """A small WebP (at most 320 x 320 px, aspect kept) of an already clean image."""
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    small.save(out, "WEBP", quality=70, method=4)
    return out.getvalue()


def reencode(data: bytes, content_type: str) -> Reencoded:
    """Re-encode an image of an allowed type; raises DecompressionBomb or FileDamaged."""
    image = open_image(data, content_type)
    try:
        clean = pixels_only(image, content_type)
    finally:
        image.close()
    return encode_clean(clean, content_type)


def encode_clean(clean: Image.Image, content_type: str) -> Reencoded:
    """Encode pixels that ``pixels_only`` produced (and a caller may have changed since, e.g.
    blurred), with their thumbnail; nothing of the original file's metadata can remain."""
    if clean.info:
        # Pillow writes some ``info`` entries (ICC profile, EXIF) back on save: fail closed.
        raise ValueError("encode_clean takes the pixels of pixels_only, without metadata")
    return Reencoded(
        data=_encode(clean, content_type),
        width=clean.width,
        height=clean.height,
        thumbnail=thumbnail_of(clean),
    )
