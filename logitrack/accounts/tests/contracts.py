"""Isolation contracts of the accounts routes, for tests/isolation (see contract.py there).

These routes act on the signed-in person, not on a tenant (``permission=None``): every account
level may use them, anonymous requests are refused, and an id that is not the person's own
(another person's session, or none at all) is answered 404. Registered by importing this module
from ``tests/isolation/contracts.py``.
"""

from __future__ import annotations

from typing import Any

from tests.isolation.contract import MISSING_ID, Contract, contract
from tests.isolation.world import World


def _profile_body(world: World, pk: int | None) -> dict[str, Any]:
    return {"full_name": "Người Thử", "phone": "", "language": "vi", "time_zone": "Asia/Bangkok"}


def _wrong_password_body(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "current_password": "not the password",
        "new_password1": "mountain lantern bamboo river",
        "new_password2": "mountain lantern bamboo river",
    }


def _someone_elses_session(world: World, side: str) -> int:
    """A session of a person of tenant ``side`` who is not the one making the request."""
    from logitrack.accounts.models import UserSession
    from logitrack.tenancy.roles import Role

    person = world.side(side).users[Role.VIEWER if side == "b" else Role.OWNER]
    row = UserSession.objects.create(user=person, key_hash=f"{side}{person.pk:063d}")
    return int(row.pk)


def _session_exists(pk: int) -> bool:
    from logitrack.accounts.models import UserSession

    return UserSession.objects.filter(pk=pk).exists()


def _page(route: str, method: str, path: str, **extra: Any) -> None:
    contract(Contract(route=route, method=method, permission=None, path=lambda pk: path, **extra))


_page("accounts:profile", "GET", "/account/")
_page("accounts:profile", "POST", "/account/", body=_profile_body, ok=frozenset({302}))
_page("accounts:password_change", "GET", "/account/password/")
_page("accounts:password_change", "POST", "/account/password/", body=_wrong_password_body)
_page("accounts:sessions", "GET", "/account/sessions/")
_page(
    "accounts:session_revoke_others",
    "POST",
    "/account/sessions/revoke-others/",
    ok=frozenset({302}),
)
_page("accounts:verify_email_resend", "POST", "/account/verify-email/resend/", ok=frozenset({302}))
# Only ids that are not the requester's own exist in this world, so every level gets 404.
contract(
    Contract(
        route="accounts:session_revoke",
        method="POST",
        permission=None,
        path=lambda pk: f"/account/sessions/{pk if pk is not None else MISSING_ID}/revoke/",
        snapshot=_session_exists,
        ok=frozenset({404}),
    )
)

_api = "/api/v1/me"
contract(Contract(route="api-1:me_get", method="GET", permission=None, path=lambda pk: _api))
contract(
    Contract(
        route="api-1:me_patch",
        method="PATCH",
        permission=None,
        path=lambda pk: _api,
        body=lambda world, pk: {"time_zone": "Asia/Bangkok"},
        json=True,
    )
)
contract(
    Contract(
        route="api-1:me_password",
        method="POST",
        permission=None,
        path=lambda pk: _api + "/password",
        body=lambda world, pk: {"current_password": "nope", "new_password": "x" * 20},
        json=True,
        ok=frozenset({400}),
    )
)
contract(
    Contract(
        route="api-1:me_sessions", method="GET", permission=None, path=lambda pk: _api + "/sessions"
    )
)
contract(
    Contract(
        route="api-1:me_session_revoke",
        method="DELETE",
        permission=None,
        path=lambda pk: f"{_api}/sessions/{pk if pk is not None else MISSING_ID}",
        make=_someone_elses_session,
        snapshot=_session_exists,
        # "own" is tenant A's owner's session: the owner ends it (204), anyone else gets 404.
        ok=frozenset({204, 404}),
    )
)
