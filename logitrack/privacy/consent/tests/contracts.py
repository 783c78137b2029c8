"""Isolation contracts of the consent routes, for tests/isolation (see contract.py there).

Registered by importing this module from ``tests/isolation/contracts.py``. The unsubscribe link
is public (its signed token is the authority) and is tested in test_pages.py.
"""

from __future__ import annotations

import itertools
from typing import Any

from logitrack.tenancy.roles import Permission
from tests.isolation.contract import Contract, contract
from tests.isolation.world import World

P = Permission
_serial = itertools.count(1)
_v1 = "/api/v1"


def _fixed(path: str) -> Any:
    return lambda pk: path


def _record_form(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "subject_kind": "consignee",
        "email": f"hopdong{next(_serial)}@example.vn",
        "purpose": "marketing_email",
        "action": "grant",
        "method": "paper",
    }


def _purpose_form(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "code": f"muc-dich-{next(_serial)}",
        "name_vi": "Ưu đãi đối tác",
        "name_en": "Partner offers",
        "description_vi": "Ưu đãi của đối tác.",
        "description_en": "Offers of our partners.",
    }


def _record_json(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "subject": {"kind": "consignee", "email": f"api{next(_serial)}@example.vn"},
        "purpose": "marketing_sms",
        "action": "grant",
    }


def _page(route: str, method: str, path: str, permission: Permission | None, **extra: Any) -> None:
    contract(
        Contract(route=route, method=method, permission=permission, path=_fixed(path), **extra)
    )


# A person's own consents: every account level, nobody else's (the form names no person).
_page("consent:mine", "GET", "/account/consents/", None)
_page(
    "consent:mine",
    "POST",
    "/account/consents/",
    None,
    body=lambda world, pk: {"purpose": "usage_analytics", "action": "grant"},
    ok=302,
)
_page("consent:tenant", "GET", "/operations/consents/", P.CONSENTS_VIEW)
_page(
    "consent:tenant-record",
    "POST",
    "/operations/consents/record/",
    P.CONSENTS_MANAGE,
    body=_record_form,
    ok=302,
)
_page(
    "consent:tenant-purpose",
    "POST",
    "/operations/consents/purposes/",
    P.CONSENTS_MANAGE,
    body=_purpose_form,
    ok=302,
)
contract(Contract("api-1:consents_list", "GET", P.CONSENTS_VIEW, _fixed(f"{_v1}/consents")))
contract(
    Contract(
        "api-1:consent_record",
        "POST",
        P.CONSENTS_MANAGE,
        _fixed(f"{_v1}/consents"),
        body=_record_json,
        json=True,
    )
)


# --- marketing campaigns ----------------------------------------------------------------------


def _campaign_form(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "channel": "email",
        "subject_vi": f"Bản tin tháng {next(_serial)}",
        "subject_en": "Monthly newsletter",
        "body_vi": "Ưu đãi giao hàng nhanh.",
        "body_en": "Fast delivery offers.",
        "action": "send",
    }


def _campaign_json(world: World, pk: int | None) -> dict[str, Any]:
    body = _campaign_form(world, pk)
    del body["action"]
    return body


def make_campaign(world: World, side: str) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.privacy.consent.models import MarketingCampaign

    tenant = world.side(side).tenant
    with tenant_context(tenant):
        campaign = MarketingCampaign.objects.create(
            tenant=tenant,
            channel="email",
            subject_vi="Khuyến mãi",
            subject_en="Promotion",
            body_vi="Nội dung.",
            body_en="Text.",
        )
    return int(campaign.pk)


def campaign_state(pk: int) -> Any:
    from logitrack.privacy.consent.models import MarketingCampaign

    return list(MarketingCampaign.dangerously_unscoped.filter(pk=pk).values())


_page("consent:campaigns", "GET", "/operations/campaigns/", P.CONSENTS_VIEW)
_page(
    "consent:campaign-compose",
    "POST",
    "/operations/campaigns/new/",
    P.CONSENTS_MANAGE,
    body=_campaign_form,
    ok=302,
)
contract(
    Contract(
        "consent:campaign",
        "GET",
        P.CONSENTS_VIEW,
        lambda pk: f"/operations/campaigns/{pk}/",
        make=make_campaign,
        snapshot=campaign_state,
    )
)
contract(Contract("api-1:campaigns_list", "GET", P.CONSENTS_VIEW, _fixed(f"{_v1}/campaigns")))
contract(
    Contract(
        "api-1:campaign_get",
        "GET",
        P.CONSENTS_VIEW,
        lambda pk: f"{_v1}/campaigns/{pk}",
        make=make_campaign,
        snapshot=campaign_state,
    )
)
contract(
    Contract(
        "api-1:campaign_create",
        "POST",
        P.CONSENTS_MANAGE,
        _fixed(f"{_v1}/campaigns"),
        body=_campaign_json,
        json=True,
        ok=201,
    )
)
