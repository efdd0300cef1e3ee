"""Screening state changes: campaigns, taking part, saving and submitting answers, follow-ups.

Every service takes the actor, runs in one transaction (``@service``) and keeps what the
database can promise in the database: one participation per person and campaign, one response
per scale, one follow-up per participation; a submit sent twice finds the first one done.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.cases.models import Case
from xinqiao.cases.services_intake import case_open
from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role
from xinqiao.core.steps import step_done, step_waiting
from xinqiao.crisis.models import Alert
from xinqiao.crisis.services import raise_alert
from xinqiao.people.models import Grade, GuardianLink, School, SchoolClass, Staff, Student
from xinqiao.people.selectors import holders_of
from xinqiao.screening.definitions import PRIMARY_LANGUAGE, ScaleDefinition
from xinqiao.screening.library import current_library
from xinqiao.screening.models import (
    Campaign,
    ClassCode,
    FollowUp,
    Participation,
    Response,
)
from xinqiao.screening.scoring import AnswerError, ScaleResult, score_answers

FOLLOW_UP_STEP = "screening.follow_up"
# Unambiguous on a projector: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def scale_definition(key: tuple[str, str]) -> ScaleDefinition:
    return current_library().get(*key)


def _administrable(keys: Iterable[str]) -> list[str]:
    library = current_library()
    checked = []
    for key in keys:
        scale_id, _sep, version = key.partition("@")
        definition = library.definitions.get((scale_id, version))
        if definition is None or not definition.administrable:
            raise ValidationError(
                {"scales": _("The scale %(scale)s cannot be given.") % {"scale": key}}
            )
        checked.append(key)
    if not checked:
        raise ValidationError({"scales": _("Choose at least one scale.")})
    if len(set(checked)) != len(checked):
        raise ValidationError({"scales": _("A scale is chosen twice.")})
    return checked


# --- campaigns -----------------------------------------------------------------------------------
@service
def campaign_save(
    *,
    actor: User,
    school: School,
    campaign: Campaign | None = None,
    title: str,
    purpose: str,
    audience: str,
    scales: list[str],
    opens_at: datetime,
    closes_at: datetime,
    grades: Iterable[Grade] = (),
    classes: Iterable[SchoolClass] = (),
    class_teachers_see_follow_ups: bool = True,
    respondents_see_scores: bool = False,
    supportive_message: str = "",
) -> Campaign:
    """Create or change a draft campaign; once announced it is not changed (guardians were
    told what it is)."""
    if campaign is not None and campaign.state != Campaign.State.DRAFT:
        raise ValidationError(_("Only a draft campaign can be changed."))
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the campaign a title.")
    if not purpose.strip():
        errors["purpose"] = _("Say what the campaign asks and why: guardians are told this.")
    if closes_at <= opens_at:
        errors["closes_at"] = _("The window must close after it opens.")
    grades, classes = list(grades), list(classes)
    if audience == Campaign.Audience.STUDENTS and not (grades or classes):
        errors["classes"] = _("Choose the grades or classes that take part.")
    if any(g.school_id != school.pk for g in grades) or any(
        c.school_id != school.pk for c in classes
    ):
        errors["classes"] = _("Choose grades and classes of this school.")
    if audience not in Campaign.Audience.values:
        errors["audience"] = _("Choose who takes it.")
    if errors:
        raise ValidationError(errors)
    scales = _administrable(scales)
    fields = {
        "title": title.strip(),
        "purpose": purpose.strip(),
        "audience": audience,
        "scales": scales,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "class_teachers_see_follow_ups": class_teachers_see_follow_ups,
        "respondents_see_scores": respondents_see_scores,
        "supportive_message": supportive_message.strip(),
    }
    if campaign is None:
        campaign = Campaign.objects.create(school=school, created_by=actor, **fields)
    else:
        for name, value in fields.items():
            setattr(campaign, name, value)
        campaign.save()
    campaign.grades.set(grades if audience == Campaign.Audience.STUDENTS else [])
    campaign.classes.set(classes if audience == Campaign.Audience.STUDENTS else [])
    return campaign


def campaign_url(campaign: Campaign) -> str:
    return reverse("screening:campaign_detail", args=[campaign.pk])


def campaign_students(campaign: Campaign):
    """The enrolled students of the campaign's grades and classes."""
    from django.db.models import Q

    return Student.objects.filter(
        Q(school_class__in=campaign.classes.all())
        | Q(school_class__grade__in=campaign.grades.all()),
        school_id=campaign.school_id,
        status=Student.Status.ENROLLED,
    ).distinct()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(6))


