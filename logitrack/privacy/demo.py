"""Demo staff: Logitrack's own privacy officers, so a fresh ``make run`` can walk the policy
versions, the breach register and the disclosure log, whose approvals need a second officer."""

from __future__ import annotations

import secrets

from logitrack.accounts.models import User
from logitrack.core.demo import DemoFile

OFFICERS = (
    ("privacy.officer@demo.logitrack.vn", "Phạm Thu Hà"),
    ("privacy.officer2@demo.logitrack.vn", "Đỗ Minh Quân"),
)


def load(demo: DemoFile) -> None:
    """Two privacy officers with random passwords, listed under ``staff`` in demo.json."""
    for email, name in OFFICERS:
        password = secrets.token_urlsafe(15)
        User.objects.create_user(
            email=email,
            password=password,
            full_name=name,
            platform_role=User.PlatformRole.PRIVACY_OFFICER,
        )
        demo.staff.append(
            {"email": email, "password": password, "role": User.PlatformRole.PRIVACY_OFFICER.value}
        )
