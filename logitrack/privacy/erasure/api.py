"""``POST /api/v1/privacy/underage-reports``: a person reports a colleague as under 16.

Acts for a signed-in person (``signed_in``): API keys are refused (a machine cannot make the
report), and a user who is not a member of the company the person is signed in to answers 404
``colleague_not_found``, like a missing one; a colleague already suspended answers 409
``account_already_suspended`` and nothing is written.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Router, Status

from logitrack.core.errors import error_json
from logitrack.privacy.erasure.access import access_colleague_by_id
from logitrack.privacy.erasure.errors import AccountAlreadySuspended
from logitrack.privacy.erasure.schemas import UnderageReportIn, UnderageReportOut
from logitrack.privacy.erasure.services.children import underage_report_by_colleague
from logitrack.tenancy.access import principal_of, signed_in

router = Router(tags=["privacy"])


@router.post(
    "/underage-reports",
    response={201: UnderageReportOut},
    summary="Report a colleague as under 16 (suspends the account at once)",
    url_name="underage_report_create",
)
@signed_in("a person reports a colleague of their own company as under 16")
def underage_report_create(
    request: HttpRequest, payload: UnderageReportIn
) -> Status[UnderageReportOut] | JsonResponse:
    principal = principal_of(request)
    colleague = access_colleague_by_id(principal, payload.user_id)
    assert principal.user is not None  # access_colleague_by_id admits people only
    try:
        report = underage_report_by_colleague(
            reporter=principal.user,
            tenant_id=principal.tenant_id,
            subject=colleague,
            request=request,
        )
    except AccountAlreadySuspended as exc:
        return error_json(exc.code, str(exc), 409)
    erase_after = report.erasure.erase_after if report.erasure is not None else None
    return Status(
        201, UnderageReportOut(id=report.pk, status=report.status, erase_after=erase_after)
    )
