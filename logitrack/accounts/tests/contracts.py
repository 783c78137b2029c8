"""Isolation contracts of the accounts routes, for tests/isolation (see contract.py there).

These routes act on the signed-in person, not on a tenant (``permission=None``): every account
level may use them, anonymous requests are refused, and an id that is not the person's own
(another person's session, or none at all) is answered 404. Registered by importing this module
from ``tests/isolation/contracts.py``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from tests.isolation.contract import MISSING_ID, Contract, contract
from tests.isolation.world import World

if TYPE_CHECKING:
    from logitrack.accounts.models import User

_serial = itertools.count(1)


def _profile_body(world: World, pk: int | None) -> dict[str, Any]:
    return {"full_name": "Người Thử", "phone": "", "language": "vi", "time_zone": "Asia/Bangkok"}


def _wrong_password_body(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "current_password": "not the password",
        "new_password1": "mountain lantern bamboo river",
        "new_password2": "mountain lantern bamboo river",
    }


def _session_of(world: World, person: User) -> int:
    """A signed-in session of ``person`` (the requester, a peer of tenant A, or one of B)."""
    from logitrack.accounts.models import UserSession

    row = UserSession.objects.create(user=person, key_hash=f"{next(_serial):064d}")
    return int(row.pk)


def _session_exists(pk: int) -> bool:
    from logitrack.accounts.models import UserSession

    return UserSession.objects.filter(pk=pk).exists()


def _page(route: str, method: str, path: str, **extra: Any) -> None:
    contract(Contract(route=route, method=method, permission=None, path=lambda pk: path, **extra))


_page("accounts:profile", "GET", "/account/")
_page("accounts:profile", "POST", "/account/", body=_profile_body, ok=302)
_page("accounts:password_change", "GET", "/account/password/")
_page("accounts:password_change", "POST", "/account/password/", body=_wrong_password_body)
_page("accounts:sessions", "GET", "/account/sessions/")
_page(
    "accounts:session_revoke_others",
    "POST",
    "/account/sessions/revoke-others/",
    ok=302,
)
_page("accounts:verify_email_resend", "POST", "/account/verify-email/resend/", ok=302)
# Sessions are a person's own: "own" is the requester's session (ended, 302 back to the list);
# a peer's of the same tenant, another tenant's person's and a missing id answer 404.
contract(
    Contract(
        route="accounts:session_revoke",
        method="POST",
        permission=None,
        path=lambda pk: f"/account/sessions/{pk if pk is not None else MISSING_ID}/revoke/",
        make_for=_session_of,
        snapshot=_session_exists,
        ok=302,
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
        ok=400,
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
        make_for=_session_of,
        snapshot=_session_exists,
        ok=204,
    )
)
