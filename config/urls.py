from django.urls import include, path
from django.views.i18n import set_language

from logitrack.core import health
from logitrack.core.api import api
from logitrack.web import views as web_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("api/v1/", api.urls),
    path("", include("logitrack.web.urls")),
]

handler400 = "logitrack.web.views.bad_request"
handler403 = "logitrack.web.views.permission_denied"
handler404 = "logitrack.web.views.page_not_found"
handler500 = "logitrack.web.views.server_error"
