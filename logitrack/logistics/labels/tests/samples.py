"""Label data used by the label tests: real Vietnamese names and both address forms."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from logitrack.logistics.labels import LabelData, LabelParty

SENDER = LabelParty(
    name="Công ty TNHH Thời Trang Ánh Dương",
    phone="+84 28 3822 1234",
    address_lines=("12 Lê Lợi, Phường Sài Gòn", "Thành phố Hồ Chí Minh"),
)
RECIPIENT = LabelParty(
    name="Nguyễn Thị Ánh Tuyết",
    phone="+84 912 345 678",
    address_lines=("45 Trần Hưng Đạo, Phường Cửa Nam", "Thành phố Hà Nội"),
    legacy_address="45 Trần Hưng Đạo, P. Hàng Bài, Q. Hoàn Kiếm, Hà Nội",
)


def label(**overrides: Any) -> LabelData:
    base = LabelData(
        waybill="LT7K2M9XQ4P8Z",
        tracking_url="https://logitrack.example.vn/t/LT7K2M9XQ4P8Z",
        sender=SENDER,
        recipient=RECIPIENT,
        cod_vnd=1_250_000,
        service="Nhanh",
        weight_g=1250,
        reference="DH-2026-00042",
        parcel_index=1,
        parcel_count=2,
        created_on=date(2026, 11, 29),
        destination="Hà Nội",
    )
    return replace(base, **overrides)


def numbered(count: int) -> list[LabelData]:
    """``count`` labels whose waybills say their position: LT0000001, LT0000002 ..."""
    return [
        label(waybill=f"LT{i:07d}", tracking_url=f"https://logitrack.example.vn/t/LT{i:07d}")
        for i in range(1, count + 1)
    ]


LONG_NAME = "Trương Nguyễn Hoàng Bảo Ngọc Phương Thảo " * 6
LONG_ADDRESS = (
    "Số 1234/56/78 Đường Nguyễn Văn Quá, Khu phố Đông Hưng Thuận, "
    "Phường Đông Hưng Thuận, Thành phố Hồ Chí Minh, "
) * 5
