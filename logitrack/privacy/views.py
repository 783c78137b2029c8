"""The privacy policy as Logitrack publishes it, in the reader's language."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from logitrack.tenancy.access import public

# The wording shipped with this release. Versioned policies, with consent recorded per version,
# replace this constant when the policy-versions feature arrives.
POLICY_VERSION = "1"
POLICY_DATE = "2026-11-24"


@public("everyone may read the privacy policy before signing up")
@require_safe
def policy(request: HttpRequest) -> HttpResponse:
    language = "en" if translation.get_language() == "en" else "vi"
    return render(
        request,
        "privacy/policy.html",
        {
            "body_template": f"privacy/policy_{language}.html",
            "version": POLICY_VERSION,
            "published": POLICY_DATE,
        },
    )
