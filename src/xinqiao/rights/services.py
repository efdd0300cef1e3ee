"""State changes of a guardian's record request (STYLE.md 1-2), each one atomic and recorded.

received → under review → decided → released (a copy) | closed (a refusal, a correction);
withdrawn by the guardian before a decision. The director decides; a session record goes
into a copy only when a counselor of its case has reviewed it for this request.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.cases.models import CaseCounselor, SessionRecord
from xinqiao.core.access_log import record_access
from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role
from xinqiao.core.steps import step_done, step_waiting
from xinqiao.crisis.disclosures import record_disclosure
from xinqiao.crisis.models import Disclosure
from xinqiao.people.models import GuardianLink, Student
from xinqiao.people.selectors import holders_of
from xinqiao.rights.models import NoteReview, RecordCorrection, RecordRequest

DECIDE_STEP = "rights.decide"
REVIEW_STEP = "rights.review"


def linked_children(user: User):
    """The children the user is a linked guardian of (people.GuardianLink), by name."""
    ids = GuardianLink.objects.filter(guardian__user_id=user.pk).values("student_id")
    return (
        Student.objects.filter(pk__in=ids)
        .select_related("school", "school_class")
        .order_by("name", "pk")
    )


def submitted_before(submission_key: str | None) -> bool:
    return bool(submission_key) and (
        RecordRequest.objects.filter(submission_key=submission_key).exists()
    )


def reviews_of(request: RecordRequest) -> dict[int, NoteReview]:
    """The counselors' reviews of the request, by session record."""
    reviews = NoteReview.objects.filter(request=request).select_related("reviewed_by")
    return {review.record_id: review for review in reviews}


def _move(request: RecordRequest, to: str) -> None:
    if to not in RecordRequest.TRANSITIONS[request.state]:
        raise ValidationError(
            _("The request is %(state)s: this step is no longer possible.")
            % {"state": request.get_state_display()}
        )
    request.state = to


def _url(request: RecordRequest) -> str:
    return reverse("rights:request_detail", kwargs={"pk": request.pk})


def _tell_guardian(request: RecordRequest, title: str) -> None:
    """The guardian is told of each step, with no confidential text: the page shows it."""
    notify(
        recipients=[request.guardian],
        title=title % {"number": request.number},
        url=_url(request),
        school_id=request.school_id,
    )


@service
def request_submit(
    *,
    actor: User,
    student: Student,
    kind: str,
    asked: str,
    record_reference: str = "",
    correction: str = "",
    submission_key: str | None = None,
) -> RecordRequest:
    """A linked guardian asks for a copy or a correction of their child's records; the
    director is told and the 30-day deadline starts (settings.RIGHTS_RESPONSE_DAYS)."""
    link = (
        GuardianLink.objects.filter(guardian__user_id=actor.pk, student=student)
        .select_related("guardian")
        .first()
    )
    if link is None:
        raise ValidationError(_("Only a guardian linked to the child may ask."))
    if kind not in RecordRequest.Kind.values:
        raise ValidationError({"kind": _("Choose a copy or a correction.")})
    if not asked.strip():
        raise ValidationError({"asked": _("Say what you ask for.")})
    if kind == RecordRequest.Kind.CORRECTION and not correction.strip():
        raise ValidationError({"correction": _("Say what the record should say instead.")})
    if submission_key:
        existing = RecordRequest.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            request = RecordRequest.objects.create(
                school_id=student.school_id,
                student=student,
                guardian=actor,
                guardian_name=link.guardian.name or actor.display_name,
                kind=kind,
                asked=asked.strip(),
                record_reference=record_reference.strip() if kind == "correction" else "",
                correction=correction.strip() if kind == "correction" else "",
                received_at=now,
                due_at=RecordRequest.due_for(now),
                submission_key=submission_key or None,
            )
    except IntegrityError:
        return RecordRequest.objects.get(submission_key=submission_key)
    step_waiting(
        kind=DECIDE_STEP,
        obj=request,
        assignees=holders_of(student.school_id, Role.DIRECTOR),
        title=_("A guardian asks for their child's records (%(number)s), due %(due)s")
        % {"number": request.number, "due": timezone.localdate(request.due_at).isoformat()},
        url=_url(request),
        school_id=student.school_id,
    )
    return request


def child_records(request: RecordRequest):
    """The child's session records, oldest first (what a copy could hold)."""
    return (
        SessionRecord.objects.filter(case__student_id=request.student_id)
        .select_related("case", "written_by")
        .order_by("held_at", "pk")
    )