@service
def campaign_announce(*, actor: User, campaign: Campaign) -> Campaign:
    """Announce a draft: everyone in scope is invited (one row each), every class gets its
    access code, guardians are told what, why and who sees results, and may opt out."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != Campaign.State.DRAFT:
        return campaign  # announced twice: once
    if campaign.closes_at <= timezone.now():
        raise ValidationError(_("The window has already closed; choose a later one."))
    _administrable(campaign.scales)
    if campaign.audience == Campaign.Audience.STUDENTS:
        students = list(campaign_students(campaign).select_related("user"))
        if not students:
            raise ValidationError(_("No enrolled student is in the chosen grades and classes."))
        Participation.objects.bulk_create(
            Participation(
                school_id=campaign.school_id,
                campaign=campaign,
                student=student,
                school_class_id=student.school_class_id,
            )
            for student in students
        )
        for class_id in sorted({s.school_class_id for s in students if s.school_class_id}):
            ClassCode.objects.create(
                campaign=campaign, school_class_id=class_id, code=_unique_code()
            )
        _tell_guardians(campaign, students)
        respondents = [s.user for s in students if s.user_id]
    else:
        teachers = list(
            Staff.objects.filter(school_id=campaign.school_id, is_active=True).select_related(
                "user"
            )
        )
        if not teachers:
            raise ValidationError(_("No teacher of the school is on the staff list."))
        Participation.objects.bulk_create(
            Participation(school_id=campaign.school_id, campaign=campaign, teacher=teacher)
            for teacher in teachers
        )
        respondents = [t.user for t in teachers if t.user_id]
    notify(
        recipients=respondents,
        title=_("A questionnaire for you: %(title)s") % {"title": campaign.title},
        url=reverse("screening:my_questionnaires"),
        school_id=campaign.school_id,
    )
    campaign.state, campaign.announced_at = Campaign.State.ANNOUNCED, timezone.now()
    campaign.save(update_fields=["state", "announced_at"])
    return campaign


def _unique_code() -> str:
    for _attempt in range(20):
        code = _new_code()
        if not ClassCode.objects.filter(code=code).exists():
            return code
    raise ValidationError(_("No free class code could be found; please try again."))


def _tell_guardians(campaign: Campaign, students: list[Student]) -> None:
    links = GuardianLink.objects.filter(
        student__in=students, guardian__user__isnull=False
    ).select_related("guardian__user")
    notify(
        recipients=[link.guardian.user for link in links],
        title=_("Screening notice: %(title)s") % {"title": campaign.title},
        body=_(
            "The school asks the students to fill in a questionnaire between %(opens)s and "
            "%(closes)s. Read what it asks, why, and who sees the results; you may opt your "
            "child out."
        )
        % {
            "opens": timezone.localtime(campaign.opens_at).strftime("%Y-%m-%d %H:%M"),
            "closes": timezone.localtime(campaign.closes_at).strftime("%Y-%m-%d %H:%M"),
        },
        url=reverse("screening:notice", args=[campaign.pk]),
        school_id=campaign.school_id,
    )


@service
def campaign_close(*, actor: User, campaign: Campaign) -> Campaign:
    """Close early (or record the end): nobody can start or submit any more."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != Campaign.State.ANNOUNCED:
        raise ValidationError(_("Only an announced campaign can be closed."))
    campaign.state, campaign.closed_at = Campaign.State.CLOSED, timezone.now()
    campaign.save(update_fields=["state", "closed_at"])
    return campaign


