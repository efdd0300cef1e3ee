"""URLs of the privacy app: the access log, its export and flags (issue 16 item 2)."""

from django.urls import path

from xinqiao.privacy import views

app_name = "privacy"

urlpatterns: list = [
    path("log/", views.log, name="log"),
    path("log/export/", views.log_export, name="log_export"),
    path("students/<int:student_pk>/history/", views.student_history, name="student_history"),
    path("flags/", views.flag_list, name="flag_list"),
    path("flags/<int:pk>/", views.flag_detail, name="flag_detail"),
]
