"""Notification pages under /notifications/; a notification takes its integer id, looked up
among the person's own only, so the isolation contract applies."""

from django.urls import path

from logitrack.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.notifications_read_all, name="read-all"),
    path("notifications/<id:notification_id>/read/", views.notification_read, name="read"),
    path("notifications/subscriptions/", views.subscriptions, name="subscriptions"),
]
