"""Access to the subjects of a tenant's consents, for request-driven code.

"Missing", "another tenant's" and "not permitted" raise the same ``NotFound``, so ids cannot be
probed. Reading needs ``consents.view``; ``for_write=True`` needs ``consents.manage``.
"""

from __future__ import annotations

from logitrack.core.errors import NotFound
from logitrack.core.tenant import bound_tenant_id
from logitrack.privacy.consent.models import ConsigneeContact, MarketingCampaign
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import Driver


def _tenant_for(principal: Principal, for_write: bool, code: str) -> int:
    permission = Permission.CONSENTS_MANAGE if for_write else Permission.CONSENTS_VIEW
    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(permission) or bound_tenant_id() != tenant_id:
        raise NotFound(code)
    return tenant_id


def access_consignee_contact_by_id(
    principal: Principal, contact_id: int, *, for_write: bool = False
) -> ConsigneeContact:
    """A consignee of the principal's tenant; NotFound("consignee_not_found") otherwise."""
    code = "consignee_not_found"
    tenant_id = _tenant_for(principal, for_write, code)
    found: ConsigneeContact | None = ConsigneeContact.objects.filter(
        pk=contact_id, tenant_id=tenant_id
    ).first()
    if found is None:
        raise NotFound(code)
    return found


def access_consent_driver_by_id(
    principal: Principal, driver_id: int, *, for_write: bool = False
) -> Driver:
    """A driver of the principal's tenant, as a subject of consent (``consents.*``, not
    ``operations.*``); NotFound("driver_not_found") otherwise."""
    code = "driver_not_found"
    tenant_id = _tenant_for(principal, for_write, code)
    found: Driver | None = Driver.objects.filter(pk=driver_id, tenant_id=tenant_id).first()
    if found is None:
        raise NotFound(code)
    return found


def access_campaign_by_id(
    principal: Principal, campaign_id: int, *, for_write: bool = False
) -> MarketingCampaign:
    """A marketing campaign of the principal's tenant; NotFound("campaign_not_found") otherwise."""
    code = "campaign_not_found"
    tenant_id = _tenant_for(principal, for_write, code)
    found: MarketingCampaign | None = MarketingCampaign.objects.filter(
        pk=campaign_id, tenant_id=tenant_id
    ).first()
    if found is None:
        raise NotFound(code)
    return found
