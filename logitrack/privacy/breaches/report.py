"""The breach report to the authority: a Vietnamese PDF following the notification form.

Addressed to the Ministry of Public Security (Bộ Công an), Department of Cybersecurity and
High-tech Crime Prevention (Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao,
A05), which receives breach notifications within 72 hours under Law 91/2025/QH15 and Decree
356/2025/ND-CP. The sections follow the breach-notification form of the decree as far as we could
establish it (docs/adr/0036): the organisation, the contact person responsible for data
protection, a description of the breach (time, place, nature), the categories of data, the
approximate numbers of people and records, the likely consequences, the measures taken, and the
timing against the 72-hour deadline, with the reason for any delay. Always in Vietnamese, the
language of the authority, whatever the officer's own.

Typeset with reportlab in Be Vietnam Pro, the font of the shipping labels
(``logitrack.logistics.labels.fonts``), embedded as a subset.
"""

from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from logitrack.logistics.labels.fonts import PDF_NAMES, register_pdf_fonts
from logitrack.privacy.breaches.models import Breach
from logitrack.privacy.breaches.selectors import AffectedSummary, breach_summary, breach_timer

AUTHORITY = "Bộ Công an (Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao, A05)"
FORM_NOTE = (
    "Theo mẫu Thông báo vi phạm quy định về bảo vệ dữ liệu cá nhân, Nghị định số 356/2025/NĐ-CP"
)

# Vietnamese names of the categories the inventory uses most; other keys are printed as they are.
CATEGORY_VI: dict[str, str] = {
    "user": "Dữ liệu cá nhân (mọi loại)",
    "user.name": "Họ và tên",
    "user.contact": "Thông tin liên hệ",
    "user.contact.email": "Địa chỉ thư điện tử",
    "user.contact.phone_number": "Số điện thoại",
    "user.contact.address": "Địa chỉ",
    "user.contact.address.street": "Địa chỉ (số nhà, đường)",
    "user.contact.address.state": "Tỉnh, thành phố",
    "user.location": "Dữ liệu vị trí (nhạy cảm)",
    "user.location.precise": "Vị trí chính xác (nhạy cảm)",
    "user.location.imprecise": "Vị trí gần đúng (nhạy cảm)",
    "user.financial": "Thông tin tài chính (nhạy cảm)",
    "user.financial.payment_history": "Lịch sử thanh toán (nhạy cảm)",
    "user.sensor.camera_image": "Hình ảnh camera (nhạy cảm)",
    "user.content": "Nội dung do người dùng nhập",
    "user.unique_id": "Mã định danh",
    "user.authorization.credentials": "Thông tin đăng nhập",
    "user.device.ip_address": "Địa chỉ IP",
    "user.demographic.date_of_birth": "Ngày sinh",
    "business": "Dữ liệu doanh nghiệp",
}
KIND_VI = {
    "user": "Người dùng có tài khoản",
    "consignee": "Người nhận hàng",
    "driver": "Tài xế",
    "shipper": "Người gửi hàng (liên hệ)",
}


def _vn(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value, timezone.get_fixed_timezone(7 * 60))
    return local.strftime("%H:%M ngày %d/%m/%Y (GMT+7)")


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _styles() -> dict[str, ParagraphStyle]:
    register_pdf_fonts()
    regular, bold = PDF_NAMES["regular"], PDF_NAMES["bold"]
    return {
        "body": ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=15),
        "bold": ParagraphStyle("bold", fontName=bold, fontSize=10.5, leading=15),
        "center": ParagraphStyle("center", fontName=bold, fontSize=10.5, leading=15, alignment=1),
        "title": ParagraphStyle("title", fontName=bold, fontSize=14, leading=20, alignment=1),
        "note": ParagraphStyle("note", fontName=regular, fontSize=9, leading=12, alignment=1),
        "h": ParagraphStyle("h", fontName=bold, fontSize=11, leading=16, spaceBefore=6),
    }


