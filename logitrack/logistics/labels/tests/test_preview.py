from __future__ import annotations

import io
import socket

import pytest
import zxingcpp
from PIL import Image

from logitrack.logistics.labels import (
    LABEL_SIZES,
    LabelDataError,
    render_pdf,
    render_preview_png,
    render_zpl,
)
from logitrack.logistics.labels.data import SIZES_MM
from logitrack.logistics.labels.tests.samples import label


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", LABEL_SIZES)
def test_the_preview_is_a_png_of_the_label_size_at_the_resolution(size: str, dpi: int) -> None:
    image = Image.open(io.BytesIO(render_preview_png(label(), size, dpi=dpi)))  # type: ignore[arg-type]
    width, height = SIZES_MM[size]  # type: ignore[index]

    assert image.format == "PNG"
    assert image.size == (round(width * dpi / 25.4), round(height * dpi / 25.4))
    assert tuple(round(v) for v in image.info["dpi"]) == (dpi, dpi)


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_the_symbols_of_the_preview_scan(size: str) -> None:
    image = Image.open(io.BytesIO(render_preview_png(label(), size)))  # type: ignore[arg-type]

    found = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(image)}

    assert found == {
        ("Code128", "LT7K2M9XQ4P8Z"),
        ("QRCode", "https://logitrack.example.vn/t/LT7K2M9XQ4P8Z"),
    }


def test_labels_are_drawn_without_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("no network for labels")

    monkeypatch.setattr(socket.socket, "connect", refuse)

    render_preview_png(label(), "a6")
    render_pdf([label()], "100x150")
    render_zpl([label()], "80x80", dpi=300)

    assert attempts == []


def test_a_preview_resolution_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="dpi"):
        render_preview_png(label(), "a6", dpi=2000)


def test_an_unprintable_preview_is_refused() -> None:
    with pytest.raises(LabelDataError):
        render_preview_png(label(waybill="LT^XA"), "a6")
