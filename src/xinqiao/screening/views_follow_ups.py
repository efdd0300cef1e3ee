"""Results and follow-up interviews (issue 15 item 4): results are flags for a follow-up
interview, never diagnoses.

The counseling side sees whom to interview, why (the scale, the band, a critical answer), who
is assigned and what the interview concluded, and the screening's false positives per scale and
band; a class teacher sees only whom to send for a talk with the counselor, and whether it
happened (seed 001: individual results are confidential). Every read of a student's results is
written to the access log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.access import get_or_refuse, record_read
from xinqiao.core.decorators import permission_required
from xinqiao.core.params import query_id
from xinqiao.core.roles import Role
from xinqiao.people.models import SchoolClass
from xinqiao.people.selectors import holders_of
from xinqiao.screening import selectors
from xinqiao.screening.forms_follow_up import AssignForm, InterviewForm
from xinqiao.screening.models import Campaign, FollowUp, Participation
from xinqiao.screening.services import follow_up_assign as assign_service
from xinqiao.screening.services import follow_up_conclude

COUNSELING_BASIS = "counseling staff of the school"
CONCLUSIONS = FollowUp.Conclusion.values


@permission_required("screening.view_follow_ups")
def follow_up_list(request):
    if not request.user.has_perm("screening.view_results"):
        return _class_teacher_list(request)
    follow_ups = selectors.follow_ups_for_counseling(request.user)
    filters = {key: request.GET.get(key, "") for key in ("conclusion", "mine")}
    campaign_id, class_id = query_id(request, "campaign"), query_id(request, "class")
    interviewer_id = query_id(request, "interviewer")
    if campaign_id:
        follow_ups = follow_ups.filter(participation__campaign_id=campaign_id)
    if class_id:
        follow_ups = follow_ups.filter(participation__school_class_id=class_id)
    # The false positives of the chosen campaign and class (all of them when none is chosen).
    shares = selectors.false_positive_shares(follow_ups)
    if interviewer_id:
        follow_ups = follow_ups.filter(assigned_to_id=interviewer_id)
    if filters["conclusion"] in CONCLUSIONS:
        follow_ups = follow_ups.filter(conclusion=filters["conclusion"])
    if filters["mine"]:
        follow_ups = follow_ups.filter(assigned_to=request.user)
    page = Paginator(follow_ups, 20).get_page(request.GET.get("page"))
    for follow_up in page:
        follow_up.flag_list = selectors.flags_of(follow_up)
    school_ids = request.user.school_ids_with(Role.DIRECTOR, Role.COUNSELOR)
    return render(
        request,
        "screening/follow_up_list.html",
        {
            "page": page,
            "shares": shares,
            "filters": {
                **filters,
                "campaign": campaign_id,
                "class": class_id,
                "interviewer": interviewer_id,
            },
            "campaigns": Campaign.objects.for_user(request.user)
            .filter(school_id__in=school_ids, audience=Campaign.Audience.STUDENTS)
            .exclude(state=Campaign.State.DRAFT)
            .order_by("-opens_at"),
            "classes": SchoolClass.objects.for_user(request.user)
            .filter(school_id__in=school_ids)
            .select_related("grade"),
            "interviewers": _interviewers(school_ids),
            "conclusions": FollowUp.Conclusion.choices,
            "may_assign": request.user.has_perm("screening.assign_interview"),
        },
    )


def _class_teacher_list(request):
    """Whom to send for a talk with the counselor: never the scale, the band or the result."""
    follow_ups = selectors.follow_ups_for_class_teacher(request.user)
    page = Paginator(follow_ups, 20).get_page(request.GET.get("page"))
    return render(request, "screening/follow_up_teacher.html", {"page": page})


def _interviewers(school_ids):
    from xinqiao.core.models import User

    users = User.objects.none()
    for school_id in school_ids:
        users = users | holders_of(school_id, Role.COUNSELOR, Role.DIRECTOR)
    return users.distinct().order_by("full_name", "username")


def _follow_up_queryset():
    return FollowUp.objects.select_related(
        "participation__student__school_class__grade",
        "participation__teacher",
        "participation__school_class__grade",
        "participation__campaign",
        "assigned_to",
        "concluded_by",
        "case",
    )


@login_required
def follow_up_assign(request, pk: int):
    follow_up = get_or_refuse(request, _follow_up_queryset(), pk, "screening.assign_interview")
    interviewers = holders_of(follow_up.school_id, Role.COUNSELOR, Role.DIRECTOR)
    form = AssignForm(request.POST or None, interviewers=interviewers)
    if follow_up.conclusion != FollowUp.Conclusion.PENDING:
        form.add_error(None, _("The interview has already been recorded."))
    elif request.method == "POST" and form.is_valid():
        try:
            assign_service(
                actor=request.user,
                follow_up=follow_up,
                interviewer=form.cleaned_data["interviewer"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The interviewer is assigned and told."))
            return redirect("screening:follow_up_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "screening/follow_up_assign.html",
        {"follow_up": follow_up, "form": form},
        status=status,
    )


@login_required
def follow_up_detail(request, pk: int):
    follow_up = get_or_refuse(request, _follow_up_queryset(), pk, "screening.view_results")
    form = InterviewForm(request.POST or None, initial={"interviewed_on": timezone.localdate()})
    if request.method == "POST":
        if not request.user.has_perm("screening.record_interview", follow_up):
            raise PermissionDenied("refused: screening.record_interview")
        if follow_up.conclusion != FollowUp.Conclusion.PENDING:
            form.add_error(None, _("The interview has already been recorded."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                follow_up = follow_up_conclude(
                    actor=request.user,
                    follow_up=follow_up,
                    conclusion=data["conclusion"],
                    interviewed_on=data["interviewed_on"],
                    notes=data["notes"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if follow_up.case_id:
                    messages.success(
                        request, _("The interview is recorded and a case has been opened.")
                    )
                else:
                    messages.success(
                        request, _("The interview is recorded; the follow-up is closed.")
                    )
                return redirect("screening:follow_up_detail", pk=follow_up.pk)
    record_read(request, follow_up, basis=COUNSELING_BASIS)
    participation = follow_up.participation
    results = selectors.result_views(selectors.scored_responses(participation, request.user))
    return render(
        request,
        "screening/follow_up_detail.html",
        {
            "follow_up": follow_up,
            "participation": participation,
            "results": results,
            "form": form,
            "may_record": request.user.has_perm("screening.record_interview", follow_up)
            and follow_up.conclusion == FollowUp.Conclusion.PENDING,
            "may_assign": request.user.has_perm("screening.assign_interview", follow_up)
            and follow_up.conclusion == FollowUp.Conclusion.PENDING,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def result_detail(request, pk: int):
    queryset = Participation.objects.select_related(
        "student__school_class__grade", "teacher", "school_class__grade", "campaign", "case"
    )
    participation = get_or_refuse(
        request, queryset, pk, "screening.view_results", confidential=True
    )
    record_read(request, participation, basis=COUNSELING_BASIS)
    results = selectors.result_views(selectors.scored_responses(participation, request.user))
    follow_up = FollowUp.objects.for_user(request.user).filter(participation=participation).first()
    return render(
        request,
        "screening/result_detail.html",
        {"participation": participation, "results": results, "follow_up": follow_up},
    )
