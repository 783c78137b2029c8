"""Address pickers and the resolver for forms: /api/v1/addresses/.

- ``GET /addresses/provinces``: the 34 provinces, in Vietnamese order;
- ``GET /addresses/provinces/{code}/communes``: a province's communes/wards (404
  ``province_not_found``);
- ``POST /addresses/resolve``: free text or split columns to a 2025 commune (200), or 422
  ``{"error": {"code": "address_ambiguous" | ..., "message", "candidates": [...]}}``, never a
  guess (ADR 0020).

They need ``operations.view``: the order forms of the web pages call them with a session, and a
partner's API key calls them to find the ``ward_code`` an order needs. Drivers lack the
permission and get 403. They read reference data only and hold no tenant data.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Router

from logitrack.addresses import AddressUnresolved, address_resolve
from logitrack.addresses.schemas import ResolvedOut, ResolveIn, UnitOut, UnresolvedOut
from logitrack.core.errors import NotFound
from logitrack.core.ids import Id
from logitrack.tenancy.access import requires
from logitrack.tenancy.geography import province_choices, ward_choices
from logitrack.tenancy.roles import Permission

router = Router(tags=["addresses"])


@router.get(
    "/provinces",
    response=list[UnitOut],
    url_name="addresses_provinces",
    summary="The 34 provinces and cities (2025 units), for pickers",
)
@requires(Permission.OPERATIONS_VIEW)
def provinces(request: HttpRequest) -> list[UnitOut]:
    return [UnitOut(code=code, name=name) for code, name in province_choices()]


@router.get(
    "/provinces/{int:province_code}/communes",
    response=list[UnitOut],
    url_name="addresses_communes",
    summary="The communes and wards of a province (2025 units), for pickers",
)
@requires(Permission.OPERATIONS_VIEW)
def communes(request: HttpRequest, province_code: Id) -> list[UnitOut]:
    items = ward_choices(province_code)
    if not items:
        raise NotFound("province_not_found")
    return [UnitOut(code=code, name=name) for code, name in items]


@router.post(
    "/resolve",
    response={200: ResolvedOut, 422: UnresolvedOut},
    url_name="addresses_resolve",
    summary="Resolve a free-text or pre-2025 address to a 2025 commune and province",
)
@requires(Permission.OPERATIONS_VIEW)
def resolve(request: HttpRequest, payload: ResolveIn) -> ResolvedOut | JsonResponse:
    try:
        found = address_resolve(
            payload.text,
            province=payload.province,
            district=payload.district,
            commune=payload.commune,
        )
    except AddressUnresolved as exc:
        error = {
            "code": exc.code,
            "message": exc.message,
            "candidates": [
                {"ward_code": c.ward_code, "province_code": c.province_code, "label": c.label}
                for c in exc.candidates
            ],
        }
        return JsonResponse({"error": error}, status=422, json_dumps_params={"ensure_ascii": False})
    return ResolvedOut(
        street=found.street,
        ward_code=found.ward_code,
        ward_name=found.ward_name,
        province_code=found.province_code,
        province_name=found.province_name,
        new_form=found.new_form(),
        legacy_text=found.legacy_text,
        legacy_form=found.legacy_form(),
    )
