"""The permission matrix as a Markdown document, generated from ``roles.ROLE_PERMISSIONS``.

``docs/permissions.md`` is this output (``logitrack tenancy permissions --markdown --output
docs/permissions.md``); a test fails when the committed file differs, so the document cannot drift
from the code that enforces it.
"""

from __future__ import annotations

from django.utils import translation

from logitrack.tenancy.roles import API_KEY_FORBIDDEN, ROLE_PERMISSIONS, Permission, Role

COMMAND = "logitrack tenancy permissions --markdown --output docs/permissions.md"


def render_markdown(language: str = "en") -> str:
    with translation.override(language):
        roles = list(Role)
        lines = [
            "# Permissions by account level",
            "",
            f"<!-- Generated from logitrack/tenancy/roles.py by `{COMMAND}`. Do not edit. -->",
            "",
            "Every page and API route declares the one permission it needs "
            "(`logitrack/tenancy/access.py`); this matrix says which account level holds it. "
            "Administrators see the same table, translated, on the company's Permissions page.",
            "",
            "| Permission | Code | " + " | ".join(str(role.label) for role in roles) + " |",
            "| --- | --- | " + " | ".join(":-:" for _role in roles) + " |",
        ]
        for perm in Permission:
            cells = ["✓" if perm in ROLE_PERMISSIONS[role] else "—" for role in roles]
            lines.append(f"| {perm.label} | `{perm.value}` | " + " | ".join(cells) + " |")
        forbidden = ", ".join(f"`{perm.value}`" for perm in Permission if perm in API_KEY_FORBIDDEN)
        lines += [
            "",
            "## Account levels",
            "",
            *(f"- **{role.label}**: `{role.value}`" for role in roles),
            "",
            "## API keys",
            "",
            "An API key acts for one company with the permissions chosen when it was created: "
            "never more than its creator held, and never " + forbidden + ".",
            "",
            "## Granting account levels",
            "",
            "A member with `members.manage` may grant, change or take away only account levels "
            "whose permissions they hold themselves, so only an owner grants or removes the owner "
            "level. A company always keeps at least one owner.",
            "",
        ]
    return "\n".join(lines)