def report_lines(breach: Breach, summary: AffectedSummary | None = None) -> list[tuple[str, str]]:
    """The report as (heading, text) pairs, in order: what the PDF prints, testable as text."""
    summary = summary or breach_summary(breach)
    timer = breach_timer(breach)
    officer = breach.registered_by
    categories = "\n".join(f"- {CATEGORY_VI.get(c, c)} ({c})" for c in breach.categories)
    kinds = "\n".join(
        f"- {KIND_VI.get(kind, kind)}: {count}" for kind, count in sorted(summary.by_kind.items())
    )
    delay = ""
    if timer.overdue:
        delay = (
            "\nThông báo được gửi sau thời hạn 72 giờ; lý do chậm trễ được nêu tại mục Biện pháp."
        )
    return [
        (
            "1. Thông tin về tổ chức",
            f"Tên tổ chức: {settings.LOGITRACK_OPERATOR_NAME}\n"
            f"Địa chỉ trụ sở chính: {settings.LOGITRACK_OPERATOR_ADDRESS or '—'}\n"
            f"Mã số doanh nghiệp: {settings.LOGITRACK_OPERATOR_TAX_CODE or '—'}\n"
            "Vai trò: bên kiểm soát và xử lý dữ liệu cá nhân",
        ),
        (
            "2. Người chịu trách nhiệm bảo vệ dữ liệu cá nhân, đầu mối liên hệ",
            f"Họ và tên: {officer.full_name}\n"
            "Chức vụ: Cán bộ phụ trách bảo vệ dữ liệu cá nhân\n"
            f"Thư điện tử: {settings.LOGITRACK_PRIVACY_CONTACT_EMAIL}",
        ),
        (
            "3. Mô tả vi phạm",
            f"Thời điểm phát hiện: {_vn(breach.discovered_at)}\n"
            f"Thời gian xảy ra: từ {_vn(breach.occurred_from)} đến {_vn(breach.occurred_until)}\n"
            f"Tính chất vi phạm: {breach.nature}\n"
            f"Mô tả: {breach.description}",
        ),
        ("4. Loại dữ liệu cá nhân bị ảnh hưởng", categories),
        (
            "5. Số lượng chủ thể dữ liệu và bản ghi bị ảnh hưởng (ước tính)",
            f"Số chủ thể dữ liệu theo ước tính ban đầu: {breach.approx_subjects}\n"
            f"Số chủ thể dữ liệu xác định từ hệ thống: {summary.people}\n"
            f"{kinds}\n"
            f"Số bản ghi theo ước tính ban đầu: {breach.approx_records}\n"
            f"Số bản ghi xác định từ hệ thống: {summary.records}\n"
            f"Số khách hàng doanh nghiệp có dữ liệu bị ảnh hưởng: {len(summary.tenants)}",
        ),
        ("6. Hậu quả, thiệt hại có thể xảy ra", breach.consequences or "—"),
        (
            "7. Biện pháp đã và sẽ thực hiện để khắc phục, giảm thiểu tác hại",
            breach.measures or "—",
        ),
        (
            "8. Thời hạn thông báo",
            f"Thời hạn 72 giờ kể từ khi phát hiện: {_vn(timer.due_at)}\n"
            f"Thời điểm lập thông báo: {_vn(timezone.now())}{delay}",
        ),
    ]


def authority_report_pdf(breach: Breach) -> bytes:
    """The PDF bytes of the report (A4, Vietnamese)."""
    styles = _styles()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"Thông báo vi phạm dữ liệu cá nhân số {breach.pk}",
        author=settings.LOGITRACK_OPERATOR_NAME,
    )
    today = timezone.localtime(timezone.now(), timezone.get_fixed_timezone(7 * 60))
    header = Table(
        [
            [
                _p(settings.LOGITRACK_OPERATOR_NAME.upper(), styles["center"]),
                _p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles["center"]),
            ],
            ["", _p("Độc lập - Tự do - Hạnh phúc", styles["center"])],
            [
                _p(f"Số: {breach.pk}/{today.year}/TB-VPDL", styles["body"]),
                _p(
                    f"Ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
                    styles["body"],
                ),
            ],
        ],
        colWidths=[65 * mm, 100 * mm],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[object] = [
        header,
        Spacer(1, 8 * mm),
        _p("THÔNG BÁO", styles["title"]),
        _p("VI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN", styles["title"]),
        _p(FORM_NOTE, styles["note"]),
        Spacer(1, 5 * mm),
        _p(f"Kính gửi: {AUTHORITY}", styles["bold"]),
        Spacer(1, 3 * mm),
        _p(
            f"Thực hiện quy định về bảo vệ dữ liệu cá nhân, {settings.LOGITRACK_OPERATOR_NAME} "
            "thông báo vi phạm quy định về bảo vệ dữ liệu cá nhân như sau:",
            styles["body"],
        ),
    ]
    for heading, text in report_lines(breach):
        story += [_p(heading, styles["h"]), _p(text, styles["body"])]
    story += [
        Spacer(1, 10 * mm),
        _p("ĐẠI DIỆN TỔ CHỨC", styles["center"]),
        _p("(Ký, ghi rõ họ tên, đóng dấu)", styles["note"]),
    ]
    document.build(story)
    return out.getvalue()
