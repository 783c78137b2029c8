"""Files for the document tests, made here so each test says what its bytes are."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib

from PIL import Image

ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
GPS_IFD = 0x8825


def png_with_gps(size: tuple[int, int] = (40, 30)) -> bytes:
    """A PNG carrying an EXIF block with a GPS position (10°45'N 106°40'E), and a text chunk."""
    from PIL.PngImagePlugin import PngInfo

    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (10.0, 45.0, 0.0), 3: "E", 4: (106.0, 40.0, 0.0)}
    info = PngInfo()
    info.add_text("Comment", "taken at 12 Le Loi")
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif.tobytes(), pnginfo=info)
    return out.getvalue()


def jpeg_rotated(size: tuple[int, int] = (60, 20)) -> bytes:
    """A landscape JPEG whose EXIF orientation (6: rotate 90° clockwise) makes it portrait."""
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[GPS_IFD] = {1: "N", 2: (21.0, 2.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size: tuple[int, int] = (16, 16), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header claiming 10 gigapixels, with a few bytes of compressed zeros."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * (1 + (width + 7) // 8) * 8, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def xlsx(extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook package: [Content_Types].xml and xl/ parts (ECMA-376 Part 2)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        archive.writestr(
            "xl/worksheets/sheet1.xml", "<worksheet>" + "<row/>" * 100 + "</worksheet>"
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx_bomb() -> bytes:
    """A workbook whose sheet inflates 300 MB of zeros from about 300 kB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(300):
                member.write(block)
    return out.getvalue()


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def pdf_page(colour: tuple[float, float, float] = (0.9, 0.1, 0.1)) -> bytes:
    """A one-page A4 PDF made with reportlab (the labels' PDF library): the left half of the
    page a filled rectangle of ``colour``, the right half white, and a line of Vietnamese."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)  # the same bytes every time
    width, height = A4
    canvas.setFillColorRGB(*colour)
    canvas.rect(0, 0, width / 2, height, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawString(width / 2 + 20, height / 2, "Hoa don 0042")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def pdf_truncated() -> bytes:
    """A real PDF cut after its first 300 bytes: the signature is right, the rest is missing."""
    return pdf_page()[:300]


@functools.cache
def pdf_image_bomb(width: int = 10_000, height: int = 8_000) -> bytes:
    """A one-page PDF drawing an 8-bit greyscale image of ``width`` x ``height`` pixels (80 MP
    by default, past the 50 MP cap; 80 MB once inflated) from about 80 kilobytes of deflated
    zeros (ISO 32000-1 §8.9.5)."""
    deflate = zlib.compressobj(6)
    block = b"\x00" * (16 * 1024 * 1024)
    total, parts = width * height, []
    for start in range(0, total, len(block)):
        parts.append(deflate.compress(block[: min(len(block), total - start)]))
    body = b"".join(parts) + deflate.flush()
    content = b"q 500 0 0 500 50 50 cm /Im1 Do Q"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 600 600]"
        b"/Resources<</XObject<</Im1 5 0 R>>>>/Contents 4 0 R>>",
        b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
        b"<</Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceGray"
        b"/BitsPerComponent 8/Filter/FlateDecode/Length %d>>stream\n"
        % (width, height, len(body))
        + body
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def stored_files() -> list[str]:
    """Every file under ``documents/`` in the vault's storage, sorted: compared before and after
    a refused upload, it shows that nothing reached the disk."""
    from logitrack.documents import vault

    storage = vault.storage()
    found: list[str] = []

    def walk(path: str) -> None:
        if not storage.exists(path):
            return
        dirs, files = storage.listdir(path)
        found.extend(f"{path}/{name}" for name in files)
        for name in dirs:
            walk(f"{path}/{name}")

    walk("documents")
    return sorted(found)
