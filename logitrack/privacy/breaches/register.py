"""The partners Logitrack ships configured to use, as code: the seed of the partners register.

``logitrack partners_seed`` (run by ``make run``) writes these rows when missing; the privacy
officer maintains them from then on (/staff/privacy/partners/). The data map (docs/datamap.md)
lists, for each data category, the partners below that receive it, so the published map and the
register start from the same list.

Sources: ``EMAIL_HOST`` (config/settings/base.py) is the SMTP relay every e-mail leaves through;
``DATABASE_URL``/``DATA_DIR`` and ``REDIS_URL`` live on the operator's hosting;
``LOGITRACK_DOCUMENT_STORAGE`` may name S3-compatible storage (django-storages); tenants hand
shipment details to the carriers they book. Logitrack sends no SMS and loads no map tiles
(no such setting exists), so neither kind is seeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class DeclaredPartner:
    key: str
    name_vi: str
    name_en: str
    kind: str
    role: str
    country: str
    purpose_vi: str
    purpose_en: str
    categories: tuple[str, ...]
    configured_by: str = ""
    active: bool = True


_CONSIGNEE_SHIPMENT = (
    "user.name",
    "user.contact.phone_number",
    "user.contact.address",
    "user.content",
)

DECLARED_PARTNERS: tuple[DeclaredPartner, ...] = (
    DeclaredPartner(
        key="hosting",
        name_vi="Nhà cung cấp máy chủ (trung tâm dữ liệu tại Việt Nam do đơn vị vận hành chọn)",
        name_en="Hosting provider (data centre in Viet Nam chosen by the operator)",
        kind="hosting",
        role="processor",
        country="VN",
        purpose_vi="Chạy máy chủ, cơ sở dữ liệu và bản sao lưu của Logitrack.",
        purpose_en="Runs Logitrack's servers, database and backups.",
        categories=("user", "business"),
        configured_by="DATABASE_URL",
    ),
    DeclaredPartner(
        key="smtp-relay",
        name_vi="Máy chủ chuyển tiếp thư (máy chủ SMTP tại EMAIL_HOST)",
        name_en="E-mail relay (SMTP server at EMAIL_HOST)",
        kind="email",
        role="processor",
        country="VN",
        purpose_vi="Gửi thư giao dịch: đăng nhập, mật khẩu, lời mời, thông báo sự cố.",
        purpose_en="Delivers transactional e-mail: sign-in, passwords, invitations, notices.",
        categories=("user.name", "user.contact.email"),
        configured_by="EMAIL_HOST",
    ),
    DeclaredPartner(
        key="object-storage",
        name_vi="Kho lưu trữ đối tượng tương thích S3 (khi LOGITRACK_DOCUMENT_STORAGE chỉ định)",
        name_en="S3-compatible object storage (when LOGITRACK_DOCUMENT_STORAGE names one)",
        kind="storage",
        role="processor",
        country="VN",
        purpose_vi="Lưu tệp đã mã hoá: ảnh vận đơn, bằng chứng giao hàng, hoá đơn.",
        purpose_en="Stores encrypted files: waybill images, proofs of delivery, invoices.",
        categories=("user.sensor.camera_image", "user.content", "user.name"),
        configured_by="LOGITRACK_DOCUMENT_STORAGE",
        active=False,
    ),
    DeclaredPartner(
        key="carriers",
        name_vi="Đơn vị vận chuyển do doanh nghiệp thuê",
        name_en="Carriers booked by a tenant",
        kind="carrier",
        role="recipient",
        country="VN",
        purpose_vi="Giao hàng: nhận tên, số điện thoại và địa chỉ của người nhận.",
        purpose_en="Deliver parcels: receive the consignee's name, phone number and address.",
        categories=_CONSIGNEE_SHIPMENT,
    ),
)


def category_covers(partner_category: str, category: str) -> bool:
    """Whether a partner declared for ``partner_category`` receives ``category``: the same key
    or a key below it in the Fides taxonomy (``user`` covers ``user.contact.email``)."""
    return category == partner_category or category.startswith(partner_category + ".")


def recipients_by_category(
    categories: Iterable[str], partners: Iterable[DeclaredPartner] = DECLARED_PARTNERS
) -> dict[str, list[str]]:
    """For each category, the (English) names of the active partners that receive it, in
    register order."""
    active = [p for p in partners if p.active]
    return {
        category: [
            p.name_en for p in active if any(category_covers(c, category) for c in p.categories)
        ]
        for category in categories
    }
