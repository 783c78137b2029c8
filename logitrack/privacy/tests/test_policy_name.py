"""The privacy policy has one name everywhere: "Privacy policy" / "Chính sách quyền riêng tư"."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

LOGITRACK = Path(__file__).resolve().parents[2]
VIETNAMESE_NAME = "chính sách quyền riêng tư"
# Names people would take for another document: "security policy", "privacy notice", ...
VIETNAMESE_VARIANTS = re.compile(
    r"chính sách (bảo mật|riêng tư|bảo vệ dữ liệu)|điều khoản bảo mật", re.IGNORECASE
)
ENGLISH_VARIANTS = re.compile(
    r"privacy (notice|statement)|data (protection )?policy|security policy", re.IGNORECASE
)


def _catalogues() -> list[Path]:
    return sorted(LOGITRACK.glob("*/locale/vi/LC_MESSAGES/django.po"))


def test_every_mention_of_the_privacy_policy_uses_its_one_vietnamese_name() -> None:
    wrong = []
    for path in _catalogues():
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            source = message.id if isinstance(message.id, str) else str(message.id[0])
            string = message.string or ""
            target = string if isinstance(string, str) else str(string[0])
            if not source or "privacy policy" not in source.lower():
                continue
            if VIETNAMESE_NAME not in target.lower() or VIETNAMESE_VARIANTS.search(target):
                wrong.append(f"{path.parent.parent.parent.parent.name}: {source!r} -> {target!r}")
    assert wrong == []


def test_no_page_email_or_catalogue_uses_another_name_for_it() -> None:
    files = [
        *_catalogues(),
        *LOGITRACK.glob("*/templates/**/*.html"),
        *LOGITRACK.glob("*/templates/**/*.txt"),
    ]
    wrong = [
        f"{path.relative_to(LOGITRACK)}: {match.group(0)}"
        for path in files
        for match in [
            *VIETNAMESE_VARIANTS.finditer(path.read_text(encoding="utf-8")),
            *ENGLISH_VARIANTS.finditer(path.read_text(encoding="utf-8")),
        ]
    ]
    assert wrong == []