@service
def campaign_cancel(*, actor: User, campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state not in (Campaign.State.DRAFT, Campaign.State.ANNOUNCED):
        raise ValidationError(_("This campaign can no longer be cancelled."))
    if campaign.participations.filter(state=Participation.State.SUBMITTED).exists():
        raise ValidationError(_("Answers have been submitted: close the campaign instead."))
    campaign.state, campaign.closed_at = Campaign.State.CANCELLED, timezone.now()
    campaign.save(update_fields=["state", "closed_at"])
    return campaign


# --- a guardian's opt-out ------------------------------------------------------------------------
@service
def opt_out(*, actor: User, participation: Participation) -> Participation:
    """The guardian keeps the child out (or staff record a guardian's opt-out on paper)."""
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    if participation.state == Participation.State.OPTED_OUT:
        return participation
    if participation.state == Participation.State.SUBMITTED:
        raise ValidationError(_("The questionnaire was already submitted."))
    campaign = participation.campaign
    if campaign is None or campaign.state not in (
        Campaign.State.DRAFT,
        Campaign.State.ANNOUNCED,
    ):
        raise ValidationError(_("This campaign has ended."))
    participation.state = Participation.State.OPTED_OUT
    participation.opted_out_at, participation.opted_out_by = timezone.now(), actor
    participation.save(update_fields=["state", "opted_out_at", "opted_out_by"])
    participation.responses.all().delete()  # nothing the child began is kept
    return participation


@service
def opt_out_withdraw(*, actor: User, participation: Participation) -> Participation:
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    if participation.state != Participation.State.OPTED_OUT:
        return participation
    if participation.campaign.closes_at <= timezone.now():
        raise ValidationError(_("This campaign has ended."))
    participation.state = Participation.State.INVITED
    participation.opted_out_at, participation.opted_out_by = None, None
    participation.save(update_fields=["state", "opted_out_at", "opted_out_by"])
    return participation


# --- taking part ---------------------------------------------------------------------------------
def _require_takeable(participation: Participation, at: datetime | None = None) -> None:
    if participation.state == Participation.State.OPTED_OUT:
        raise ValidationError(_("Your guardian has opted you out of this questionnaire."))
    if participation.state == Participation.State.SUBMITTED:
        raise ValidationError(_("You have already submitted this questionnaire."))
    campaign = participation.campaign
    if campaign is not None and not campaign.is_open(at):
        raise ValidationError(_("This questionnaire is not open now."))


def class_code_enter(
    *, code: str, student_number: str, name: str, at: datetime | None = None
) -> Participation:
    """A student at a shared computer: the class code, their student number and name. The
    code works only in its window, only for its class, and once per student."""
    at = at or timezone.now()
    refused = _("The class code, student number or name is not right. Check them and try again.")
    found = (
        ClassCode.objects.select_related("campaign")
        .filter(code=code.strip().upper().replace(" ", ""))
        .first()
    )
    if found is None:
        raise ValidationError({"code": refused})
    campaign = found.campaign
    if not campaign.is_open(at):
        if campaign.state == Campaign.State.ANNOUNCED and at < campaign.opens_at:
            raise ValidationError(
                {
                    "code": _("This class code works only from %(opens)s.")
                    % {"opens": timezone.localtime(campaign.opens_at).strftime("%Y-%m-%d %H:%M")}
                }
            )
        raise ValidationError({"code": _("This class code has expired.")})
    participation = (
        Participation.objects.select_related("student", "campaign")
        .filter(
            campaign=campaign,
            school_class_id=found.school_class_id,
            student__student_number=student_number.strip(),
            student__name=name.strip(),
        )
        .first()
    )
    if participation is None:
        raise ValidationError({"code": refused})
    _require_takeable(participation, at)
    participation_start(participation=participation, via=Participation.Via.CLASS_CODE)
    return participation


@transaction.atomic
def participation_start(*, participation: Participation, via: str) -> Participation:
    """The first screen is shown: started (once; a second device resumes the same answers)."""
    # A scale given during a case keeps where it was given to be answered (the counselor's
    # screen or the student's account): who may open it depends on it (access.py).
    via = participation.via if participation.case_id is not None and participation.via else via
    updated = Participation.objects.filter(
        pk=participation.pk, state=Participation.State.INVITED
    ).update(state=Participation.State.STARTED, started_at=timezone.now(), via=via)
    if updated:
        participation.refresh_from_db()
    return participation


def _clean_answers(definition: ScaleDefinition, answers: Mapping) -> dict[str, int]:
    cleaned = {}
    items = {item.id: item for item in definition.items}
    for item_id, value in answers.items():
        if item_id not in items:
            raise ValidationError(_("An answer belongs to no question of this scale."))
        if value is None or value == "":
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("An answer is not one of the choices.")) from None
        allowed = {o.value for o in definition.item_options(items[item_id])}
        if value not in allowed:
            raise ValidationError(_("An answer is not one of the choices."))
        cleaned[item_id] = value
    return cleaned


def answers_of(response: Response) -> dict[str, int]:
    return json.loads(response.answers or "{}")


