"""Campaign pages: the director creates, announces, closes or cancels a campaign and records a
guardian's opt-out received on paper; staff follow the completion per class (counts only, never
answers); guardians and respondents read the notice and a guardian opts a child out.

Results are flags for a follow-up interview, never diagnoses: every page says so.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinqiao.core.access import NOT_FOUND, get_or_refuse
from xinqiao.core.decorators import permission_required
from xinqiao.core.roles import Role
from xinqiao.people.models import School, SchoolClass, Semester
from xinqiao.screening import services
from xinqiao.screening.definitions import PRIMARY_LANGUAGE
from xinqiao.screening.forms import CampaignForm, ParticipationFilterForm
from xinqiao.screening.library import current_library
from xinqiao.screening.models import Campaign, ClassCode, Participation
from xinqiao.screening.selectors import child_participations
from xinqiao.screening.selectors_campaigns import (
    campaigns_followed_by,
    completion_by_class,
    completion_class_ids,
    completion_percent_by_campaign,
)

MANAGE = "screening.manage_campaigns"
FOLLOW = "screening.view_completion"


def _campaign(request, pk: int, perm: str = FOLLOW) -> Campaign:
    """A campaign the user follows (404 for another's, missing, or a class teacher's other
    classes' campaign) on which ``perm`` holds."""
    return get_or_refuse(request, campaigns_followed_by(request.user), pk, perm)


def _scale_rows(campaign: Campaign) -> list[dict]:
    library = current_library()
    rows = []
    for key in campaign.scale_keys:
        definition = library.definitions.get(tuple(key))
        rows.append(
            {
                "key": "@".join(key),
                "definition": definition,
                "name": definition.name.get(PRIMARY_LANGUAGE, key[0]) if definition else key[0],
            }
        )
    return rows


# --- the list ------------------------------------------------------------------------------------
@permission_required(FOLLOW)
def campaign_list(request):
    campaigns = campaigns_followed_by(request.user)
    semesters = Semester.objects.for_user(request.user).filter(
        school_id__in=request.user.school_ids
    )
    state = request.GET.get("state", "")
    if state in Campaign.State.values:
        campaigns = campaigns.filter(state=state)
    else:
        state = ""
    semester = semesters.filter(pk=request.GET.get("semester") or None).first()
    if semester is not None:
        campaigns = campaigns.filter(
            opens_at__date__gte=semester.starts_on, opens_at__date__lte=semester.ends_on
        )
    year = request.GET.get("year", "")
    years = sorted({s.school_year for s in semesters}, reverse=True)
    if year.isdigit() and int(year) in years:
        in_year = semesters.filter(school_year=int(year))
        ranges = Q()
        for s in in_year:
            ranges |= Q(opens_at__date__gte=s.starts_on, opens_at__date__lte=s.ends_on)
        campaigns = campaigns.filter(ranges)
    else:
        year = ""
    page = Paginator(campaigns.order_by("-opens_at", "-pk"), 20).get_page(request.GET.get("page"))
    percents = completion_percent_by_campaign(list(page), request.user)
    for campaign in page:
        campaign.completion_percent = percents.get(campaign.pk)
    return render(
        request,
        "screening/campaign_list.html",
        {
            "page": page,
            "states": Campaign.State.choices,
            "state": state,
            "semesters": semesters.order_by("-starts_on"),
            "semester": semester,
            "years": years,
            "year": year,
            "can_manage": request.user.has_perm(MANAGE),
        },
    )


# --- create and edit -----------------------------------------------------------------------------
def _director_school(user) -> School:
    school = (
        School.objects.for_user(user)
        .filter(pk__in=user.school_ids_with(Role.DIRECTOR))
        .order_by("name")
        .first()
    )
    if school is None:
        raise PermissionDenied
    return school


def _save(request, form: CampaignForm, school: School, campaign: Campaign | None):
    """The service's answer: the campaign, or None with its errors on the form's fields."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.campaign_save(
            actor=request.user,
            school=school,
            campaign=campaign,
            title=data["title"],
            purpose=data["purpose"],
            audience=data["audience"],
            scales=list(data["scales"]),
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            grades=data["grades"],
            classes=data["classes"],
            class_teachers_see_follow_ups=data["class_teachers_see_follow_ups"],
            respondents_see_scores=data["respondents_see_scores"],
            supportive_message=data["supportive_message"],
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


@permission_required(MANAGE)
def campaign_create(request):
    school = _director_school(request.user)
    if request.method != "POST":
        form = CampaignForm(school=school)
        return render(request, "screening/campaign_form.html", {"form": form})
    form = CampaignForm(request.POST, school=school)
    campaign = _save(request, form, school, None)
    if campaign is not None:
        messages.success(
            request,
            _(
                "The campaign is saved as a draft. Announce it when it is ready: guardians are told."
            ),
        )
        return redirect("screening:campaign_detail", pk=campaign.pk)
    return render(request, "screening/campaign_form.html", {"form": form}, status=400)


@permission_required(MANAGE)
def campaign_edit(request, pk: int):
    campaign = _campaign(request, pk, MANAGE)
    if campaign.state != Campaign.State.DRAFT:
        messages.error(request, _("Only a draft campaign can be changed."))
        return redirect("screening:campaign_detail", pk=campaign.pk)
    school = campaign.school
    if request.method != "POST":
        form = CampaignForm(
            school=school,
            initial={
                "title": campaign.title,
                "purpose": campaign.purpose,
                "audience": campaign.audience,
                "grades": [g.pk for g in campaign.grades.all()],
                "classes": [c.pk for c in campaign.classes.all()],
                "scales": list(campaign.scales),
                "opens_at": campaign.opens_at,
                "closes_at": campaign.closes_at,
                "class_teachers_see_follow_ups": campaign.class_teachers_see_follow_ups,
                "respondents_see_scores": campaign.respondents_see_scores,
                "supportive_message": campaign.supportive_message,
            },
        )
        return render(request, "screening/campaign_form.html", {"form": form, "campaign": campaign})
    form = CampaignForm(request.POST, school=school)
    saved = _save(request, form, school, campaign)
    if saved is not None:
        messages.success(request, _("The campaign is saved."))
        return redirect("screening:campaign_detail", pk=saved.pk)
    return render(
        request, "screening/campaign_form.html", {"form": form, "campaign": campaign}, status=400
    )


# --- the campaign and its completion -------------------------------------------------------------
def _completion_context(request, campaign: Campaign) -> dict:
    class_ids = completion_class_ids(request.user, campaign)
    return {
        "campaign": campaign,
        "completion": completion_by_class(campaign, class_ids),
        "whole_school": class_ids is None,
    }


@permission_required(FOLLOW)
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    can_manage = request.user.has_perm(MANAGE, campaign)
    invited = 0
    if can_manage and campaign.state == Campaign.State.DRAFT:
        invited = (
            services.campaign_students(campaign).count()
            if campaign.audience == Campaign.Audience.STUDENTS
            else None
        )
    return render(
        request,
        "screening/campaign_detail.html",
        {
            **_completion_context(request, campaign),
            "scales": _scale_rows(campaign),
            "can_manage": can_manage,
            "invited": invited,
            "grades": campaign.grades.order_by("level"),
            "classes": campaign.classes.select_related("grade").order_by("grade__level", "number"),
            "can_see_codes": request.user.has_perm("screening.view_class_codes", campaign),
        },
    )


@permission_required(FOLLOW)
def completion(request, pk: int):
    """The completion table alone (polled by the campaign page every 10 seconds)."""
    campaign = _campaign(request, pk)
    return render(
        request, "screening/campaign_completion.html", _completion_context(request, campaign)
    )


def _state_change(request, pk: int, service, done: str):
    campaign = _campaign(request, pk, MANAGE)
    try:
        service(actor=request.user, campaign=campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("screening:campaign_detail", pk=campaign.pk)


@permission_required(MANAGE)
@require_POST
def campaign_announce(request, pk: int):
    if request.POST.get("confirm") != "yes":
        campaign = _campaign(request, pk, MANAGE)
        messages.error(
            request,
            _("Tick that guardians will be told before announcing the campaign."),
        )
        return redirect("screening:campaign_detail", pk=campaign.pk)
    return _state_change(
        request,
        pk,
        services.campaign_announce,
        _(
            "The campaign is announced: guardians have been told and may opt their child out; "
            "the respondents are invited."
        ),
    )


@permission_required(MANAGE)
@require_POST
def campaign_close(request, pk: int):
    return _state_change(
        request, pk, services.campaign_close, _("The campaign is closed: nobody can answer now.")
    )


@permission_required(MANAGE)
@require_POST
def campaign_cancel(request, pk: int):
    return _state_change(request, pk, services.campaign_cancel, _("The campaign is cancelled."))


@permission_required("screening.view_class_codes")
def class_codes(request, pk: int):
    """A printable sheet: each class's access code, the window and where to type it."""
    campaign = _campaign(request, pk, "screening.view_class_codes")
    codes = (
        ClassCode.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("school_class__grade")
    )
    return render(
        request,
        "screening/campaign_codes.html",
        {
            "campaign": campaign,
            "codes": codes,
            "entry_url": request.build_absolute_uri(reverse("screening:class_code")),
        },
    )


# --- opt-outs ------------------------------------------------------------------------------------
@permission_required(MANAGE)
def opt_outs(request, pk: int):
    """The director records a guardian's opt-out received on paper, or its withdrawal."""
    campaign = _campaign(request, pk, MANAGE)
    participations = (
        Participation.objects.for_user(request.user)
        .filter(campaign=campaign, student__isnull=False)
        .select_related("student", "school_class__grade")
    )
    classes = (
        SchoolClass.objects.for_user(request.user)
        .filter(pk__in=participations.values("school_class_id"))
        .select_related("grade")
    )
    form = ParticipationFilterForm(request.GET or None, classes=classes)
    if form.is_valid():
        if form.cleaned_data["school_class"]:
            participations = participations.filter(school_class=form.cleaned_data["school_class"])
        if form.cleaned_data["state"]:
            participations = participations.filter(state=form.cleaned_data["state"])
    page = Paginator(
        participations.order_by(
            "school_class__grade__level", "school_class__number", "student__student_number", "pk"
        ),
        20,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/campaign_opt_outs.html",
        {
            "campaign": campaign,
            "page": page,
            "form": form,
            "open": campaign.state in (Campaign.State.DRAFT, Campaign.State.ANNOUNCED),
        },
    )


# --- the notice ----------------------------------------------------------------------------------
@login_required
@permission_required("screening.view_child_notices")
def child_notices(request):
    """A guardian's campaigns: each one a child of theirs is invited to, newest first, with
    the child's place in it (not started, submitted, opted out: never an answer) and the link
    to its notice, where the guardian opts the child out or back in."""
    rows = child_participations(request.user)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "screening/child_notices.html", {"page": page})


