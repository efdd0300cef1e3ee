"""Access grants (issue 16 item 1): asking, deciding, revoking, and the rule they open.

Seed 000: 未经负责人同意，值班人员严禁随意翻阅心理咨询室存放的材料和文件.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.cases.factories import case_at
from tests.factories import make_user
from xinqiao.cases import services_grants as services
from xinqiao.cases.models import ALL_PARTS, AccessGrant, Case, SessionRecord, SupportPlan
from xinqiao.core.models import Notification, PendingStep
from xinqiao.people.models import Student

REASON = "值班时家长来电询问，需要了解帮扶方案。"


def make_student(school, school_class, name: str = "李四") -> Student:
    number = f"20260799{Student.objects.count():02d}"
    user = make_user("student", school=school, username=f"s{number}")
    return Student.objects.create(
        school=school,
        user=user,
        name=name,
        student_number=number,
        gender="F",
        school_class=school_class,
    )


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def ask(cast, case=None, *, who=None, parts=ALL_PARTS, days=3, student=None):
    return services.grant_request(
        actor=who or cast.duty,
        case=case,
        student=student,
        reason=REASON,
        ends_at=in_days(days),
        parts=parts,
    )


@pytest.fixture
def case(cast):
    return case_at(cast, "closing")


def test_a_duty_person_reads_nothing_of_a_case_without_a_grant(cast, case):
    assert not case.read_by(cast.duty)
    assert not Case.objects.for_user(cast.duty).exists()
    assert not SessionRecord.objects.for_user(cast.duty).exists()


def test_a_request_waits_on_the_directors_list_without_its_reason_in_the_notice(cast, case):
    grant = ask(cast, case)
    assert grant.state == "requested" and not grant.in_force
    assert grant.student_id == case.student_id and grant.expires_at == grant.ends_at
    step = PendingStep.objects.get(assignee=cast.director, kind=services.DECISION_STEP)
    notice = step.notification
    assert REASON not in notice.title + notice.body and step.url.endswith(f"/grants/{grant.pk}/")
    assert not case.read_by(cast.duty)  # asked is not granted


def test_approval_opens_the_case_read_only_until_the_end(cast, case):
    grant = services.grant_approve(actor=cast.director, grant=ask(cast, case))
    case = Case.objects.get(pk=case.pk)
    assert grant.in_force and case.read_by(cast.duty)
    assert list(Case.objects.for_user(cast.duty)) == [case]
    assert cast.duty.has_perm("cases.view_case", case)
    for perm in ("write_records", "assess_case", "approve_plan", "refer_case", "draft_plan"):
        assert not cast.duty.has_perm(f"cases.{perm}", case)
    assert not PendingStep.objects.filter(kind=services.DECISION_STEP).exists()
    told = Notification.objects.get(recipient=cast.duty)
    assert f"#{grant.pk}" in told.title


def test_only_the_case_granted_is_read(cast, case):
    other_student = make_student(cast.school, cast.school_class, name="李四")
    other = case_at(cast, "active", student=other_student)
    services.grant_approve(actor=cast.director, grant=ask(cast, case))
    assert list(Case.objects.for_user(cast.duty)) == [case]
    assert not Case.objects.get(pk=other.pk).read_by(cast.duty)


def test_a_file_grant_reads_every_case_of_the_student_and_not_others(cast, case):
    second = case_at(cast, "active")
    other = case_at(cast, "active", student=make_student(cast.school, cast.school_class))
    grant = ask(cast, student=cast.student_record)
    services.grant_approve(actor=cast.director, grant=grant)
    assert set(Case.objects.for_user(cast.duty)) == {case, second}
    assert not Case.objects.get(pk=other.pk).read_by(cast.duty)
    student = Student.objects.get(pk=cast.student_record.pk)
    assert cast.duty.has_perm("cases.view_student_file", student)
    # Read only: no print (a copy, seed 000 不可复印) and never an export.
    assert not cast.duty.has_perm("cases.print_student_file", student)
    assert not cast.duty.has_perm("cases.export_student_file", student)


def test_narrowed_parts_hide_the_others_in_every_query(cast, case):
    grant = ask(cast, case)
    services.grant_approve(actor=cast.director, grant=grant, parts={"plan"})
    case = Case.objects.get(pk=case.pk)
    assert case.parts_read_by(cast.duty) == {"plan"}
    assert SupportPlan.objects.for_user(cast.duty).filter(case=case).exists()
    assert not SessionRecord.objects.for_user(cast.duty).exists()
    assert cast.duty.has_perm("cases.view_case_plan", case)
    assert not cast.duty.has_perm("cases.view_case_records", case)


def test_the_director_may_shorten_and_narrow_but_never_widen_or_lengthen(cast, case):
    grant = ask(cast, case, parts={"plan", "records"}, days=5)
    with pytest.raises(ValidationError):
        services.grant_approve(actor=cast.director, grant=grant, parts={"plan", "assessment"})
    with pytest.raises(ValidationError):
        services.grant_approve(actor=cast.director, grant=grant, ends_at=in_days(6))
    with pytest.raises(ValidationError):
        services.grant_approve(actor=cast.director, grant=grant, parts=set())
    grant = services.grant_approve(
        actor=cast.director, grant=grant, parts={"records"}, ends_at=in_days(1)
    )
    assert grant.granted_parts == {"records"} and grant.expires_at < grant.ends_at


def test_expiry_refuses_the_next_request(cast, case):
    grant = services.grant_approve(actor=cast.director, grant=ask(cast, case))
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    assert not Case.objects.get(pk=case.pk).read_by(cast.duty)
    assert not Case.objects.for_user(cast.duty).exists()
    grant.refresh_from_db()
    assert grant.expired and grant.status_label == "已过期"


def test_revocation_refuses_the_next_request_and_tells_the_requester(cast, case):
    grant = services.grant_approve(actor=cast.director, grant=ask(cast, case))
    services.grant_revoke(actor=cast.director, grant=grant)
    assert not Case.objects.get(pk=case.pk).read_by(cast.duty)
    assert Notification.objects.filter(recipient=cast.duty).count() == 2
    with pytest.raises(ValidationError):
        services.grant_revoke(actor=cast.director, grant=grant)


def test_a_refusal_needs_a_note_and_ends_the_request(cast, case):
    grant = ask(cast, case)
    with pytest.raises(ValidationError):
        services.grant_refuse(actor=cast.director, grant=grant, note=" ")
    grant = services.grant_refuse(actor=cast.director, grant=grant, note="请直接联系心理教师。")
    assert grant.state == "refused"
    with pytest.raises(ValidationError):
        services.grant_approve(actor=cast.director, grant=grant)


def test_only_the_requester_withdraws_and_only_while_it_waits(cast, case):
    grant = ask(cast, case)
    with pytest.raises(ValidationError):
        services.grant_withdraw(actor=cast.class_teacher, grant=grant)
    grant = services.grant_withdraw(actor=cast.duty, grant=grant)
    assert grant.state == "withdrawn"
    with pytest.raises(ValidationError):
        services.grant_approve(actor=cast.director, grant=grant)
    ask(cast, case)  # asking again is a new request


def test_only_the_schools_director_decides(cast, case):
    grant = ask(cast, case)
    for someone in (cast.foreign_director, cast.counselor, cast.principal):
        with pytest.raises(ValidationError):
            services.grant_approve(actor=someone, grant=grant)


@pytest.mark.parametrize(
    "who, problem",
    [
        ("counselor", "already reads"),
        ("director", "already reads"),
        ("student", "not staff"),
        ("guardian", "not staff"),
        ("supervisor", "not staff"),
        ("outsider", "another school"),
    ],
)
def test_who_may_not_ask(cast, case, who, problem):
    with pytest.raises(ValidationError):
        ask(cast, case, who=getattr(cast, who))
    assert not AccessGrant.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"reason": " "}, {"parts": []}, {"ends_at": "past"}, {"ends_at": "too long"}],
)
def test_a_request_is_validated(cast, case, settings, changes):
    settings.ACCESS_GRANT_MAX_DAYS = 30
    values = {"reason": REASON, "parts": ["plan"], "ends_at": in_days(3)}
    values.update(changes)
    if values["ends_at"] == "past":
        values["ends_at"] = in_days(-1)
    elif values["ends_at"] == "too long":
        values["ends_at"] = in_days(32)
    with pytest.raises(ValidationError):
        services.grant_request(actor=cast.duty, case=case, **values)
    assert not AccessGrant.objects.exists()


def test_a_second_open_request_for_the_same_case_is_refused(cast, case):
    ask(cast, case)
    with pytest.raises(ValidationError):
        ask(cast, case)
    assert AccessGrant.objects.count() == 1


def test_the_database_keeps_one_open_request_and_one_target_kind(cast, case):
    grant = ask(cast, case)
    fields = {
        "school": cast.school,
        "requester": cast.duty,
        "student": case.student,
        "reason": REASON,
        "starts_at": grant.starts_at,
        "ends_at": grant.ends_at,
        "expires_at": grant.ends_at,
        "parts_requested": ",plan,",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessGrant.objects.create(kind="case", case=case, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessGrant.objects.create(kind="file", case=case, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessGrant.objects.create(kind="case", case=None, **fields)
    AccessGrant.objects.create(kind="file", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessGrant.objects.create(kind="file", **fields)


def test_the_change_history_keeps_every_step_without_the_reason(cast, case):
    from auditlog.models import LogEntry

    grant = services.grant_approve(actor=cast.director, grant=ask(cast, case))
    entries = LogEntry.objects.get_for_object(grant)
    assert entries.count() == 2
    assert all(REASON not in str(entry.changes) for entry in entries)
    assert entries.filter(actor=cast.director).exists()
