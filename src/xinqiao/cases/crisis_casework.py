"""What the cases app does for a crisis intervention (registered in CasesConfig.ready as the
crisis app's ``CaseWork``): a crisis alert opens a case for its student or joins the case
already open, and a hospital or emergency referral is started on that case."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from xinqiao.cases.models import Case
from xinqiao.cases.services_intake import case_open
from xinqiao.crisis.casework import CaseRef

# The intake channel of the case an alert opens, by the alert's source.
CHANNELS = {
    "duty_phone": Case.Channel.DUTY_PHONE,
    "walk_in": Case.Channel.WALK_IN,
    "teacher": Case.Channel.TEACHER_REFERRAL,
    "guardian": Case.Channel.GUARDIAN,
    "letter": Case.Channel.LETTER,
    "screening": Case.Channel.SCREENING,
    "network_report": Case.Channel.NETWORK_REPORT,
}


def _ref(case: Case, *, opened: bool = False) -> CaseRef:
    return CaseRef(
        id=case.pk,
        number=case.number,
        url=reverse("cases:case_detail", args=[case.pk]),
        referral_url=reverse("cases:referral_create", args=[case.pk]),
        opened=opened,
    )


class CrisisCaseWork:
    def open_or_join(self, *, actor, student, alert) -> CaseRef:
        """The student's open case (the intervention joins it: its counselors were told of the
        alert, and who works on it stays the director's choice), or a new urgent case opened
        from the alert (the same alert opens one case however often)."""
        case = (
            Case.objects.filter(student_id=student.pk, state__in=Case.OPEN_STATES)
            .order_by("-opened_at", "-pk")
            .first()
        )
        if case is None:
            case = case_open(
                actor=actor,
                student=student,
                channel=CHANNELS.get(alert.source, Case.Channel.WALK_IN),
                problem=_("Crisis alert (%(level)s): %(evidence)s")
                % {"level": alert.get_risk_level_display(), "evidence": alert.evidence},
                urgency=Case.Urgency.URGENT,
                source_object=alert,
                submission_key=f"crisis-alert-{alert.pk}",
            )
            return _ref(case, opened=True)
        return _ref(case)

    def ref(self, case_id: int) -> CaseRef | None:
        case = Case.objects.filter(pk=case_id).only("number").first()
        return _ref(case) if case is not None else None


crisis_case_work = CrisisCaseWork()
