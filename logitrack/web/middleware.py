"""Site-wide answers that Django and django-ninja write without the site's own error layer."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed


class MethodNotAllowedMiddleware:
    """A 405 in the reader's language, as JSON on the API and as a page in a browser.

    Django's ``require_http_methods`` / ``require_POST`` and django-ninja's path views answer a
    wrong method with ``HttpResponseNotAllowed``: an empty body (a browser shows its own "HTTP
    ERROR 405" page) or the English text "Method not allowed" on the API, outside the
    ``{"error": {"code", "message"}}`` envelope. The ``Allow`` header (RFC 9110 section 15.5.6)
    is kept. The last middleware, so the page is rendered with the person and language known.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        from logitrack.web.views import method_not_allowed

        answer = method_not_allowed(request)
        answer["Allow"] = response["Allow"]
        return answer
