"""The real URLs plus one page that fails, for the tests of what a page 500 logs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as real_urls
from logitrack.tenancy.access import public


@public("test-only page that fails on purpose")
def failing_page(request: HttpRequest) -> HttpResponse:
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    contact = request.GET.get("contact", "")
    raise RuntimeError(f"cannot reach {contact} (session={session_key})")


urlpatterns = [path("failing-page/", failing_page), *real_urls.urlpatterns]

handler400 = real_urls.handler400
handler403 = real_urls.handler403
handler404 = real_urls.handler404
handler500 = real_urls.handler500
