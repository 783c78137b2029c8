"""The tenant's RFID de-duplication window on the device settings page."""

from __future__ import annotations

import pytest
from django.test import Client

from logitrack.core.tenant import tenant_context
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for, sign_in
from logitrack.tracking.errors import RfidWindowInvalid
from logitrack.tracking.models import TenantDeviceSettings
from logitrack.tracking.services.settings import tenant_rfid_window_set

pytestmark = pytest.mark.django_db

WINDOW = "/operations/devices/rfid-window/"


def test_the_owner_sets_the_rfid_window_on_the_page_and_it_is_audited(client: Client) -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    sign_in(client, owner)

    response = client.post(WINDOW, {"window_seconds": "3.5"})

    assert response.status_code == 302
    with tenant_context(owner.tenant):
        assert TenantDeviceSettings.objects.get().rfid_dedup_window_ms == 3500
        entry = AuditEntry.objects.get(action="rfid_window_changed")
    assert entry.details == {"before_ms": 2000, "after_ms": 3500}
    page = client.get("/operations/devices/plain-http/").content.decode()
    section = page.split("data-rfid-window", 1)[1].split("</section>", 1)[0]
    assert 'value="3.5"' in section
    assert "data-rfid-window" not in page.split("</title>", 1)[0]


@pytest.mark.parametrize("value", ["0", "0.05", "60.1", "-1", "abc", "1e9", ""])
def test_an_rfid_window_out_of_range_changes_nothing(client: Client, value: str) -> None:
    owner = make_member(make_tenant(), Role.OWNER)

    sign_in(client, owner)

    response = client.post(WINDOW, {"window_seconds": value})

    assert response.status_code == 422
    with tenant_context(owner.tenant):
        assert not TenantDeviceSettings.objects.filter(rfid_dedup_window_ms__gt=2000).exists()
        assert not AuditEntry.objects.filter(action="rfid_window_changed").exists()


def test_the_service_refuses_a_window_the_form_would_not_send() -> None:
    owner = make_member(make_tenant(), Role.OWNER)

    with tenant_context(owner.tenant), pytest.raises(RfidWindowInvalid):
        tenant_rfid_window_set(principal=principal_for(owner), window_ms=60_001)
