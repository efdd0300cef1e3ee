"""URLs of intake, booking, the appointment book, slots and calendars (see rooms/urls.py)."""

from django.urls import path

from xinqiao.rooms.views import appointments, intake

urlpatterns = [
    path("intakes/", intake.intake_list, name="intake_list"),
    path("intakes/new/", intake.intake_create, name="intake_create"),
    path("intakes/<int:pk>/", intake.intake_detail, name="intake_detail"),
    path("intakes/<int:pk>/book/", intake.intake_book, name="intake_book"),
    path("intakes/<int:pk>/alert/", intake.intake_alert, name="intake_alert"),
    path("book/", appointments.booking_start, name="booking_start"),
    path("book/<int:pk>/", appointments.booking_create, name="booking_create"),
    path("my-bookings/", appointments.my_bookings, name="my_bookings"),
    path("appointments/", appointments.appointment_list, name="appointment_list"),
    path("appointments/<int:pk>/", appointments.appointment_detail, name="appointment_detail"),
    path(
        "appointments/<int:pk>/cancel/",
        appointments.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "appointments/<int:pk>/reschedule/",
        appointments.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "appointments/<int:pk>/check-in/",
        appointments.appointment_check_in,
        name="appointment_check_in",
    ),
    path(
        "appointments/<int:pk>/no-show/",
        appointments.appointment_no_show,
        name="appointment_no_show",
    ),
    path(
        "appointments/<int:pk>/complete/",
        appointments.appointment_complete,
        name="appointment_complete",
    ),
    path("slots/", appointments.slot_list, name="slot_list"),
    path("slots/new/", appointments.slot_create, name="slot_create"),
    path("slots/generate/", appointments.slot_generate, name="slot_generate"),
    path("slots/<int:pk>/cancel/", appointments.slot_cancel, name="slot_cancel"),
    path("calendar/", appointments.appointment_calendar, name="appointment_calendar"),
]
