"""The session engine (``SESSION_ENGINE``): Django's database sessions, keyed by a keyed hash.

Django's own database engine stores the session key, which is the cookie's value, as the row's
primary key: whoever reads the table (a copied database file, a backup, a replica) holds every
live session. This engine stores ``session_key_digest(key)`` instead, so the table no longer
hands out sessions: presenting a stored value as a cookie looks up its digest, which matches
nothing.

The digest is HMAC-SHA256 (RFC 2104) under a key derived from SECRET_KEY, truncated to 160 bits
(40 hex characters; NIST SP 800-107 §5.3.3 allows truncation to that strength) so that it fits
``django_session.session_key`` (``varchar(40)``) unchanged. A plain hash would be enough against
guessing (the key has ~165 bits of entropy), but the keyed hash also means that the table alone
cannot even confirm a candidate key. ``UserSession.key_hash`` stores the same digest.

Consequence of the key: changing SECRET_KEY ends every session (SECRET_KEY_FALLBACKS does not
keep them, unlike Django's signed cookies). Sessions stored by Django's engine before this one was
deployed are not found and are deleted by migration ``accounts.0002``; their holders sign in again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.utils import timezone
from django.utils.crypto import salted_hmac

DIGEST_SALT = "logitrack.accounts.session_store.session_key_digest"
DIGEST_HEX_CHARS = 40


def session_key_digest(session_key: str) -> str:
    """The stored form of a session key: 40 lowercase hex characters (HMAC-SHA256, truncated)."""
    mac = salted_hmac(DIGEST_SALT, session_key, algorithm="sha256")
    return mac.hexdigest()[:DIGEST_HEX_CHARS]


class SessionStore(db.SessionStore):
    """Django's database session store, with every read and write by ``session_key_digest``.

    ``self.session_key`` stays the raw key (it goes into the cookie); only the database sees the
    digest. Every method of the parent that names a row by its key is overridden here.
    """

    def _get_session_from_db(self) -> AbstractBaseSession | None:
        if self.session_key is None:
            return None
        row: AbstractBaseSession | None = self.model.objects.filter(
            session_key=session_key_digest(self.session_key), expire_date__gt=timezone.now()
        ).first()
        if row is None:
            self._session_key = None
        return row

    async def _aget_session_from_db(self) -> AbstractBaseSession | None:
        if self.session_key is None:
            return None
        row: AbstractBaseSession | None = await self.model.objects.filter(
            session_key=session_key_digest(self.session_key), expire_date__gt=timezone.now()
        ).afirst()
        if row is None:
            self._session_key = None
        return row

    def exists(self, session_key: str) -> bool:
        return bool(self.model.objects.filter(session_key=session_key_digest(session_key)).exists())

    async def aexists(self, session_key: str) -> bool:
        return bool(
            await self.model.objects.filter(session_key=session_key_digest(session_key)).aexists()
        )

    def create_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        # Not in django-stubs, but part of SessionBase since Django 1.x.
        key: str = self._get_or_create_session_key()  # type: ignore[attr-defined]
        row: AbstractBaseSession = self.model(
            session_key=session_key_digest(key),
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
        )
        return row

    async def acreate_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        key: str = await self._aget_or_create_session_key()  # type: ignore[attr-defined]
        row: AbstractBaseSession = self.model(
            session_key=session_key_digest(key),
            session_data=self.encode(data),
            expire_date=await self.aget_expiry_date(),
        )
        return row

    def delete(self, session_key: str | None = None) -> None:
        key = self.session_key if session_key is None else session_key
        if key is None:
            return
        self.model.objects.filter(session_key=session_key_digest(key)).delete()

    async def adelete(self, session_key: str | None = None) -> None:
        key = self.session_key if session_key is None else session_key
        if key is None:
            return
        await self.model.objects.filter(session_key=session_key_digest(key)).adelete()
