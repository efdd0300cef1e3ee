"""URLs of booking, the appointment book, slots and calendars (included by rooms/urls.py)."""

from django.urls import path

from xinqiao.rooms.appointments import views

urlpatterns = [
    path("book/", views.booking_start, name="booking_start"),
    path("book/<int:pk>/", views.booking_create, name="booking_create"),
    path("my-bookings/", views.my_bookings, name="my_bookings"),
    path("appointments/", views.appointment_list, name="appointment_list"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path(
        "appointments/<int:pk>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "appointments/<int:pk>/reschedule/",
        views.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "appointments/<int:pk>/check-in/",
        views.appointment_check_in,
        name="appointment_check_in",
    ),
    path(
        "appointments/<int:pk>/no-show/",
        views.appointment_no_show,
        name="appointment_no_show",
    ),
    path(
        "appointments/<int:pk>/complete/",
        views.appointment_complete,
        name="appointment_complete",
    ),
    path("slots/", views.slot_list, name="slot_list"),
    path("slots/new/", views.slot_create, name="slot_create"),
    path("slots/generate/", views.slot_generate, name="slot_generate"),
    path("slots/<int:pk>/cancel/", views.slot_cancel, name="slot_cancel"),
    path("calendar/", views.appointment_calendar, name="appointment_calendar"),
]
