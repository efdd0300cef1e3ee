"""URLs of duty logs (included by rooms/urls.py)."""

from django.urls import path

from xinqiao.rooms.duty_log import views

urlpatterns = [
    path("roster/shift/<int:pk>/log/", views.duty_log_write, name="duty_log_write"),
    path("duty-logs/", views.duty_log_list, name="duty_log_list"),
    path("duty-logs/missing/", views.duty_log_missing, name="duty_log_missing"),
    path("duty-logs/<int:pk>/", views.duty_log_detail, name="duty_log_detail"),
]
