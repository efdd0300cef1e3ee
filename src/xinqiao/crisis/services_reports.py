"""The network's weekly reports (班级心理晴雨表, seed 002_714d38c47455f8e7.txt): sending them,
what a worried-about classmate sets off, the grade leader's forward and the chase of missing
reports.

Services trust their caller: the getter and the view (crisis/access_reports.py,
crisis/rules_reports.py) have decided that the actor may do this.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role
from xinqiao.core.steps import step_done, step_waiting
from xinqiao.crisis.models import (
    Alert,
    Mood,
    ReportChase,
    ReportForward,
    WeeklyReport,
    WorriedItem,
)
from xinqiao.crisis.recipients import student_counselor_ids
from xinqiao.crisis.selectors_reports import (
    TeachingWeek,
    current_week,
    unit_post_holders,
    unit_students,
    week_summary,
)
from xinqiao.crisis.services import raise_alert
from xinqiao.people.models import School, Student
from xinqiao.people.selectors import holders_of

WORRY_STEP = "network_worry"


def counseling_side_for(student: Student) -> list[User]:
    """The director(s) and the student's counselors (every counselor for a student without
    one): those who read why a classmate is worried."""
    counselors = holders_of(student.school_id, Role.COUNSELOR)
    responsible = student_counselor_ids(student.pk)
    if responsible:
        counselors = counselors.filter(pk__in=responsible)
    return list((holders_of(student.school_id, Role.DIRECTOR) | counselors).distinct())


def class_teachers_of(student: Student) -> list[User]:
    if student.school_class_id is None:
        return []
    return list(
        unit_post_holders(WeeklyReport.Kind.CLASS, student.school_class, Role.CLASS_TEACHER)
    )


@service
def report_submit(
    *,
    actor: User,
    kind: str,
    unit,
    mood: int,
    events: str = "",
    worries: Iterable[tuple[Student, str]] = (),
    now: datetime.datetime | None = None,
) -> WeeklyReport:
    """This week's report of ``unit``: stored once per unit and week (a second send, by the
    same reporter or a co-holder of the post, updates it), editable until the week ends.

    Each worried-about classmate is stored once per report; naming them again adds the new
    words to what was written (a double submit adds nothing). A new one tells the student's
    class teacher to keep an eye on them (never why) and waits for a counselor's review.
    """
    week = current_week(unit.school_id, now)
    if week is None:
        raise ValidationError(_("There is no teaching week now: reports are sent during term."))
    if mood not in Mood.values:
        raise ValidationError({"mood": _("Choose the mood of this week.")})
    allowed = {s.pk: s for s in unit_students(kind, unit)}
    worries = [(student, why.strip()) for student, why in worries]
    for student, why in worries:
        if student.pk not in allowed:
            raise ValidationError(_("Name only students of this class or dormitory."))
        if not why:
            raise ValidationError(
                _("Say why you are worried about %(name)s.") % {"name": student.name}
            )
    unit_field = "school_class" if kind == WeeklyReport.Kind.CLASS else "dormitory"
    where = {"semester": week.semester, "week": week.number, unit_field: unit}
    report = WeeklyReport.objects.select_for_update().filter(**where).first()
    if report is None:
        try:
            with transaction.atomic():
                report = WeeklyReport.objects.create(
                    school_id=unit.school_id,
                    kind=kind,
                    mood=mood,
                    events=events.strip(),
                    reporter=actor,
                    submitted_at=now or timezone.now(),
                    **where,
                )
        except IntegrityError:  # sent twice at once: the constraint kept the first
            report = WeeklyReport.objects.select_for_update().get(**where)
    if (report.mood, report.events) != (mood, events.strip()):
        report.mood, report.events = mood, events.strip()
        report.save(update_fields=["mood", "events", "updated_at"])
    for student, why in worries:
        _worry_add(report=report, student=student, why=why, actor=actor)
    return report


def _worry_add(*, report: WeeklyReport, student: Student, why: str, actor: User) -> None:
    item = WorriedItem.objects.filter(report=report, student=student).first()
    if item is not None:
        if why not in item.why:
            item.why = f"{item.why}\n\n{why}"
            item.save(update_fields=["why"])
        return
    item = WorriedItem.objects.create(report=report, student=student, why=why, added_by=actor)
    url = reverse("crisis:worried_detail", args=[item.pk])
    unit = report.unit
    notify(
        recipients=class_teachers_of(student),
        title=_("Please keep a gentle eye on %(name)s") % {"name": student.name},
        body=_(
            "A weekly report of %(unit)s (week %(week)s) names them. The counseling room "
            "has been told and will let you know if anything is asked of you."
        )
        % {"unit": unit, "week": report.week},
        url=url,
        level=Notification.Level.ACTION,
        school_id=report.school_id,
    )
    step_waiting(
        kind=WORRY_STEP,
        obj=item,
        assignees=counseling_side_for(student),
        title=_("A weekly report is worried about %(name)s (%(unit)s, week %(week)s)")
        % {"name": student.name, "unit": unit, "week": report.week},
        url=url,
        school_id=report.school_id,
    )


@service
def worry_to_alert(*, actor: User, item: WorriedItem, risk_level: str) -> Alert:
    """Turn a worried-about classmate into an alert at ``risk_level``, in one action.

    The alert's source is the item (raised once, however often this is sent) and the item
    links to the alert; the review step is done.
    """
    report = item.report
    evidence = _("Weekly report of %(unit)s, week %(week)s: %(why)s") % {
        "unit": report.unit,
        "week": report.week,
        "why": item.why,
    }
    alert = raise_alert(
        actor=actor,
        school=School.objects.get(pk=report.school_id),
        risk_level=risk_level,
        source=Alert.Source.NETWORK_REPORT,
        evidence=evidence,
        student=item.student,
        source_object=item,
    )
    _reviewed(item, actor=actor, alert=alert)
    return alert


def _reviewed(item: WorriedItem, *, actor: User, alert: Alert | None = None) -> WorriedItem:
    """Mark the item reviewed (once; the first reviewer stays) and done on every list."""
    locked = WorriedItem.objects.select_for_update().get(pk=item.pk)
    fields = []
    if locked.reviewed_at is None:
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        fields += ["reviewed_by", "reviewed_at"]
    if alert is not None and locked.alert_id != alert.pk:
        locked.alert = alert
        fields.append("alert")
    if fields:
        locked.save(update_fields=fields)
    step_done(obj=locked, kind=WORRY_STEP)
    return locked


@service
def worry_review(*, actor: User, item: WorriedItem) -> WorriedItem:
    """A counselor has read it and follows it up without an alert: the review step is done."""
    return _reviewed(item, actor=actor)


@service
def report_forward(*, actor: User, report: WeeklyReport, note: str) -> ReportForward:
    """The grade leader passes a report on to the counseling room with a note (once each)."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write what the counseling room should look at.")})
    existing = ReportForward.objects.filter(report=report, forwarded_by=actor).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            forward = ReportForward.objects.create(report=report, forwarded_by=actor, note=note)
    except IntegrityError:
        return ReportForward.objects.get(report=report, forwarded_by=actor)
    notify(
        recipients=holders_of(report.school_id, Role.DIRECTOR, Role.COUNSELOR),
        title=_("%(name)s forwarded the weekly report of %(unit)s (week %(week)s)")
        % {"name": actor.display_name, "unit": report.unit, "week": report.week},
        url=reverse("crisis:report_detail", args=[report.pk]),
        level=Notification.Level.ACTION,
        school_id=report.school_id,
    )
    return forward