@service
def request_take_up(*, actor: User, request: RecordRequest) -> RecordRequest:
    """The director takes the request up; for a copy, the counselors of the child's cases are
    asked to review the session records."""
    _move(request, RecordRequest.State.UNDER_REVIEW)
    request.save(update_fields=["state"])
    if request.kind == RecordRequest.Kind.COPY:
        counselors = User.objects.filter(
            pk__in=CaseCounselor.objects.filter(case__student_id=request.student_id).values(
                "user_id"
            ),
            is_active=True,
        )
        step_waiting(
            kind=REVIEW_STEP,
            obj=request,
            assignees=counselors,
            title=_("Review session records for a guardian's request (%(number)s)")
            % {"number": request.number},
            url=_url(request),
            school_id=request.school_id,
        )
    _tell_guardian(request, _("Your request %(number)s is under review"))
    return request


@service
def notes_review(
    *, actor: User, request: RecordRequest, releasable: Iterable[int], reviewed: Iterable[int]
) -> list[NoteReview]:
    """A counselor of the records' cases marks which of ``reviewed`` may be released (those
    in ``releasable``); a record of a case they do not hold is refused."""
    if request.state != RecordRequest.State.UNDER_REVIEW:
        raise ValidationError(_("Records are reviewed while the request is under review."))
    releasable = {int(pk) for pk in releasable}
    records = list(
        child_records(request).filter(
            pk__in=[int(pk) for pk in reviewed], case__counselors__user_id=actor.pk
        )
    )
    if not records:
        raise ValidationError(_("None of these records is of a case you hold."))
    now = timezone.now()
    done = []
    for record in records:
        review, _created = NoteReview.objects.update_or_create(
            request=request,
            record=record,
            defaults={
                "may_release": record.pk in releasable,
                "reviewed_by": actor,
                "reviewed_at": now,
            },
        )
        done.append(review)
    if _all_reviewed(request):
        step_done(obj=request, kind=REVIEW_STEP)
    return done


def _all_reviewed(request: RecordRequest) -> bool:
    reviewed = NoteReview.objects.filter(request=request).values("record_id")
    return not child_records(request).exclude(pk__in=reviewed).exists()


def released_record_ids(request: RecordRequest) -> set[int]:
    """Session records a counselor reviewed and allowed for this request: the only ones a copy
    may hold (never a session note without its counselor's review)."""
    return set(
        NoteReview.objects.filter(request=request, may_release=True).values_list(
            "record_id", flat=True
        )
    )


def _part_labels(parts: Iterable[str]) -> str:
    labels = dict(RecordRequest.Part.choices)
    return "、".join(str(labels[part]) for part in parts)


@service
def request_decide(
    *,
    actor: User,
    request: RecordRequest,
    outcome: str,
    reasons: str = "",
    parts: Iterable[str] = (),
    record: SessionRecord | None = None,
    correction_text: str = "",
    http_request=None,
) -> RecordRequest:
    """The director's decision, with reasons where anything is withheld. A refusal and a
    correction close the request; a copy to release waits for ``request_release``. The
    decision is entered in the disclosure register and the access log."""
    outcomes = (
        RecordRequest.COPY_OUTCOMES
        if request.kind == RecordRequest.Kind.COPY
        else RecordRequest.CORRECTION_OUTCOMES
    )
    if outcome not in outcomes:
        raise ValidationError({"outcome": _("Choose a decision.")})
    reasons = reasons.strip()
    if outcome in (RecordRequest.Outcome.REFUSE, RecordRequest.Outcome.RELEASE_PART) and not (
        reasons
    ):
        raise ValidationError({"reasons": _("Give the guardian the reasons for the decision.")})
    if outcome == RecordRequest.Outcome.RELEASE_ALL:
        parts = list(RecordRequest.Part.values)
    elif outcome == RecordRequest.Outcome.RELEASE_PART:
        parts = [part for part in RecordRequest.Part.values if part in set(parts)]
        if not parts:
            raise ValidationError({"parts": _("Choose what is released.")})
        if RecordRequest.Part.RECORDS in parts and RecordRequest.Part.CASES not in parts:
            raise ValidationError(
                {"parts": _("Session records are released within their cases: choose both.")}
            )
    else:
        parts = []
    if record is not None and record.case.student_id != request.student_id:
        raise ValidationError({"record": _("The record is not the child's.")})
    correction_text = (correction_text or request.correction).strip()
    if outcome == RecordRequest.Outcome.ACCEPT and not correction_text:
        raise ValidationError({"correction_text": _("Write the correction.")})
    _move(request, RecordRequest.State.DECIDED)
    request.outcome = outcome
    request.parts = parts
    request.reasons = reasons
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["state", "outcome", "parts", "reasons", "decided_by", "decided_at"])
    if outcome == RecordRequest.Outcome.ACCEPT:
        RecordCorrection.objects.create(
            request=request, record=record, text=correction_text, applied_by=actor
        )
    if not request.releases:
        _move(request, RecordRequest.State.CLOSED)
        request.closed_at = timezone.now()
        request.save(update_fields=["state", "closed_at"])
    record_disclosure(
        actor=actor,
        school_id=request.school_id,
        recipient_kind=Disclosure.RecipientKind.GUARDIAN,
        recipient=request.guardian_name,
        what=_("Decision on the guardian's request %(number)s: %(outcome)s. %(parts)s")
        % {
            "number": request.number,
            "outcome": request.get_outcome_display(),
            "parts": _part_labels(parts),
        },
        why=_("The guardian asked for %(kind)s of the child's records (PIPL art. 45-46).")
        % {"kind": request.get_kind_display()},
        ground=Disclosure.Ground.LAW,
        student=request.student,
    )
    record_access(
        actor=actor,
        action="disclose",
        obj=request,
        request=http_request,
        basis=f"rights: decision {outcome}",
    )
    step_done(obj=request)
    _tell_guardian(request, _("Your request %(number)s is decided"))
    return request


