from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "xinqiao.rooms"
    label = "rooms"
    verbose_name = _("Counseling rooms and appointments")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.rooms import models

        for model in (
            models.Room,
            models.OpeningPeriod,
            models.DutyShift,
            models.LeaveRequest,
            models.DutyLog,
            models.Intake,
            models.AppointmentSlot,
            models.Appointment,
        ):
            track(model)
        from xinqiao.rooms import retention, workbench

        retention.register()
        workbench.register()
