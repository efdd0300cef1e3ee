"""Writing the duty record (值班记录) of one's own shift (seed 000; criterion 14 of seed 004).

The caller decides permission (``rooms.write_duty_log`` on the shift, through rooms/access.py)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.rooms.models import DutyLog, DutyShift


@service
def duty_log_write(
    *,
    actor: User,
    shift: DutyShift,
    arrived_at: datetime.time,
    calls_received: int = 0,
    visitors: int = 0,
    appointments_registered: int = 0,
    unusual: str = "",
    handover: str = "",
) -> DutyLog:
    """The duty record (值班记录) of one's own shift, once, from the moment it starts."""
    if shift.starts > timezone.now():
        raise ValidationError(_("The duty has not started yet; write its log during or after it."))
    if min(calls_received, visitors, appointments_registered) < 0:
        raise ValidationError(_("Counts cannot be negative."))
    written = _("This duty has its log already.")
    if DutyLog.objects.filter(shift=shift).exists():
        raise ValidationError(written)
    try:
        with transaction.atomic():
            return DutyLog.objects.create(
                shift=shift,
                written_by=actor,
                arrived_at=arrived_at,
                calls_received=calls_received,
                visitors=visitors,
                appointments_registered=appointments_registered,
                unusual=unusual.strip(),
                handover=handover.strip(),
            )
    except IntegrityError:  # sent twice at once: one log per shift (OneToOne)
        raise ValidationError(written) from None
