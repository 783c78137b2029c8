from django.urls import include, path

from logitrack.accounts.views import language_choose
from logitrack.core import health
from logitrack.core.api import api_urls
from logitrack.tenancy.access import public
from logitrack.web import views as web_views

urlpatterns = [
    path("healthz", public("liveness probe for load balancers")(health.healthz), name="healthz"),
    path("readyz", public("readiness probe for load balancers")(health.readyz), name="readyz"),
    path("i18n/setlang/", language_choose, name="set_language"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("api/v1/", api_urls()),
    path("account/", include("logitrack.accounts.urls")),
    path("privacy/", include("logitrack.privacy.urls")),
    path("", include("logitrack.privacy.consent.urls")),
    path("a/", include("logitrack.analytics.urls")),
    path("", include("logitrack.privacy.breaches.urls")),
    path("", include("logitrack.privacy.policies.urls")),
    path("", include("logitrack.privacy.erasure.urls")),
    path("", include("logitrack.logistics.public.urls")),
    path("", include("logitrack.logistics.urls")),
    path("", include("logitrack.tracking.urls")),
    path("", include("logitrack.tracking.page_urls")),
    path("", include("logitrack.notifications.urls")),
    path("", include("logitrack.tenancy.urls")),
    path("", include("logitrack.imports.urls")),
    path("", include("logitrack.documents.urls")),
    path("", include("logitrack.web.urls")),
]

handler400 = "logitrack.web.views.bad_request"
handler403 = "logitrack.web.views.permission_denied"
handler404 = "logitrack.web.views.page_not_found"
handler500 = "logitrack.web.views.server_error"
