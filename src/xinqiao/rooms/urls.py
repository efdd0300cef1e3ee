"""URLs of the rooms app: the rooms and their opening hours here, and each area's own URL module
included (the roster, leave, duty logs, intake and appointments). Every name stays in the
"rooms" namespace."""

from django.urls import include, path

from xinqiao.rooms import views

app_name = "rooms"

urlpatterns = [
    path("", views.room_list, name="room_list"),
    path("room/new/", views.room_create, name="room_create"),
    path("room/<int:pk>/", views.room_detail, name="room_detail"),
    path("room/<int:pk>/edit/", views.room_edit, name="room_edit"),
    path("room/<int:pk>/opening/", views.opening_edit, name="opening_edit"),
    path("room/<int:pk>/opening/copy/", views.opening_copy, name="opening_copy"),
    path("opening/<int:pk>/remove/", views.opening_remove, name="opening_remove"),
    path("", include("xinqiao.rooms.roster.urls")),
    path("", include("xinqiao.rooms.leave.urls")),
    path("", include("xinqiao.rooms.duty_log.urls")),
    path("", include("xinqiao.rooms.intake.urls")),
    path("", include("xinqiao.rooms.appointments.urls")),
]
