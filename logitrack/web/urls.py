from django.urls import path

from logitrack.accounts import views as account_views
from logitrack.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    # Signing in and out live in logitrack.accounts; the names stay web:login and web:logout.
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.logout_view, name="logout"),
]
