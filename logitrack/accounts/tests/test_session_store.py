"""Sessions at rest: the database stores a keyed hash of each session key, never the key."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from logitrack.accounts.models import User, UserSession
from logitrack.accounts.session_store import SessionStore, session_key_digest
from logitrack.accounts.tests.helpers import OTHER_IP, sign_in
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db

COOKIE = settings.SESSION_COOKIE_NAME
# Anything that could be a session key or a stored form of one: runs of cookie-safe characters.
CANDIDATE = re.compile(r"[A-Za-z0-9_-]{20,128}")


def _strings_in_sqlite_copy(tmp_path: Path) -> list[str]:
    """Copy the SQLite database to a file, as a thief would, and read every value back from it."""
    copy = tmp_path / "copied.sqlite3"
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    with sqlite3.connect(copy) as target:
        raw.backup(target)
    with sqlite3.connect(copy) as stolen:
        return list(stolen.iterdump())


def _strings_in_postgresql(tables: list[str]) -> list[str]:
    """Every value of every table, as a dump (pg_dump) of the database would hold them."""
    found: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found.extend(str(value) for row in cursor.fetchall() for value in row)
    return found


def _stored_strings(tmp_path: Path) -> list[str]:
    if connection.vendor == "sqlite":
        return _strings_in_sqlite_copy(tmp_path)
    return _strings_in_postgresql(connection.introspection.table_names())


def _signed_in_browsers(user: User, count: int) -> list[HttpsClient]:
    browsers = []
    for index in range(count):
        browser = HttpsClient()
        assert sign_in(browser, ip=f"203.0.113.{index + 1}").status_code == 302
        browsers.append(browser)
    return browsers


# Committed for real, so that the SQLite file can be copied while no transaction is open.
@pytest.mark.django_db(transaction=True)
def test_a_copied_database_hands_out_no_session(user: User, tmp_path: Path) -> None:
    browsers = _signed_in_browsers(user, 3)
    live_keys = [browser.cookies[COOKIE].value for browser in browsers]
    assert all(browser.get("/account/").status_code == 200 for browser in browsers)

    stored = _stored_strings(tmp_path)
    candidates = {token for text in stored for token in CANDIDATE.findall(text)}
    session_rows = list(Session.objects.values_list("session_key", flat=True))
    signed_in = []
    for token in sorted(candidates):
        thief = HttpsClient()
        thief.cookies[COOKIE] = token
        if thief.get("/account/").status_code != 302 or thief.get("/api/v1/me").status_code != 401:
            signed_in.append(token)

    assert not any(key in text for key in live_keys for text in stored)
    assert set(session_rows) <= candidates
    assert len(session_rows) == 3
    assert signed_in == []


def test_the_session_table_holds_the_keyed_hash_of_each_key(signed_in_client: HttpsClient) -> None:
    key = signed_in_client.cookies[COOKIE].value

    [row] = Session.objects.all()

    assert row.session_key == session_key_digest(key)
    assert row.session_key != key
    assert re.fullmatch(r"[0-9a-f]{40}", row.session_key)
    assert UserSession.objects.get().key_hash == session_key_digest(key)


def test_the_digest_depends_on_the_secret_key() -> None:
    before = session_key_digest("k" * 32)

    with override_settings(SECRET_KEY="another-test-only-key-" + "y" * 40):
        after = session_key_digest("k" * 32)

    assert before != after
    assert len(before) == len(after) == 40


def test_a_new_session_is_saved_loaded_and_found_by_its_key() -> None:
    store = SessionStore()
    store["tenant"] = 7
    store.save()
    key = store.session_key
    assert key is not None

    loaded = SessionStore(key)

    assert loaded.load() == {"tenant": 7}
    assert loaded.exists(key) is True
    assert loaded.exists(session_key_digest(key)) is False
    assert list(Session.objects.values_list("session_key", flat=True)) == [session_key_digest(key)]


def test_saving_again_updates_the_same_row() -> None:
    store = SessionStore()
    store["step"] = 1
    store.save()
    store["step"] = 2
    store.save()

    assert Session.objects.count() == 1
    assert SessionStore(store.session_key).load() == {"step": 2}


def test_the_stored_value_presented_as_a_key_loads_nothing() -> None:
    store = SessionStore()
    store["tenant"] = 7
    store.save()
    stolen = Session.objects.get().session_key

    thief = SessionStore(stolen)

    assert thief.load() == {}
    assert thief.session_key is None
    assert Session.objects.count() == 1


def test_deleting_a_session_removes_its_row_only() -> None:
    kept, gone = SessionStore(), SessionStore()
    kept["n"], gone["n"] = 1, 2
    kept.save()
    gone.save()

    gone.delete()

    assert list(Session.objects.values_list("session_key", flat=True)) == [
        session_key_digest(str(kept.session_key))
    ]


def test_deleting_by_key_removes_that_session() -> None:
    store = SessionStore()
    store["n"] = 1
    store.save()

    SessionStore().delete(store.session_key)

    assert Session.objects.count() == 0


def test_an_expired_session_loads_nothing() -> None:
    store = SessionStore()
    store["n"] = 1
    store.save()
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert SessionStore(store.session_key).load() == {}


def test_clearsessions_deletes_expired_sessions_and_keeps_live_ones() -> None:
    live, expired = SessionStore(), SessionStore()
    live["n"], expired["n"] = 1, 2
    live.save()
    expired.save()
    Session.objects.filter(session_key=session_key_digest(str(expired.session_key))).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    call_command("clearsessions")

    assert list(Session.objects.values_list("session_key", flat=True)) == [
        session_key_digest(str(live.session_key))
    ]
    assert SessionStore(live.session_key).load() == {"n": 1}


def test_a_sign_in_rotates_to_a_new_stored_key(client: HttpsClient, user: User) -> None:
    client.get("/login/")
    assert sign_in(client, ip=OTHER_IP).status_code == 302
    key = client.cookies[COOKIE].value

    assert Session.objects.filter(session_key=session_key_digest(key)).count() == 1
    assert not Session.objects.filter(session_key=key).exists()


async def _async_round_trip() -> tuple[str, dict[str, object], bool, bool, int]:
    store = SessionStore()
    await store.aset("tenant", 9)
    await store.asave()
    key = str(store.session_key)
    loaded = await SessionStore(key).aload()
    found = await store.aexists(key)
    stored_as_key = await store.aexists(session_key_digest(key))
    await SessionStore(key).adelete()
    remaining = await Session.objects.acount()
    return key, loaded, found, stored_as_key, remaining


def test_the_async_methods_store_and_find_the_keyed_hash_too() -> None:
    key, loaded, found, stored_as_key, remaining = async_to_sync(_async_round_trip)()

    assert loaded == {"tenant": 9}
    assert found is True
    assert stored_as_key is False
    assert remaining == 0
    assert len(key) == 32
