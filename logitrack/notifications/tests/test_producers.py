"""The producers: geofence events, offline spells and overspeed spells become notifications
once, only for subscribers who may receive them, in their own tenant; e-mails through Django's
mail backend (locmem in tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.notifications.models import EmailDelivery, Notification
from logitrack.notifications.services.producers import producers_run
from logitrack.notifications.tests.factories import (
    LAT,
    LON,
    make_event,
    make_geofence,
    set_overspeed,
    store_positions,
    subscribe,
)
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant
from logitrack.tracking.models import Device
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def _dispatcher() -> tuple[Membership, Device]:
    member = make_member(make_tenant(), Role.DISPATCHER)
    device = make_device(member, kind="gps_tracker").device
    return member, device


def _notifications(member: Membership) -> list[tuple[str, str]]:
    rows = Notification.dangerously_unscoped.filter(membership=member).order_by("pk")
    return [(row.kind, row.source_key) for row in rows]


def _seen(device: Device, when: dt.datetime) -> None:
    Device.dangerously_unscoped.filter(pk=device.pk).update(last_seen_at=when)


Run = Callable[..., Any]


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Run:
    """Run the producers at ``now`` and let on-commit e-mail jobs run (ImmediateBackend)."""

    def _run(now: dt.datetime = NOW) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return producers_run(now=now)

    return _run


# --- Geofence enter and exit ---------------------------------------------------------------------


def test_a_geofence_entry_notifies_the_subscriber_once_on_the_page_and_by_email(run: Run) -> None:
    member, device = _dispatcher()
    fence = make_geofence(member.tenant_id, site_name="Hub Tân Sơn Nhất")
    subscribe(member, "geofence_enter", email=True)
    event = make_event(device, fence, fix_time=NOW - 2 * MINUTE)

    assert run() == 1
    assert run(NOW + MINUTE) == 0

    assert _notifications(member) == [("geofence_enter", f"geofence_event:{event.pk}")]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == [member.user.email]
    assert f"{device.name} đã vào {fence.name} (Hub Tân Sơn Nhất)" in message.subject
    html = str(message.alternatives[0][0])
    for body in (message.body, html):
        assert fence.name in body
        assert "30/11/2026 09:58 (Asia/Ho_Chi_Minh)" in body  # 02:58 UTC
        assert str(LAT) not in body
        assert str(LON) not in body
    delivery = EmailDelivery.dangerously_unscoped.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_the_email_is_in_the_recipients_language_and_time_zone(run: Run) -> None:
    member, device = _dispatcher()
    type(member.user).objects.filter(pk=member.user.pk).update(
        language="en", time_zone="Asia/Tokyo"
    )
    fence = make_geofence(member.tenant_id)
    subscribe(member, "geofence_exit", email=True)
    make_event(device, fence, kind="exit", fix_time=NOW - 2 * MINUTE)

    run()

    assert mail.outbox[0].subject == f"[Logitrack] {device.name} left {fence.name}"
    assert "11:58" in mail.outbox[0].body
    assert "Asia/Tokyo" in mail.outbox[0].body


def test_a_retracted_event_notifies_no_one_and_is_not_looked_at_again(run: Run) -> None:
    member, device = _dispatcher()
    fence = make_geofence(member.tenant_id)
    subscribe(member, "geofence_enter", email=True)
    make_event(device, fence, fix_time=NOW - 2 * MINUTE, retracted=True)

    assert run() == 0
    assert _notifications(member) == []
    assert mail.outbox == []


def test_enter_subscribers_are_not_told_of_exits_and_filters_hold(run: Run) -> None:
    member, device = _dispatcher()
    other_device = make_device(member, kind="phone").device
    fence = make_geofence(member.tenant_id)
    other_fence = make_geofence(member.tenant_id)
    subscribe(member, "geofence_enter", device=device, geofence=fence)
    make_event(device, fence, kind="exit", fix_time=NOW - 5 * MINUTE)
    make_event(other_device, fence, fix_time=NOW - 4 * MINUTE)
    make_event(device, other_fence, fix_time=NOW - 3 * MINUTE)
    wanted = make_event(device, fence, fix_time=NOW - 2 * MINUTE)

    run()

    assert _notifications(member) == [("geofence_enter", f"geofence_event:{wanted.pk}")]


def test_another_tenants_events_and_members_are_never_mixed(run: Run) -> None:
    member, device = _dispatcher()
    stranger, stranger_device = _dispatcher()
    subscribe(member, "geofence_enter")
    subscribe(stranger, "geofence_enter")
    event = make_event(device, make_geofence(member.tenant_id), fix_time=NOW - MINUTE)
    make_event(stranger_device, make_geofence(stranger.tenant_id), fix_time=NOW - MINUTE)

    run()

    assert _notifications(member) == [("geofence_enter", f"geofence_event:{event.pk}")]
    assert len(_notifications(stranger)) == 1
    with tenant_context(member.tenant_id):
        assert {n.device_id for n in Notification.objects.all()} == {device.pk}


@pytest.mark.parametrize("role", [Role.DRIVER, Role.VIEWER, Role.ACCOUNTANT])
def test_a_member_without_the_alerts_permission_receives_nothing(run: Run, role: Role) -> None:
    owner, device = _dispatcher()
    member = make_member(owner.tenant, role)
    subscribe(member, "geofence_enter", email=True)
    make_event(device, make_geofence(owner.tenant_id), fix_time=NOW - MINUTE)

    run()

    assert _notifications(member) == []
    assert mail.outbox == []


def test_an_inactive_person_receives_nothing(run: Run) -> None:
    member, device = _dispatcher()
    type(member.user).objects.filter(pk=member.user.pk).update(is_active=False)
    subscribe(member, "geofence_enter", email=True)
    make_event(device, make_geofence(member.tenant_id), fix_time=NOW - MINUTE)

    run()

    assert _notifications(member) == []


def test_events_derived_long_ago_are_not_notified(run: Run) -> None:
    member, device = _dispatcher()
    subscribe(member, "geofence_enter")
    make_event(device, make_geofence(member.tenant_id), fix_time=NOW - dt.timedelta(hours=25))

    assert run() == 0


def test_a_second_subscriber_is_notified_of_an_event_handled_before_only_if_new(run: Run) -> None:
    member, device = _dispatcher()
    fence = make_geofence(member.tenant_id)
    subscribe(member, "geofence_enter")
    make_event(device, fence, fix_time=NOW - MINUTE)
    run()
    late = make_member(member.tenant, Role.WAREHOUSE_OPERATOR)
    subscribe(late, "geofence_enter")

    run(NOW + MINUTE)

    assert _notifications(late) == []  # the event was handled; no replay of old news
    later = make_event(device, fence, fix_time=NOW + MINUTE)
    run(NOW + 2 * MINUTE)
    assert _notifications(late) == [("geofence_enter", f"geofence_event:{later.pk}")]


# --- Device offline ------------------------------------------------------------------------------


def test_a_device_offline_notifies_once_per_spell_and_again_after_it_came_back(run: Run) -> None:
    member, device = _dispatcher()
    subscribe(member, "device_offline", email=True)
    _seen(device, NOW - 9 * MINUTE)
    assert run() == 0  # within the online window

    assert run(NOW + 2 * MINUTE) == 1
    assert run(NOW + 3 * MINUTE) == 0
    assert run(NOW + 30 * MINUTE) == 0

    _seen(device, NOW + 31 * MINUTE)  # back
    assert run(NOW + 32 * MINUTE) == 0
    assert run(NOW + 42 * MINUTE) == 1

    assert [kind for kind, _key in _notifications(member)] == ["device_offline"] * 2
    assert len(mail.outbox) == 2
    assert "mất kết nối" in mail.outbox[0].subject


def test_offline_skips_disabled_devices_readers_and_never_seen_devices(run: Run) -> None:
    member, device = _dispatcher()
    subscribe(member, "device_offline")
    reader = make_device(member, kind="rfid_reader").device
    never = make_device(member, kind="phone").device
    _seen(reader, NOW - dt.timedelta(hours=1))
    _seen(device, NOW - dt.timedelta(hours=1))
    Device.dangerously_unscoped.filter(pk=device.pk).update(enabled=False)

    assert run() == 0
    assert never.last_seen_at is None


# --- Overspeed -----------------------------------------------------------------------------------


def _drive(device: Device, speeds: list[float | None], start: dt.datetime) -> None:
    """One fix every 10 s moving ~ the speed given, northwards from the depot."""
    fixes = []
    lat = LAT
    for index, kmh in enumerate(speeds):
        fixes.append((start + dt.timedelta(seconds=10 * index), lat, LON, kmh))
        lat += ((kmh or 30) / 3.6 * 10) / 111_000
    store_positions(device, fixes)


def test_overspeed_notifies_once_per_spell_not_per_position(run: Run) -> None:
    member, device = _dispatcher()
    set_overspeed(member.tenant_id, 80)
    subscribe(member, "overspeed", email=True)
    _drive(device, [60, 90, 95, 92, 78, 86, 70, 97, 50], NOW - 5 * MINUTE)

    assert run() == 2
    assert run(NOW + MINUTE) == 0

    rows = Notification.dangerously_unscoped.filter(membership=member).order_by("occurred_at")
    assert [(row.speed_kmh, row.limit_kmh) for row in rows] == [(90, 80), (97, 80)]
    assert "97 km/h" in mail.outbox[1].subject
    assert "80 km/h" in mail.outbox[1].subject


def test_an_overspeed_spell_continues_across_runs(run: Run) -> None:
    member, device = _dispatcher()
    set_overspeed(member.tenant_id, 80)
    subscribe(member, "overspeed")
    _drive(device, [60, 90, 95], NOW - 3 * MINUTE)
    assert run() == 1

    _drive(device, [96, 99, 94], NOW + 10 * dt.timedelta(seconds=1))
    assert run(NOW + MINUTE) == 0


def test_an_implausible_fix_does_not_count_as_overspeed(run: Run) -> None:
    member, device = _dispatcher()
    set_overspeed(member.tenant_id, 80)
    subscribe(member, "overspeed")
    start = NOW - 3 * MINUTE
    store_positions(
        device,
        [
            (start, LAT, LON, 40.0),
            (start + dt.timedelta(seconds=10), LAT + 2.0, LON, 300.0),  # 220 km in 10 s
            (start + dt.timedelta(seconds=20), LAT + 0.0001, LON, 40.0),
        ],
    )

    assert run() == 0


def test_overspeed_is_off_while_the_tenant_sets_no_limit(run: Run) -> None:
    member, device = _dispatcher()
    set_overspeed(member.tenant_id, None)
    subscribe(member, "overspeed")
    _drive(device, [120, 130], NOW - 2 * MINUTE)

    assert run() == 0


# --- E-mail delivery log -------------------------------------------------------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_mail_server_failure_is_logged_retried_and_given_up_after_three_attempts(
    run: Run, settings: Any
) -> None:
    member, device = _dispatcher()
    subscribe(member, "geofence_enter", email=True)
    make_event(device, make_geofence(member.tenant_id), fix_time=NOW - MINUTE)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2

    run()
    delivery = EmailDelivery.dangerously_unscoped.get()
    assert (delivery.status, delivery.attempts, delivery.error) == (
        "pending",
        1,
        "ConnectionRefusedError",
    )
    run(timezone.now())  # too soon to queue again (the log's times are wall-clock times)
    delivery.refresh_from_db()
    assert delivery.attempts == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run(timezone.now() + 10 * MINUTE)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, "")
    assert len(mail.outbox) == 1
    assert Notification.dangerously_unscoped.count() == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    make_event(device, make_geofence(member.tenant_id), fix_time=NOW)
    run(NOW + MINUTE)
    for minutes in (10, 20, 30):
        run(timezone.now() + minutes * MINUTE)
    failed = EmailDelivery.dangerously_unscoped.exclude(pk=delivery.pk).get()
    assert (failed.status, failed.attempts) == ("failed", 3)
    assert len(mail.outbox) == 1