def reports_chase(*, now: datetime.datetime | None = None) -> int:
    """Remind whoever owes this week's report: from Friday noon the reporter(s), a day later
    the class teacher (student affairs for a dormitory). Each reminder is stored once per unit,
    week and stage (``ReportChase``), so a rerun or a second worker sends nothing twice.

    Run by the task queue (crisis/tasks.py); tests pass ``now``. Returns the reminders stored.
    """
    now = now or timezone.now()
    sent = 0
    for school in School.objects.filter(semesters__is_current=True):
        week = current_week(school.pk, now)
        if week is None or not week.is_school_week or now < week.due:
            continue
        stages = [ReportChase.Stage.REPORTER]
        if now >= week.due + datetime.timedelta(days=1):
            stages.append(ReportChase.Stage.TEACHER)
        for row in week_summary(school, week, status="missing"):
            for stage in stages:
                sent += _chase(school, week, row.kind, row.unit, stage)
    return sent


def _chase(school: School, week: TeachingWeek, kind: str, unit, stage: str) -> int:
    unit_field = "school_class" if kind == WeeklyReport.Kind.CLASS else "dormitory"
    try:
        with transaction.atomic():
            ReportChase.objects.create(
                school=school,
                semester=week.semester,
                week=week.number,
                stage=stage,
                **{unit_field: unit},
            )
            if stage == ReportChase.Stage.REPORTER:
                notify(
                    recipients=unit_post_holders(kind, unit),
                    title=_("The weekly report of %(unit)s (week %(week)s) is not in yet")
                    % {"unit": unit, "week": week.number},
                    body=_("Please send it today: it takes two minutes."),
                    url=reverse("crisis:report_mine"),
                    level=Notification.Level.ACTION,
                    school_id=school.pk,
                )
            else:
                if kind == WeeklyReport.Kind.CLASS:
                    teachers = unit_post_holders(kind, unit, Role.CLASS_TEACHER)
                else:
                    teachers = holders_of(school.pk, Role.STUDENT_AFFAIRS)
                notify(
                    recipients=teachers,
                    title=_("The weekly report of %(unit)s (week %(week)s) is missing")
                    % {"unit": unit, "week": week.number},
                    body=_("The reporter was reminded yesterday. Please remind them again."),
                    url=reverse("crisis:report_list") + f"?week={week.number}",
                    level=Notification.Level.ACTION,
                    school_id=school.pk,
                )
    except IntegrityError:  # chased already (a rerun, another worker)
        return 0
    return 1
