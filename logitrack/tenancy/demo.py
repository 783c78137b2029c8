"""Demo tenants: two companies, each with one person per account level.

Everything goes through the same services a person would use: the owner signs the company up,
then invites one colleague per account level, who accept and set their own passwords.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from logitrack.accounts.services import email_verify
from logitrack.accounts.tokens import email_verification_token
from logitrack.core.demo import DemoFile
from logitrack.core.mail import outbox_purge_recipient
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.access import access_invitation_by_token
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Role
from logitrack.tenancy.services import invitation_accept, membership_invite, tenant_signup
from logitrack.tenancy.validators import tax_code_check_digit


@dataclass(frozen=True)
class DemoCompany:
    name: str
    slug_hint: str
    tax_head: str  # the first nine digits; the check digit is computed
    industry: str
    street_address: str
    province_code: int
    ward_code: int
    mail_domain: str


COMPANIES = (
    DemoCompany(
        name="Công ty TNHH Vận tải Sông Hồng",
        slug_hint="song-hong",
        tax_head="010123456",
        industry="transport",
        street_address="12 Phố Tràng Tiền",
        province_code=1,
        ward_code=70,
        mail_domain="songhong.demo.logitrack.vn",
    ),
    DemoCompany(
        name="Công ty CP Kho vận Phương Nam",
        slug_hint="phuong-nam",
        tax_head="031440905",
        industry="warehousing",
        street_address="88 Đường Nguyễn Tất Thành",
        province_code=79,
        ward_code=26506,
        mail_domain="phuongnam.demo.logitrack.vn",
    ),
)

FULL_NAMES = {
    Role.OWNER: "Nguyễn Văn An",
    Role.ADMIN: "Trần Thị Bình",
    Role.DISPATCHER: "Lê Minh Châu",
    Role.WAREHOUSE_OPERATOR: "Phạm Quốc Dũng",
    Role.DRIVER: "Hoàng Văn Em",
    Role.ACCOUNTANT: "Võ Thị Giang",
    Role.VIEWER: "Đặng Thu Hà",
}


def _password() -> str:
    # 20 characters from a 64-symbol alphabet: about 120 bits, never on a common list.
    return secrets.token_urlsafe(15)


def _tax_code(head: str) -> str:
    digit = tax_code_check_digit(head)
    if digit is None:
        raise ValueError(f"no check digit exists for {head}")
    return head + str(digit)


def load(demo: DemoFile) -> None:
    for company in COMPANIES:
        users: list[dict[str, str]] = []
        owner_email = f"owner@{company.mail_domain}"
        owner_password = _password()
        signup = tenant_signup(
            company_name=company.name,
            tax_code=_tax_code(company.tax_head),
            industry=company.industry,
            street_address=company.street_address,
            province_code=company.province_code,
            ward_code=company.ward_code,
            data_region="vietnam",
            owner_full_name=FULL_NAMES[Role.OWNER],
            owner_email=owner_email,
            owner_password=owner_password,
            owner_date_of_birth=date(1985, 5, 17),
            privacy_consent=True,
        )
        # The owner's address is a demo one nobody reads: verify it through the link the owner
        # would have clicked, so demo accounts show no "confirm your address" prompts.
        email_verify(token=email_verification_token(signup.user))
        users.append({"email": owner_email, "password": owner_password, "role": Role.OWNER.value})
        owner = Principal.for_membership(signup.user, signup.membership)
        with tenant_context(signup.tenant):
            for role in Role:
                if role == Role.OWNER:
                    continue
                email = f"{role.value.replace('_', '.')}@{company.mail_domain}"
                password = _password()
                created = membership_invite(principal=owner, email=email, role=role)
                invitation = access_invitation_by_token(Principal.anonymous(), created.token)
                invitation_accept(
                    invitation=invitation,
                    user=None,
                    full_name=FULL_NAMES[role],
                    password=password,
                    date_of_birth=date(1990, 1, 1),
                    privacy_consent=True,
                )
                users.append({"email": email, "password": password, "role": role.value})
                # Accepted on the spot: the invitation e-mail's link is already spent, and a
                # developer opening the outbox should not meet a dozen dead links first. The
                # e-mail leaves on commit; the purge is queued after it.
                transaction.on_commit(functools.partial(outbox_purge_recipient, email))
        demo.tenants.append(
            {"name": signup.tenant.name, "slug": signup.tenant.slug, "users": users}
        )