def answers_save(
    *, participation: Participation, scale_id: str, answers: Mapping, seq: int
) -> bool:
    """Save the browser's answers to one scale as they go. ``seq`` counts the browser's
    saves: an older save arriving after a newer one changes nothing (False is returned)."""
    _require_takeable(participation)
    key = next((k for k in participation.scale_keys if k[0] == scale_id), None)
    if key is None:
        raise ValidationError(_("This scale is not part of the questionnaire."))
    cleaned = _clean_answers(scale_definition(key), answers)
    mine = Response.objects.filter(participation=participation, scale_id=key[0])
    stored = {"answers": json.dumps(cleaned), "seq": seq, "saved_at": timezone.now()}
    # Only while the state as stored now lets it be answered: an opt-out or a submit from
    # another tab may have come since the participation was read.
    takeable = (Participation.State.INVITED, Participation.State.STARTED)
    with transaction.atomic():
        # Every save but the first finds its row: one UPDATE (the save path runs every few
        # answers of every respondent: issue 15's benchmark).
        changed = bool(mine.filter(seq__lt=seq, participation__state__in=takeable).update(**stored))
        if not changed:
            participation.state = (
                Participation.objects.filter(pk=participation.pk)
                .values_list("state", flat=True)
                .get()
            )
            _require_takeable(participation)
            _response, changed = Response.objects.get_or_create(
                participation=participation,
                scale_id=key[0],
                defaults={"scale_version": key[1], **stored},
            )
            if not changed:  # there already, or a first save of another tab came in between
                changed = bool(mine.filter(seq__lt=seq).update(**stored))
    if participation.state == Participation.State.INVITED:
        participation_start(participation=participation, via=participation.via or "account")
    return changed


@service
def participation_submit(
    *, actor: User | None, participation: Participation, answers: Mapping[str, Mapping] = ()
) -> Participation:
    """Score every scale and submit, once: sent twice, the second finds it submitted and
    returns it unchanged. ``answers`` (scale id → answers) are the browser's last ones.

    A band that asks for it, or a critical answer, puts the person on the follow-up list; a
    critical answer raises an alert through the crisis app at once.
    """
    participation = (
        Participation.objects.select_for_update(of=("self",))
        .select_related("campaign", "student", "teacher")
        .get(pk=participation.pk)
    )
    if participation.state == Participation.State.SUBMITTED:
        return participation
    _require_takeable(participation)
    responses = {r.scale_id: r for r in participation.responses.select_for_update()}
    results: list[tuple[Response, ScaleResult]] = []
    for key in participation.scale_keys:
        definition = scale_definition(key)
        given = (answers or {}).get(key[0])
        stored = responses.get(key[0])
        current = _clean_answers(definition, given) if given is not None else None
        if current is None:
            current = answers_of(stored) if stored is not None else {}
        try:
            result = score_answers(definition, current)
        except AnswerError:
            raise ValidationError(_("An answer is not one of the choices.")) from None
        if not result.valid and not result.critical:
            raise ValidationError(
                _("Some questions of %(scale)s are not answered yet.")
                % {"scale": definition.name[PRIMARY_LANGUAGE]}
            )
        response = stored or Response(
            participation=participation, scale_id=key[0], scale_version=key[1]
        )
        _write_scores(response, result, current)
        results.append((response, result))
    participation.state = Participation.State.SUBMITTED
    participation.submitted_at = timezone.now()
    participation.save(update_fields=["state", "submitted_at"])
    # A scale given during a case is followed up in that case; a campaign's flag needs an
    # interview.
    if participation.campaign_id is not None and any(r.follow_up for r, _res in results):
        _open_follow_up(participation)
    for response, result in results:
        if result.alert_level:
            _raise_critical_alert(actor, participation, response, result)
    return participation


def _write_scores(response: Response, result: ScaleResult, answers: dict) -> None:
    total = result.total
    response.answers = json.dumps(answers)
    response.scale_version = result.version
    response.scored_at = timezone.now()
    response.valid = total.valid
    response.total = round(float(total.value), 4) if total.value is not None else None
    response.total_scaled = round(float(total.scaled), 4) if total.scaled is not None else None
    response.band = total.band.id if total.band else ""
    response.critical_level = result.alert_level or ""
    response.follow_up = bool(result.critical) or bool(total.band and total.band.follow_up)
    response.subscales = {
        sid: {
            "value": float(s.value) if s.value is not None else None,
            "band": s.band.id if s.band else "",
            "valid": s.valid,
        }
        for sid, s in result.subscales.items()
    }
    response.save()


def _open_follow_up(participation: Participation) -> FollowUp:
    follow_up, _created = FollowUp.objects.get_or_create(
        participation=participation, defaults={"school_id": participation.school_id}
    )
    step_waiting(
        kind=FOLLOW_UP_STEP,
        obj=follow_up,
        assignees=holders_of(participation.school_id, Role.DIRECTOR),
        title=_("A screening result waits for a follow-up interview to be assigned"),
        url=reverse("screening:follow_up_list"),
        school_id=participation.school_id,
    )
    return follow_up


