from django.urls import path

from logitrack.privacy import views
from logitrack.privacy.cookies import views as cookie_views

app_name = "privacy"

urlpatterns = [
    path("", views.policy, name="policy"),
    path("cookies/", cookie_views.cookie_page, name="cookies"),
    path("cookies/choice", cookie_views.cookie_choose, name="cookie-choice"),
]
