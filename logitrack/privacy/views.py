"""The privacy policy as Logitrack publishes it: the version in effect, in the reader's language.

The versions themselves (drafts, publication, archive, diff, acceptance) live in
``logitrack.privacy.policies``; this page is the policy's permanent address (``privacy:policy``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from logitrack.core.errors import NotFound
from logitrack.privacy.policies.selectors import current_policy, upcoming_policy
from logitrack.privacy.policies.views import text_language, version_context
from logitrack.tenancy.access import public


@public("everyone may read the privacy policy before signing up")
@require_safe
def policy(request: HttpRequest) -> HttpResponse:
    version = current_policy()
    if version is None:
        # Only a database whose migrations have not run has no version in effect.
        raise NotFound("policy_version_not_found")
    context = version_context(version, text_language(request))
    context["current"] = True
    context["upcoming"] = upcoming_policy()
    return render(request, "policies/version.html", context)
