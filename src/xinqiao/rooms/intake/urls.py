"""URLs of phone and walk-in intake (included by rooms/urls.py)."""

from django.urls import path

from xinqiao.rooms.intake import views

urlpatterns = [
    path("intakes/", views.intake_list, name="intake_list"),
    path("intakes/new/", views.intake_create, name="intake_create"),
    path("intakes/<int:pk>/", views.intake_detail, name="intake_detail"),
    path("intakes/<int:pk>/book/", views.intake_book, name="intake_book"),
    path("intakes/<int:pk>/alert/", views.intake_alert, name="intake_alert"),
]
