"""The case conference (seed 003 研讨): convening it, recording it, and the shared part its
participants outside the counseling staff see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xinqiao.cases import forms, services_plans
from xinqiao.cases.access import (
    get_case_or_refuse,
    get_conference,
    get_conference_share,
    record_read,
)
from xinqiao.cases.models import (
    Conference,
    PlanMeasure,
    SupportPlan,
)
from xinqiao.core.views.common import form_page


@login_required
def conference_convene(request, pk: int):
    case = get_case_or_refuse(request, pk, "cases.convene_conference")
    initial = {
        "place": _("Counseling room"),
        "participants": list(case.counselors.values_list("user_id", flat=True)),
    }
    form = forms.ConferenceForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        roles = services_plans.seat_roles(case.school_id)
        try:
            conference = services_plans.conference_convene(
                actor=request.user,
                case=case,
                scheduled_at=data["scheduled_at"],
                place=data["place"],
                agenda=data["agenda"],
                participants=[(u, roles.get(u.pk, "")) for u in data["participants"]],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The conference is convened; the participants are told."))
            return redirect("cases:conference_detail", pk=conference.pk)
    return form_page(
        request,
        "cases/form_page.html",
        {"form": form, "case": case, "title": _("Convene a case conference"), "testid": "convene"},
        form,
    )


@login_required
def conference_detail(request, pk: int):
    conference = get_conference(request, pk)
    record_read(request, conference.case)
    form = forms.ConferenceRecordForm(
        request.POST or None,
        conference=conference,
        initial={"attended": [str(s.user_id) for s in conference.participants.all()]},
    )
    may_record = request.user.has_perm("cases.convene_conference", conference.case)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_plans.conference_record(
                    actor=request.user,
                    conference=conference,
                    attended=[int(v) for v in data["attended"]],
                    decisions=data["decisions"],
                    shared_summary=data["shared_summary"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The conference is recorded."))
                return redirect("cases:conference_detail", pk=conference.pk)
    return render(
        request,
        "cases/conference_detail.html",
        {
            "conference": conference,
            "case": conference.case,
            "participants": conference.participants.select_related("user"),
            "form": form,
            "may_record": may_record and conference.state == Conference.State.PLANNED,
        },
        status=400 if form.errors else 200,
    )


@login_required
def conference_share(request, pk: int):
    """What a participant outside the counseling staff sees: when, where, and what is shared."""
    conference = get_conference_share(request, pk)
    if conference.shared_summary:
        record_read(request, conference.case, basis="conference participant: shared part only")
    return render(
        request,
        "cases/conference_share.html",
        {
            "conference": conference,
            "student": conference.case.student,
            "my_measures": PlanMeasure.objects.for_user(request.user).filter(
                plan__case=conference.case,
                plan__state=SupportPlan.State.APPROVED,
                responsible=request.user,
            ),
        },
    )
