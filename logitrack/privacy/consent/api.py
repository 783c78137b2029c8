"""The consents API at /api/v1/consents: the current consents of the tenant's consignees and
drivers (``consents.view``), and recording one (``consents.manage``).

Errors leave as ``{"error": {"code", "message"}}``: 404 ``consignee_not_found`` /
``driver_not_found`` for another tenant's or a missing subject, 422 ``purpose_unknown``,
``contact_missing``, ``validation_error`` (a driver without ``subject.id`` among them).
Recording what is already the current choice writes nothing and answers ``changed: false``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from logitrack.core.crypto.canonical import e164
from logitrack.core.errors import error_json
from logitrack.core.pydantic_errors import error_message
from logitrack.privacy.consent import selectors
from logitrack.privacy.consent.access import (
    access_consent_driver_by_id,
    access_consignee_contact_by_id,
)
from logitrack.privacy.consent.errors import ConsentError
from logitrack.privacy.consent.models import SubjectConsentEvent
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.schemas import ConsentIn, ConsentListedOut, ConsentRecordedOut
from logitrack.privacy.consent.services import consents as services
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission

router = Router(tags=["consents"])


def _error(exc: ConsentError) -> JsonResponse:
    fields = None
    if exc.field:
        fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
    return error_json(exc.code, str(exc.message), exc.status, fields=fields)


def _missing(field: str) -> JsonResponse:
    """422 ``validation_error`` naming ``field``, in the shape of the API's own field errors."""
    message = error_message({"type": "missing"})
    fields = [{"field": field, "code": "missing", "message": message}]
    return error_json("validation_error", _("Some fields are invalid."), 422, fields=fields)


def _subject(event: SubjectConsentEvent) -> dict[str, Any]:
    """Whom the row is about, as the tenant holds them: a consignee's contact in the clear (as
    the orders API returns it; null when none was given), a driver's name."""
    if event.driver is not None:
        return {"name": _optional(event.driver.full_name), "email": None, "phone": None}
    contact = event.consignee
    if contact is None:
        return {"name": None, "email": None, "phone": None}
    return {
        "name": _optional(contact.name),
        "email": _optional(contact.email),
        "phone": _optional(contact.phone),
    }


def _optional(value: object) -> str | None:
    # Left out, or an encrypted value whose key was destroyed (reads as None): null.
    return None if value is None or value == "" else str(value)


def _out(
    event: SubjectConsentEvent, subject_kind: str, subject_id: int, *, subject: bool = False
) -> dict[str, Any]:
    return {
        "id": event.pk,
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        **(_subject(event) if subject else {}),
        "purpose": event.purpose,
        "action": event.action,
        "method": event.method,
        "occurred_at": event.occurred_at if event.pk else None,
        "policy_version": event.policy_version,
        "notice_language": event.notice_language,
        "notice_text": event.notice_text,
        "gpc": event.gpc,
        "refused_by_gpc": event.refused_by_gpc,
    }


def _phone(value: str | None) -> str:
    return e164(value) if value else ""


@router.get(
    "",
    response=list[ConsentListedOut],
    url_name="consents_list",
    summary="The current consent of each consignee and driver, per purpose",
)
@requires(Permission.CONSENTS_VIEW)
def consents_list(request: HttpRequest) -> list[dict[str, Any]]:
    rows = selectors.tenant_current_consents(principal=principal_of(request))
    return [
        _out(e, "driver", e.driver_id, subject=True)
        if e.driver_id
        else _out(e, "consignee", e.consignee_id, subject=True)  # type: ignore[arg-type]
        for e in rows
    ]


@router.post(
    "",
    response={200: ConsentRecordedOut},
    url_name="consent_record",
    summary="Record a grant or withdrawal of a consignee or driver",
)
@requires(Permission.CONSENTS_MANAGE)
def consent_record(request: HttpRequest, payload: ConsentIn) -> dict[str, Any] | JsonResponse:
    principal = principal_of(request)
    ref = payload.subject
    subject: Any
    try:
        asking: dict[str, Any] = {
            "actor": principal,
            "purpose": payload.purpose,
            "action": payload.action,
            "method": payload.method,
            "asked": Asked.from_request(request),
            "notice": payload.notice_text,
            "language": payload.language,
        }
        if ref.kind == "driver":
            if ref.id is None:
                return _missing("subject.id")
            subject = access_consent_driver_by_id(principal, ref.id, for_write=True)
            result = services.subject_consent_record(subject=subject, **asking)
        elif ref.id is not None:
            subject = access_consignee_contact_by_id(principal, ref.id, for_write=True)
            result = services.subject_consent_record(subject=subject, **asking)
        else:
            subject, result = services.consignee_consent_record(
                email=ref.email or "", phone=_phone(ref.phone), **asking
            )
    except ConsentError as exc:
        return _error(exc)
    except ValidationError as exc:
        return error_json("phone_invalid", str(exc.messages[0]), 422)
    return {**_out(result.event, ref.kind, subject.pk), "changed": result.changed}
