"""URLs of the rooms app: rooms and opening hours, the roster, leave and duty logs here; the
appointments area (intake, booking, slots, calendars) keeps its own module."""

from django.urls import path

from xinqiao.rooms.urls_appointments import urlpatterns as appointment_urlpatterns
from xinqiao.rooms.views import duty_log, leave, rooms, roster

app_name = "rooms"

urlpatterns = [
    # rooms and opening hours
    path("", rooms.room_list, name="room_list"),
    path("room/new/", rooms.room_create, name="room_create"),
    path("room/<int:pk>/", rooms.room_detail, name="room_detail"),
    path("room/<int:pk>/edit/", rooms.room_edit, name="room_edit"),
    path("room/<int:pk>/opening/", rooms.opening_edit, name="opening_edit"),
    path("room/<int:pk>/opening/copy/", rooms.opening_copy, name="opening_copy"),
    path("opening/<int:pk>/remove/", rooms.opening_remove, name="opening_remove"),
    # the duty roster
    path("roster/", roster.roster, name="roster"),
    path("roster/export.xlsx", roster.roster_export_view, name="roster_export"),
    path("roster/issues/", roster.roster_issues, name="roster_issues"),
    path("roster/plan/<int:room_pk>/", roster.roster_plan, name="roster_plan"),
    path("roster/plan/<int:room_pk>/generate/", roster.roster_generate, name="roster_generate"),
    path("roster/plan/<int:room_pk>/publish/", roster.roster_publish, name="roster_publish"),
    path("roster/shift/<int:pk>/", roster.shift_edit, name="shift_edit"),
    path("my-duties/", roster.my_duties, name="my_duties"),
    # leave
    path("roster/shift/<int:pk>/leave/", leave.leave_request, name="leave_request"),
    path("leave/", leave.leave_list, name="leave_list"),
    path("leave/<int:pk>/", leave.leave_detail, name="leave_detail"),
    path("leave/<int:pk>/decide/", leave.leave_decide, name="leave_decide"),
    path("leave/<int:pk>/substitute/", leave.leave_substitute, name="leave_substitute"),
    path("leave/<int:pk>/withdraw/", leave.leave_withdraw, name="leave_withdraw"),
    # the duty log
    path("roster/shift/<int:pk>/log/", duty_log.duty_log_write, name="duty_log_write"),
    path("duty-logs/", duty_log.duty_log_list, name="duty_log_list"),
    path("duty-logs/missing/", duty_log.duty_log_missing, name="duty_log_missing"),
    path("duty-logs/<int:pk>/", duty_log.duty_log_detail, name="duty_log_detail"),
]
urlpatterns += appointment_urlpatterns
