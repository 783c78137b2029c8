"""Failures of the erasure and under-16 services that a caller can act on, each with a code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ErasureError(Exception):
    code = "erasure_error"
    message: StrOrPromise = _("The request could not be completed.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(str(message or self.message))


class ErasureCancelled(ErasureError):
    code = "erasure_cancelled"
    message = _("This erasure was cancelled; nothing was erased.")


class ReportNotAllowed(ErasureError):
    """A reporter who may not report: an API key, or someone outside the person's company."""

    code = "report_not_allowed"
    message = _("Only a person signed in to the same company can report a colleague.")


class ReportWrongState(ErasureError):
    code = "report_wrong_state"
    message = _("This report has already been decided.")


class AccountAlreadySuspended(ErasureError):
    """The reported person's account is already suspended: a second report would change nothing."""

    code = "account_already_suspended"
    message = _(
        "This account is already suspended; Logitrack's privacy officer has the report and its "
        "data will be erased within 24 hours."
    )


class ErasureAlreadyDone(ErasureError):
    code = "erasure_already_done"
    message = _("The data of this account has already been erased; the report cannot be cancelled.")


class ErasuresFailed(ErasureError):
    """The sweep erased what it could; these erasures failed and stay scheduled (ids only)."""

    code = "erasures_failed"

    def __init__(self, *, erased: int, failed: list[int]) -> None:
        self.erased = erased
        self.failed = failed
        super().__init__(f"erased {erased}; failed erasures (ids): {sorted(failed)}")
