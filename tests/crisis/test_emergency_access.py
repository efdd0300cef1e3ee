"""Emergency access, "break-glass" (issue 14 item 6): a counselor or the principal opens a
student's file at once with a written reason; the director is told at once and reviews it;
reads under it are marked; it expires."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import case_at
from tests.factories import make_user
from xinqiao.core.models import AccessLog, Notification, PendingStep
from xinqiao.crisis.models import EmergencyAccess
from xinqiao.crisis.services_intervention import emergency_access_open, emergency_access_review

pytestmark = pytest.mark.django_db

REASON = "学生在宿舍失联，主任电话无人接听，需要查看既往个案的紧急联系人和风险情况"


def break_glass(client, student, reason: str = REASON):
    return client.post(
        reverse("crisis:emergency_access_open"),
        {"student_number": student.student_number, "reason": reason},
    )


def file_url(student) -> str:
    return reverse("cases:student_file", args=[student.pk])


def later(hours: float):
    """The clock moved ``hours`` ahead (everything reading ``timezone.now``)."""
    return mock.patch(
        "django.utils.timezone.now",
        return_value=timezone.now() + datetime.timedelta(hours=hours),
    )


def test_a_break_glass_access_notifies_the_director_at_once_and_appears_in_the_review_list(
    cast, signed_in
):
    response = break_glass(signed_in(cast.principal), cast.student_record)
    assert response.status_code == 302
    assert response.url == file_url(cast.student_record)
    access = EmergencyAccess.objects.get()
    assert (access.user, access.student, access.reason) == (
        cast.principal,
        cast.student_record,
        REASON,
    )
    assert access.expires_at - access.opened_at == datetime.timedelta(hours=4)
    # Told in the same transaction (the test's transaction never commits: no on_commit).
    notice = Notification.objects.get(recipient=cast.director, level=Notification.Level.URGENT)
    assert notice.url == reverse("crisis:emergency_access_review_list")
    assert REASON not in notice.title + notice.body
    assert cast.student_record.name not in notice.title + notice.body
    opened = AccessLog.objects.get(action="emergency")
    assert opened.object_id == str(access.pk) and opened.actor_username == "principal"
    (step,) = PendingStep.objects.filter(kind="emergency_access_review")
    assert step.assignee == cast.director and step.object_id == access.pk
    review_list = signed_in(cast.director).get(reverse("crisis:emergency_access_review_list"))
    body = review_list.content.decode()
    assert REASON in body and 'data-reviewed="no"' in body


def test_before_break_glass_the_file_is_refused_after_it_readable_with_reads_marked_then_refused(
    cast, signed_in
):
    case = case_at(cast, "active")  # held by the cast's counselor
    client = signed_in(cast.second_counselor)
    before = client.get(file_url(cast.student_record))
    assert before.status_code == 404
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert not EmergencyAccess.objects.exists()
    assert not AccessLog.objects.filter(action="read").exists()

    break_glass(client, cast.student_record)
    access = EmergencyAccess.objects.get()
    opened = client.get(file_url(cast.student_record))
    assert opened.status_code == 200
    assert f"#{access.pk}" in opened.content.decode()  # the reader is told the page is marked
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:case_records", args=[case.pk])).status_code == 200
    reads = AccessLog.objects.filter(action="read", actor_username="second_counselor")
    assert reads.count() == 3
    assert set(reads.values_list("basis", flat=True)) == {access.basis}

    with later(4.01):
        assert client.get(file_url(cast.student_record)).status_code == 404
        assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert reads.count() == 3


def test_the_access_lasts_as_long_as_the_school_configured(cast):
    with override_settings(EMERGENCY_ACCESS_HOURS=2):
        access = emergency_access_open(
            actor=cast.counselor, student=cast.student_record, reason=REASON
        )
    assert access.expires_at - access.opened_at == datetime.timedelta(hours=2)
    with later(1.9):
        assert EmergencyAccess.in_force_for(cast.counselor, cast.student_record.pk) == access
    with later(2.1):
        assert EmergencyAccess.in_force_for(cast.counselor, cast.student_record.pk) is None


def test_asking_twice_while_it_is_in_force_gives_the_same_access_and_one_notice(cast):
    first = emergency_access_open(actor=cast.counselor, student=cast.student_record, reason=REASON)
    again = emergency_access_open(actor=cast.counselor, student=cast.student_record, reason=REASON)
    assert first == again
    assert Notification.objects.filter(recipient=cast.director).count() == 2  # alarm and step


def test_the_director_records_the_review_and_it_leaves_the_list(cast, signed_in):
    access = emergency_access_open(actor=cast.counselor, student=cast.student_record, reason=REASON)
    client = signed_in(cast.director)
    url = reverse("crisis:emergency_access_review", args=[access.pk])
    refused = client.post(url, {"outcome": "not_justified", "note": ""})
    assert refused.status_code == 400
    access.refresh_from_db()
    assert access.reviewed_at is None
    done = client.post(url, {"outcome": "justified", "note": "确有紧急情况"})
    assert done.status_code == 302
    access.refresh_from_db()
    assert (access.outcome, access.reviewed_by) == ("justified", cast.director)
    assert not PendingStep.objects.filter(kind="emergency_access_review").exists()
    waiting = client.get(reverse("crisis:emergency_access_review_list")).content.decode()
    assert 'data-testid="emergency-access"' not in waiting
    everything = client.get(reverse("crisis:emergency_access_review_list"), {"show": "all"})
    assert 'data-reviewed="yes"' in everything.content.decode()
    with pytest.raises(ValidationError):
        emergency_access_review(actor=cast.director, access=access, outcome="not_justified")


def test_a_reason_too_short_is_refused_keeps_what_was_typed_and_opens_nothing(cast, signed_in):
    response = break_glass(signed_in(cast.counselor), cast.student_record, reason="急")
    assert response.status_code == 400
    assert cast.student_record.student_number in response.content.decode()
    assert not EmergencyAccess.objects.exists()
    assert not Notification.objects.filter(recipient=cast.director).exists()


def test_only_a_counselor_or_the_principal_may_break_the_glass(cast, signed_in, client):
    for person in (cast.class_teacher, cast.duty, cast.student, cast.guardian):
        response = break_glass(signed_in(person), cast.student_record)
        assert response.status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_another_schools_counselor_finds_no_such_student_and_opens_nothing(cast, signed_in):
    response = break_glass(signed_in(cast.foreign_counselor), cast.student_record)
    assert response.status_code == 400
    assert not EmergencyAccess.objects.exists()
    assert not Notification.objects.filter(recipient=cast.director).exists()
    # Nor does another school's director see the school's accesses.
    emergency_access_open(actor=cast.counselor, student=cast.student_record, reason=REASON)
    foreign = signed_in(cast.foreign_director).get(reverse("crisis:emergency_access_review_list"))
    assert REASON not in foreign.content.decode()


def test_the_principal_under_break_glass_reads_but_never_writes_the_case(cast, signed_in):
    case = case_at(cast, "active")
    client = signed_in(cast.principal)
    break_glass(client, cast.student_record)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert not cast.principal.has_perm("cases.write_records", case)
    assert not cast.principal.has_perm("cases.export_student_file", cast.student_record)


def test_break_glass_opens_that_students_cases_and_no_other(cast):
    from xinqiao.cases.models import Case
    from xinqiao.people.models import Student

    other = Student.objects.create(
        school=cast.school,
        user=make_user("student", school=cast.school, username="student2"),
        name="林小红",
        student_number="2026070102",
        gender="F",
        school_class=cast.school_class,
    )
    theirs = case_at(cast, "active")
    someone_elses = case_at(cast, "active", student=other)
    assert not Case.objects.for_user(cast.principal).exists()
    emergency_access_open(actor=cast.principal, student=cast.student_record, reason=REASON)
    assert list(Case.objects.for_user(cast.principal)) == [theirs]
    assert theirs.read_by(cast.principal) and not someone_elses.read_by(cast.principal)
    # The second counselor's own rule is unchanged by another person's access.
    assert not Case.objects.for_user(cast.second_counselor).exists()