@service
def request_release(*, actor: User, request: RecordRequest, http_request=None) -> RecordRequest:
    """Produce the watermarked copy of what was decided, keep it, and tell the guardian."""
    from xinqiao.rights.release import release_document

    if not request.releases:
        raise ValidationError(_("Nothing was decided to be released."))
    _move(request, RecordRequest.State.RELEASED)
    now = timezone.now()
    request.released_by = actor
    request.released_at = now
    content, record_count = release_document(request, reader=actor)
    request.released_copy = base64.b64encode(content).decode("ascii")
    request.save(update_fields=["state", "released_by", "released_at", "released_copy"])
    record_disclosure(
        actor=actor,
        school_id=request.school_id,
        recipient_kind=Disclosure.RecipientKind.GUARDIAN,
        recipient=request.guardian_name,
        what=_("Watermarked copy of request %(number)s: %(parts)s; %(count)s session records.")
        % {"number": request.number, "parts": _part_labels(request.parts), "count": record_count},
        why=_("The guardian asked for a copy of the child's records (PIPL art. 45)."),
        ground=Disclosure.Ground.LAW,
        student=request.student,
        decided_by=request.decided_by,
        source_object=request,
    )
    record_access(
        actor=actor,
        action="export",
        obj=request,
        request=http_request,
        basis="rights: copy released to the guardian",
    )
    _tell_guardian(request, _("The copy for your request %(number)s is ready to download"))
    return request


def released_copy(request: RecordRequest) -> bytes:
    return base64.b64decode(request.released_copy)


@service
def request_withdraw(*, actor: User, request: RecordRequest) -> RecordRequest:
    """The guardian withdraws a request not yet decided; the steps waiting on it end."""
    if request.guardian_id != actor.pk:
        raise ValidationError(_("Only the guardian who asked may withdraw the request."))
    _move(request, RecordRequest.State.WITHDRAWN)
    request.closed_at = timezone.now()
    request.save(update_fields=["state", "closed_at"])
    step_done(obj=request)
    return request


def requests_remind(*, now=None) -> int:
    """Once a day: tell each school's director of the open requests due within
    RIGHTS_REMIND_DAYS or overdue. A request is counted once a day, however often this runs."""
    from django.conf import settings

    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = now + timezone.timedelta(days=settings.RIGHTS_REMIND_DAYS)
    due = RecordRequest.objects.filter(
        state__in=RecordRequest.OPEN_STATES, due_at__lte=horizon
    ).exclude(reminded_on=today)
    told = 0
    by_school: dict[int, list[RecordRequest]] = {}
    for request in due.order_by("due_at"):
        by_school.setdefault(request.school_id, []).append(request)
    for school_id, requests in by_school.items():
        with transaction.atomic():
            overdue = sum(1 for r in requests if r.due_at < now)
            notify(
                recipients=holders_of(school_id, Role.DIRECTOR),
                title=_(
                    "Guardians' record requests: %(soon)s due within %(days)s days, "
                    "%(overdue)s overdue"
                )
                % {
                    "soon": len(requests) - overdue,
                    "days": settings.RIGHTS_REMIND_DAYS,
                    "overdue": overdue,
                },
                url=reverse("rights:request_list") + "?due=soon",
                level=Notification.Level.ACTION,
                school_id=school_id,
            )
            RecordRequest.objects.filter(pk__in=[r.pk for r in requests]).update(reminded_on=today)
        told += len(requests)
    return told