def _raise_critical_alert(actor, participation, response: Response, result: ScaleResult):
    definition = scale_definition((response.scale_id, response.scale_version))
    items = ", ".join(hit.item for hit in result.critical)
    raise_alert(
        actor=actor,
        school=School.objects.get(pk=participation.school_id),
        risk_level=result.alert_level,
        source=Alert.Source.SCREENING,
        evidence=_("Critical answer in %(scale)s (%(items)s).")
        % {"scale": definition.name[PRIMARY_LANGUAGE], "items": items},
        student=participation.student,
        person_description=str(participation.teacher) if participation.teacher_id else "",
        source_object=response,
    )


# --- follow-up interviews ------------------------------------------------------------------------
@service
def follow_up_assign(*, actor: User, follow_up: FollowUp, interviewer: User) -> FollowUp:
    if not interviewer.has_role(Role.COUNSELOR, Role.DIRECTOR, school_id=follow_up.school_id):
        raise ValidationError({"interviewer": _("Choose a counselor of this school.")})
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.conclusion != FollowUp.Conclusion.PENDING:
        raise ValidationError(_("The interview has already been recorded."))
    follow_up.assigned_to = interviewer
    follow_up.save(update_fields=["assigned_to"])
    step_done(obj=follow_up, kind=FOLLOW_UP_STEP)
    step_waiting(
        kind=FOLLOW_UP_STEP,
        obj=follow_up,
        assignees=[interviewer],
        title=_("A screening follow-up interview is yours to hold"),
        url=reverse("screening:follow_up_detail", args=[follow_up.pk]),
        school_id=follow_up.school_id,
    )
    return follow_up


@service
def follow_up_conclude(
    *,
    actor: User,
    follow_up: FollowUp,
    conclusion: str,
    interviewed_on: date,
    notes: str = "",
) -> FollowUp:
    """Record the interview: a confirmed concern opens a case through the cases app (its
    intake names the screening, never the answers); no concern closes the follow-up."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.conclusion != FollowUp.Conclusion.PENDING:
        raise ValidationError(_("The interview has already been recorded."))
    if conclusion not in (FollowUp.Conclusion.CONFIRMED, FollowUp.Conclusion.NO_CONCERN):
        raise ValidationError({"conclusion": _("Choose what the interview concluded.")})
    if interviewed_on > timezone.localdate():
        raise ValidationError({"interviewed_on": _("The interview cannot be in the future.")})
    participation = follow_up.participation
    if conclusion == FollowUp.Conclusion.CONFIRMED:
        if participation.student_id is None:
            raise ValidationError(
                {"conclusion": _("A teacher's concern is followed up outside case work.")}
            )
        follow_up.case = case_open(
            actor=actor,
            student=participation.student,
            channel=Case.Channel.SCREENING,
            problem=_("Concern confirmed in the follow-up interview of a screening result."),
            source_object=follow_up,
            submission_key=f"screening-follow-up-{follow_up.pk}",
        )
    follow_up.conclusion = conclusion
    follow_up.interviewed_on = interviewed_on
    follow_up.notes = notes.strip()
    follow_up.concluded_by = actor
    if follow_up.assigned_to_id is None:
        follow_up.assigned_to = actor
    follow_up.save()
    step_done(obj=follow_up, kind=FOLLOW_UP_STEP)
    return follow_up


# --- a scale given during a case -----------------------------------------------------------------
@service
def case_scale_give(*, actor: User, case: Case, scale: str, via: str) -> Participation:
    """A counselor gives one scale to the case's student, on the counselor's screen now or
    sent to the student's account; the result goes into the student's file."""
    (key,) = _administrable([scale])
    if via not in (Participation.Via.COUNSELOR, Participation.Via.ACCOUNT):
        raise ValidationError({"via": _("Choose where the student answers.")})
    if via == Participation.Via.ACCOUNT and case.student.user_id is None:
        raise ValidationError({"via": _("The student has no account: answer it together here.")})
    participation = Participation.objects.create(
        school_id=case.school_id,
        case=case,
        case_scale=key,
        given_by=actor,
        student=case.student,
        school_class_id=case.student.school_class_id,
        via=via,
    )
    if via == Participation.Via.ACCOUNT:
        notify(
            recipients=[case.student.user],
            title=_("Your counselor sent you a questionnaire"),
            url=reverse("screening:my_questionnaires"),
            level=Notification.Level.ACTION,
            school_id=case.school_id,
        )
    return participation
