from django.contrib.auth.views import LogoutView
from django.urls import path

from logitrack.tenancy.access import public
from logitrack.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path(
        "logout/",
        public("signing out must work in every state")(LogoutView.as_view()),
        name="logout",
    ),
]
