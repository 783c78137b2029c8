"""The subscription page, the notification list (mark one or all read) and the bell."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.notifications.errors import NotAllowed, SubscriptionInvalid
from logitrack.notifications.models import Notification, Subscription
from logitrack.notifications.services.subscriptions import SubscriptionChoice, subscriptions_set
from logitrack.notifications.tests.factories import make_geofence
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for, sign_in
from logitrack.tracking.models import Device
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def member() -> Membership:
    return make_member(make_tenant(), Role.DISPATCHER)


@pytest.fixture
def signed_in(client: HttpsClient, member: Membership) -> HttpsClient:
    sign_in(client, member)
    return client


def _subscriptions(member: Membership) -> list[tuple[str, bool, int | None, int | None]]:
    rows = Subscription.dangerously_unscoped.filter(membership=member).order_by("kind")
    return [(row.kind, row.email, row.device_id, row.geofence_id) for row in rows]


def _notify(member: Membership, device: Device, *, read: bool = False) -> Notification:
    with tenant_context(member.tenant_id):
        row: Notification = Notification.objects.create(
            membership=member,
            kind="overspeed",
            source_key=f"overspeed:{device.pk}:{Notification.dangerously_unscoped.count()}",
            device=device,
            occurred_at=dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC),
            speed_kmh=97,
            limit_kmh=80,
            read_at=timezone.now() if read else None,
        )
    return row


def test_a_member_subscribes_with_filters_and_email_on_the_page(
    signed_in: HttpsClient, member: Membership
) -> None:
    device = make_device(member, kind="gps_tracker").device
    fence = make_geofence(member.tenant_id)

    page = signed_in.get("/notifications/subscriptions/")
    assert page.status_code == 200
    assert "Thiết bị đi vào vùng địa lý" in page.content.decode()
    response = signed_in.post(
        "/notifications/subscriptions/",
        {
            "geofence_enter-on": "on",
            "geofence_enter-email": "on",
            "geofence_enter-geofence": fence.pk,
            "device_offline-on": "on",
            "device_offline-device": device.pk,
            "overspeed-email": "on",  # e-mail without "notify me": not subscribed
        },
    )

    assert response.status_code == 302
    assert _subscriptions(member) == [
        ("device_offline", False, device.pk, None),
        ("geofence_enter", True, None, fence.pk),
    ]
    entry = AuditEntry.objects.get(action="notification_subscriptions_changed")
    assert entry.details == {
        "kinds": ["device_offline", "geofence_enter"],
        "email": ["geofence_enter"],
    }

    signed_in.post("/notifications/subscriptions/", {"overspeed-on": "on"})
    assert _subscriptions(member) == [("overspeed", False, None, None)]


def test_another_tenants_device_or_geofence_is_refused_and_nothing_changes(
    signed_in: HttpsClient, member: Membership
) -> None:
    stranger = make_member(make_tenant(), Role.DISPATCHER)
    foreign_device = make_device(stranger, kind="gps_tracker").device
    foreign_fence = make_geofence(stranger.tenant_id)
    signed_in.post("/notifications/subscriptions/", {"overspeed-on": "on"})

    for data in (
        {"device_offline-on": "on", "device_offline-device": foreign_device.pk},
        {"geofence_exit-on": "on", "geofence_exit-geofence": foreign_fence.pk},
    ):
        response = signed_in.post("/notifications/subscriptions/", data)
        assert response.status_code == 422
        assert _subscriptions(member) == [("overspeed", False, None, None)]


def test_the_service_refuses_a_geofence_filter_on_other_kinds_and_people_without_permission(
    member: Membership,
) -> None:
    fence = make_geofence(member.tenant_id)
    with tenant_context(member.tenant_id):
        with pytest.raises(SubscriptionInvalid):
            subscriptions_set(
                principal=principal_for(member),
                choices=[SubscriptionChoice(kind="overspeed", geofence_id=fence.pk)],
            )
        with pytest.raises(SubscriptionInvalid):
            subscriptions_set(
                principal=principal_for(member),
                choices=[
                    SubscriptionChoice(kind="overspeed"),
                    SubscriptionChoice(kind="overspeed"),
                ],
            )
        driver = make_member(member.tenant, Role.DRIVER)
        with pytest.raises(NotAllowed):
            subscriptions_set(
                principal=principal_for(driver), choices=[SubscriptionChoice(kind="overspeed")]
            )
    assert _subscriptions(member) == []
    assert not Subscription.dangerously_unscoped.exists()


def test_a_driver_cannot_subscribe_and_nothing_is_written(
    client: HttpsClient, member: Membership
) -> None:
    driver = make_member(member.tenant, Role.DRIVER)
    sign_in(client, driver)

    response = client.post("/notifications/subscriptions/", {"overspeed-on": "on"})

    assert response.status_code == 403
    assert not Subscription.dangerously_unscoped.exists()
    assert "data-notification-bell" not in client.get("/").content.decode()


def test_the_bell_counts_unread_notifications_and_the_list_marks_them_read(
    signed_in: HttpsClient, member: Membership
) -> None:
    device = make_device(member, kind="gps_tracker").device
    first = _notify(member, device)
    _notify(member, device)
    _notify(member, device, read=True)
    peer = make_member(member.tenant, Role.DISPATCHER)
    _notify(peer, device)

    home = signed_in.get("/").content.decode()
    assert 'data-unread="2"' in home
    assert "2 thông báo chưa đọc" in home

    page = signed_in.get("/notifications/").content.decode()
    assert page.count("data-notification=") == 3
    assert f"{device.name} chạy 97 km/h, vượt giới hạn 80 km/h" in page
    assert "30/11/2026 09:00" in page

    assert signed_in.post(f"/notifications/{first.pk}/read/").status_code == 302
    assert 'data-unread="1"' in signed_in.get("/").content.decode()

    assert signed_in.post("/notifications/read-all/").status_code == 302
    home = signed_in.get("/").content.decode()
    assert 'data-unread="0"' in home
    assert "data-unread-count" not in home
    unread_peer = Notification.dangerously_unscoped.filter(membership=peer, read_at__isnull=True)
    assert unread_peer.count() == 1


def test_marking_a_peers_notification_is_a_404_and_changes_nothing(
    signed_in: HttpsClient, member: Membership
) -> None:
    device = make_device(member, kind="gps_tracker").device
    peer = make_member(member.tenant, Role.DISPATCHER)
    theirs = _notify(peer, device)

    assert signed_in.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_pages_speak_english_to_an_english_speaker(
    client: HttpsClient, member: Membership
) -> None:
    type(member.user).objects.filter(pk=member.user.pk).update(language="en")
    sign_in(client, member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    device = make_device(member, kind="gps_tracker").device
    _notify(member, device)

    page = client.get("/notifications/").content.decode()

    assert f"{device.name} drove at 97 km/h, above the limit of 80 km/h" in page
    assert "1 unread notification." in page