@login_required
def notice(request, pk: int):
    """What the campaign asks, why, when and who sees the results; a guardian's children in it
    with their opt-out; a respondent's own place in it."""
    campaign = get_or_refuse(request, Campaign, pk)
    mine = Participation.objects.for_user(request.user).filter(campaign=campaign)
    own = mine.filter(
        Q(student__user_id=request.user.pk) | Q(teacher__user_id=request.user.pk)
    ).first()
    staff = (
        request.user.has_perm(FOLLOW, campaign)
        and campaigns_followed_by(request.user).filter(pk=campaign.pk).exists()
    )
    if campaign.state == Campaign.State.DRAFT and not request.user.has_perm(MANAGE, campaign):
        raise Http404(NOT_FOUND)
    child_rows = list(
        mine.filter(student__guardian_links__guardian__user_id=request.user.pk).select_related(
            "student", "school_class__grade"
        )
    )
    if not (child_rows or own or staff or request.user.has_perm(MANAGE, campaign)):
        raise Http404(NOT_FOUND)
    return render(
        request,
        "screening/notice.html",
        {
            "campaign": campaign,
            "scales": _scale_rows(campaign),
            "children": child_rows,
            "own": own,
            "open": campaign.state in (Campaign.State.DRAFT, Campaign.State.ANNOUNCED),
            # The scale's code ("phq9@1.0") is for the counseling side, not for families.
            "hide_scale_codes": not (staff or request.user.has_perm(MANAGE, campaign)),
        },
    )


def _back(request, participation: Participation):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("screening:notice", pk=participation.campaign_id)


def _participation_change(request, pk: int, service, done: str):
    participation = get_or_refuse(
        request,
        Participation.objects.for_user(request.user)
        .filter(campaign__isnull=False)
        .select_related("campaign", "student"),
        pk,
        "screening.opt_out",
    )
    try:
        service(actor=request.user, participation=participation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"name": participation.student.name})
    return _back(request, participation)


@login_required
@require_POST
def opt_out(request, pk: int):
    return _participation_change(
        request,
        pk,
        services.opt_out,
        _("%(name)s is opted out: they will not be asked to answer this questionnaire."),
    )


@login_required
@require_POST
def opt_out_withdraw(request, pk: int):
    return _participation_change(
        request,
        pk,
        services.opt_out_withdraw,
        _("The opt-out is withdrawn: %(name)s is invited to answer again."),
    )
