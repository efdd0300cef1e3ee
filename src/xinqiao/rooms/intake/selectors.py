"""Reads of intakes (duty-phone calls and walk-ins). An intake holds a confidential concern:
the counseling side sees the school's intakes, duty staff only those they recorded
themselves (seed 000: duty staff must not read stored material)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from xinqiao.core.access import NOTHING
from xinqiao.rooms.appointments.selectors import COUNSELING_ROLES
from xinqiao.rooms.models import Intake
from xinqiao.rooms.selectors import schools_where, signed_in


def intake_visibility_q(user) -> Q:
    """The counseling side sees the school's intakes; anyone else only those they recorded."""
    if not signed_in(user):
        return NOTHING
    return Q(school_id__in=schools_where(user, COUNSELING_ROLES)) | Q(
        received_by_id=user.pk, school_id__in=user.school_ids
    )


def intakes_for_user(user) -> QuerySet[Intake]:
    return Intake.objects.filter(intake_visibility_q(user))


def get_intake_for_user(user, pk: int) -> Intake:
    try:
        return intakes_for_user(user).select_related("student", "received_by", "school").get(pk=pk)
    except Intake.DoesNotExist:
        raise Http404 from None
