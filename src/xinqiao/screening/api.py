"""The screening API: campaigns, a respondent's questionnaire, results and follow-ups, with the
same rules as the pages (screening/rules.py) through the same getters and services.

- Campaigns: those the caller sees (``Campaign.objects.for_user``); completion per class for
  those allowed it (``screening.view_completion``: counts only, a class teacher their classes).
- Questionnaires: the caller's own (``get_own_participation``), saved as they go
  (``answers_save``) and submitted once (``participation_submit``: sent twice, one result).
- Results: the counseling side only (``screening.view_results``), the read recorded.
- Follow-ups: the counseling side in full; a class teacher whom to send, names only.
"""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinqiao.core.access import get_or_refuse, record_read, require
from xinqiao.core.api import JsonOrForm
from xinqiao.core.roles import COUNSELING_ROLES, LEADERSHIP_ROLES
from xinqiao.people.selectors import led_grade_ids, taught_class_ids
from xinqiao.screening import schemas
from xinqiao.screening.access import get_own_participation
from xinqiao.screening.definitions import PRIMARY_LANGUAGE
from xinqiao.screening.models import Campaign, FollowUp, Participation, Response
from xinqiao.screening.selectors_reports import completion_groups, definition_of, in_language
from xinqiao.screening.services import answers_of, answers_save, participation_submit

router = Router(tags=["screening"])


def _error(error: ValidationError) -> HttpError:
    return HttpError(400, " ".join(error.messages))


# --- campaigns ------------------------------------------------------------------------------------
@router.get("/campaigns", response=list[schemas.CampaignOut], summary="Campaigns the caller sees")
@paginate
def campaign_list(request):
    campaigns = Campaign.objects.for_user(request.auth)
    managed = request.auth.school_ids_with("director")
    return campaigns.filter(~Q(state=Campaign.State.DRAFT) | Q(school_id__in=managed)).order_by(
        "-opens_at", "-pk"
    )


@router.get(
    "/campaigns/{campaign_id}",
    response=schemas.CampaignDetailOut,
    summary="A campaign, with completion per class (counts only) for those allowed it",
)
def campaign_detail(request, campaign_id: int):
    user = request.auth
    campaign = get_or_refuse(request, Campaign, campaign_id)
    if campaign.state == Campaign.State.DRAFT and not user.has_perm(
        "screening.manage_campaigns", campaign
    ):
        raise HttpError(404, "Not found.")
    if user.has_perm("screening.view_completion", campaign):
        rows = completion_groups(campaign)
        if not user.has_role(*COUNSELING_ROLES, *LEADERSHIP_ROLES, school_id=campaign.school_id):
            # A class teacher their classes, a grade leader the classes of their grade.
            classes, grades = taught_class_ids(user), led_grade_ids(user)
            rows = [g for g in rows if g.class_id in classes or g.grade_id in grades]
        campaign.completion_rows = [
            {
                "class_id": g.class_id,
                "name": g.label,
                "invited": g.invited,
                "submitted": g.submitted,
                "opted_out": g.opted_out,
            }
            for g in rows
        ]
    return campaign


# --- the caller's own questionnaires -------------------------------------------------------------
def _own(user):
    return (
        Participation.objects.for_user(user)
        .filter(Q(student__user_id=user.pk) | Q(teacher__user_id=user.pk))
        .exclude(campaign__state__in=[Campaign.State.DRAFT, Campaign.State.CANCELLED])
        .select_related("campaign")
    )


def _questionnaire(participation: Participation) -> dict:
    campaign = participation.campaign
    return {
        "id": participation.pk,
        "state": participation.state,
        "campaign_id": participation.campaign_id,
        "title": campaign.title if campaign else "",
        "closes_at": campaign.closes_at if campaign else None,
        "submitted_at": participation.submitted_at,
    }


@router.get(
    "/questionnaires",
    response=list[schemas.QuestionnaireOut],
    summary="The caller's own questionnaires",
)
@paginate
def questionnaire_list(request):
    return [_questionnaire(p) for p in _own(request.auth).order_by("-pk")]


def _options(options) -> list[dict]:
    return [{"value": o.value, "label": in_language(o.label)} for o in options]


@router.get(
    "/questionnaires/{participation_id}",
    response=schemas.QuestionnaireDetailOut,
    summary="The caller's questionnaire: its wording and the answers saved so far",
)
def questionnaire_detail(request, participation_id: int):
    participation = get_own_participation(request, participation_id)
    saved = {r.scale_id: r for r in participation.responses.all()}
    scales = []
    for scale_id, version in participation.scale_keys:
        definition = definition_of(scale_id, version)
        if definition is None:
            continue
        response = saved.get(scale_id)
        scales.append(
            {
                "id": scale_id,
                "version": version,
                "name": in_language(definition.name),
                "instructions": in_language(definition.instructions),
                "options": _options(definition.options),
                "items": [
                    {
                        "id": item.id,
                        "text": item.text.get(PRIMARY_LANGUAGE, ""),
                        "options": _options(item.options) if item.options is not None else None,
                    }
                    for item in definition.items
                ],
                "answers": answers_of(response) if response else {},
                "seq": response.seq if response else 0,
            }
        )
    campaign = participation.campaign
    return {
        **_questionnaire(participation),
        "supportive_message": campaign.supportive_message if campaign else "",
        "scales": scales,
    }


@router.put(
    "/questionnaires/{participation_id}/answers",
    response=schemas.SavedOut,
    summary="Save the answers to one scale as they go (a late older save changes nothing)",
)
def questionnaire_save(
    request, participation_id: int, payload: Annotated[schemas.AnswersIn, JsonOrForm(...)]
):
    participation = get_own_participation(request, participation_id)
    try:
        answers_save(
            participation=participation,
            scale_id=payload.scale,
            answers=payload.answers,
            seq=payload.seq,
        )
    except ValidationError as error:
        raise _error(error) from None
    return {"ok": True, "seq": payload.seq}


@router.post(
    "/questionnaires/{participation_id}/submit",
    response=schemas.SubmittedOut,
    summary="Submit once: sent again, the same answer and one stored result",
)
def questionnaire_submit(
    request, participation_id: int, payload: Annotated[schemas.SubmitIn, JsonOrForm(...)]
):
    participation = get_own_participation(request, participation_id)
    answers = payload.answers
    try:
        participation = participation_submit(
            actor=request.auth, participation=participation, answers=answers
        )
    except ValidationError as error:
        raise _error(error) from None
    campaign = participation.campaign
    scores = None
    if campaign is not None and campaign.respondents_see_scores:
        scores = [
            {
                "scale": r.scale_id,
                "total": float(r.total) if r.total is not None else None,
                "band": r.band,
            }
            for r in participation.responses.all()
        ]
    return {
        "id": participation.pk,
        "state": participation.state,
        "submitted_at": participation.submitted_at,
        "supportive_message": campaign.supportive_message if campaign else "",
        "scores": scores,
    }


# --- results and follow-ups: the counseling side (class teachers: whom to send) ----------------
def _scores(responses) -> list[dict]:
    return [
        {
            "scale": r.scale_id,
            "version": r.scale_version,
            "valid": r.valid,
            "total": float(r.total) if r.total is not None else None,
            "band": r.band,
            "follow_up": r.follow_up,
            "critical_level": r.critical_level,
        }
        for r in responses
        if r.scored_at is not None
    ]


def _who(participation: Participation) -> tuple[str, str, str]:
    person = participation.student or participation.teacher
    number = participation.student.student_number if participation.student_id else ""
    school_class = participation.school_class
    return number, person.name if person else "", school_class.name if school_class else ""


@router.get(
    "/results",
    response=list[schemas.ResultOut],
    summary="A campaign's scores per participant (the counseling side only)",
)
@paginate
def result_list(request, filters: Query[schemas.ResultFilter]):
    require(request.auth, "screening.view_results")
    if filters.campaign is None:
        raise HttpError(400, _("Say which campaign (campaign)."))
    campaign = get_or_refuse(request, Campaign, filters.campaign, "screening.view_results")
    record_read(request, campaign, basis="screening.view_results: counseling staff")
    participations = (
        Participation.objects.for_user(request.auth)
        .filter(campaign=campaign)
        .select_related("student", "teacher", "school_class__grade")
        .prefetch_related("responses")
        .order_by("school_class__grade__level", "school_class__number", "pk")
    )
    rows = []
    for p in participations:
        number, name, class_name = _who(p)
        rows.append(
            {
                "participation_id": p.pk,
                "student_id": p.student_id,
                "student_number": number,
                "name": name,
                "class_name": class_name,
                "state": p.state,
                "scores": _scores(p.responses.all()),
            }
        )
    return rows


@router.get(
    "/follow-ups",
    response=list[schemas.FollowUpOut],
    summary="Whom to interview: in full for the counseling side, names only for a class teacher",
)
@paginate
def follow_up_list(request):
    user = request.auth
    require(user, "screening.view_follow_ups")
    follow_ups = (
        FollowUp.objects.for_user(user)
        .select_related(
            "participation__student",
            "participation__teacher",
            "participation__school_class__grade",
            "assigned_to",
        )
        .order_by("conclusion", "created_at", "pk")
    )
    counseling = user.school_ids_with(*COUNSELING_ROLES)
    responses: dict[int, list[Response]] = {}
    full_ids = [f.participation_id for f in follow_ups if f.school_id in counseling]
    for response in Response.objects.for_user(user).filter(participation_id__in=full_ids):
        responses.setdefault(response.participation_id, []).append(response)
    rows = []
    for follow_up in follow_ups:
        participation = follow_up.participation
        _number, name, class_name = _who(participation)
        row = {
            "id": follow_up.pk,
            "name": name,
            "class_name": class_name,
            "campaign_id": participation.campaign_id,
        }
        if follow_up.school_id in counseling:
            row.update(
                conclusion=follow_up.conclusion,
                assigned_to=follow_up.assigned_to.display_name if follow_up.assigned_to else None,
                interviewed_on=follow_up.interviewed_on,
                scores=_scores(responses.get(participation.pk, [])),
            )
        rows.append(row)
    return rows
