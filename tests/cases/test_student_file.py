"""The student file (一人一档): who reads it, what it holds, its printout and its export."""

from __future__ import annotations

import datetime
import io
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document

from tests.cases.factories import case_at
from tests.conftest import sign_in
from tests.factories import make_user
from xinqiao.cases import services_records
from xinqiao.cases.models import Consent, SessionRecord
from xinqiao.cases.services_consent import consent_record
from xinqiao.core.models import AccessLog
from xinqiao.crisis.services import raise_alert
from xinqiao.people.models import Student

pytestmark = pytest.mark.django_db

RECORD_TEXT = "学生谈到与父母长期分离的孤独感"
SUMMARY_TEXT = "第一阶段：情绪稳定，出勤恢复。"
EVIDENCE = "作业本上写了轻生的话"


def file_url(student, name: str = "cases:student_file") -> str:
    return reverse(name, kwargs={"student_pk": student.pk})


def write_record(cast, case, text: str = RECORD_TEXT, *, hours_ago: int = 2, counselor=None):
    return services_records.session_record(
        actor=counselor or cast.counselor,
        case=case,
        kind=SessionRecord.Kind.INDIVIDUAL,
        held_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        place="心理咨询室",
        problem=text,
        measures_taken="倾听与共情",
        student_agreed=True,
    )


def a_worked_case(cast, **kwargs):
    """An active case of the cast's student with a record, a summary and a guardian's consent."""
    case = case_at(cast, "active", **kwargs)
    write_record(cast, case, counselor=kwargs.get("counselor"))
    services_records.stage_summary_write(
        actor=kwargs.get("counselor") or cast.counselor,
        case=case,
        period_start=timezone.localdate() - datetime.timedelta(days=28),
        period_end=timezone.localdate(),
        summary=SUMMARY_TEXT,
    )
    consent_record(
        actor=kwargs.get("counselor") or cast.counselor,
        case=case,
        purpose=Consent.Purpose.COUNSELING,
        given_by=Consent.GivenBy.GUARDIAN,
        giver_name="何妈妈",
        given_on=timezone.localdate(),
        how="签字",
    )
    return case


def second_counselor(cast):
    return make_user("counselor", school=cast.school, username="counselor2")


# --- who reads it -------------------------------------------------------------------------------
def test_the_director_reads_every_case_of_the_student_with_its_records_and_the_read_is_logged(
    cast, signed_in
):
    mine = a_worked_case(cast)
    other = a_worked_case(cast, counselor=second_counselor(cast))
    response = signed_in(cast.director).get(file_url(cast.student_record))
    assert response.status_code == 200
    page = response.content.decode()
    assert mine.number in page and other.number in page
    assert SUMMARY_TEXT in page
    # Session records are listed with their count; their texts load when opened, and each
    # opening is a read of that case in the access log.
    assert RECORD_TEXT not in page
    records = signed_in(cast.director).get(reverse("cases:case_records", args=[mine.pk]))
    assert RECORD_TEXT in records.content.decode()
    assert AccessLog.objects.filter(
        action="read", object_type="cases.Case", object_id=str(mine.pk), actor_username="director"
    ).exists()
    assert "何妈妈" in page  # the consent and the guardian
    read = AccessLog.objects.get(action="read", object_type="people.Student")
    assert read.actor_username == "director"
    assert read.object_id == str(cast.student_record.pk)
    assert read.basis == "director of the school"
    assert read.school_id == cast.school.pk


def test_a_counselor_reads_only_the_cases_they_hold(cast, signed_in):
    mine = a_worked_case(cast)
    other = case_at(cast, "active", counselor=second_counselor(cast))
    write_record(cast, other, "另一位老师的个案记录", counselor=other.counselors.get().user)
    response = signed_in(cast.counselor).get(file_url(cast.student_record))
    assert response.status_code == 200
    page = response.content.decode()
    assert mine.number in page
    assert other.number not in page
    assert "另一位老师的个案记录" not in page
    read = AccessLog.objects.get(action="read", object_type="people.Student")
    assert read.basis == "counselor of a case of the student"


def test_the_consents_of_a_case_the_reader_may_not_read_are_left_out(cast, signed_in):
    a_worked_case(cast)
    other = case_at(cast, "active", counselor=second_counselor(cast))
    consent_record(
        actor=cast.director,
        case=other,
        purpose=Consent.Purpose.REFERRAL,
        given_by=Consent.GivenBy.GUARDIAN,
        giver_name="何爸爸",
        given_on=timezone.localdate(),
    )
    page = signed_in(cast.counselor).get(file_url(cast.student_record)).content.decode()
    assert "何妈妈" in page
    assert "何爸爸" not in page


def test_a_counselor_without_a_case_of_the_student_is_refused_and_the_refusal_is_recorded(
    cast, signed_in
):
    case_at(cast, "active", counselor=second_counselor(cast))
    response = signed_in(cast.counselor).get(file_url(cast.student_record))
    assert response.status_code == 404  # issue 11: "not found", as for a file that does not exist
    refusal = AccessLog.objects.get(action="denied", actor_username="counselor")
    assert refusal.object_type == "people.Student"
    assert refusal.basis == "refused: cases.view_student_file"
    assert not AccessLog.objects.filter(action="read").exists()


@pytest.mark.parametrize("role", ["class_teacher", "principal", "duty", "supervisor", "student"])
def test_people_outside_the_counseling_side_never_open_the_file(cast, client, role):
    case_at(cast, "active")
    response = sign_in(client, getattr(cast, role)).get(file_url(cast.student_record))
    assert response.status_code in (403, 404)
    assert RECORD_TEXT not in response.content.decode()
    assert AccessLog.objects.filter(action="denied", actor_username=role).exists()


def test_a_counselor_of_another_school_gets_not_found(cast, signed_in):
    case_at(cast, "active")
    response = signed_in(cast.outsider).get(file_url(cast.student_record))
    assert response.status_code == 404


# --- what it holds ------------------------------------------------------------------------------
def test_the_family_flags_are_shown_to_the_counseling_side(cast, signed_in):
    case_at(cast, "active")
    response = signed_in(cast.counselor).get(file_url(cast.student_record))
    assert 'data-flag="left_behind"' in response.content.decode()


def test_the_file_holds_plans_assessment_evaluations_closure_and_alerts(cast, signed_in):
    archived = case_at(cast, "archived")
    raise_alert(
        actor=cast.counselor,
        school=cast.school,
        risk_level="high",
        source="counseling",
        evidence=EVIDENCE,
        student=cast.student_record,
    )
    page = signed_in(cast.director).get(file_url(cast.student_record)).content.decode()
    assert "两个月内恢复正常上学。" in page  # the plan's goals
    assert "数学学业辅导" in page  # a measure
    assert "个体辅导，每周一次。" in page  # the assessment
    assert "情况好转。" in page  # the closing summary
    assert archived.archive_number in page
    assert EVIDENCE in page
    assert 'data-testid="file-evaluations"' in page


def test_the_timeline_runs_in_time_order_across_cases(cast, signed_in):
    first = case_at(cast, "active", opened_days_ago=3)
    write_record(cast, first, "最早的一次记录", hours_ago=48)
    second = case_at(cast, "active")
    write_record(cast, second, "最近的一次记录", hours_ago=1)
    response = signed_in(cast.director).get(file_url(cast.student_record))
    entries = response.context["file"].timeline
    times = [entry.at for entry in entries]
    assert times == sorted(times)
    kinds = [entry.kind for entry in entries]
    assert {"opened", "assessment", "plan", "record"} <= set(kinds)
    records = [entry for entry in entries if entry.kind == "record"]
    assert [entry.case for entry in records] == [first, second]


def test_a_file_of_ten_cases_and_two_hundred_records_takes_a_fixed_number_of_queries(
    cast, client, django_assert_max_num_queries
):
    """The issue's figure: 10 cases and 200 records. The query count does not grow with them."""
    other = Student.objects.create(
        school=cast.school,
        user=make_user("student", school=cast.school, username="student2"),
        name="林小红",
        student_number="2026070102",
        school_class=cast.school_class,
    )
    small = case_at(cast, "active", student=other)
    write_record(cast, small)
    for index in range(10):
        case = case_at(cast, "active")
        for hour in range(20):
            write_record(cast, case, f"记录{index}-{hour}", hours_ago=hour + 1)
    assert SessionRecord.objects.filter(case__student=cast.student_record).count() == 200
    sign_in(client, cast.director)

    with CaptureQueriesContext(connection) as small_file:
        assert client.get(file_url(other)).status_code == 200
    with django_assert_max_num_queries(len(small_file.captured_queries)):
        response = client.get(file_url(cast.student_record))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="file-records-lazy"') == 10
    printed = client.get(file_url(cast.student_record, "cases:student_file_print"))
    assert printed.content.decode().count('data-testid="file-record"') == 200
    with django_assert_max_num_queries(45):
        client.get(file_url(cast.student_record))


# --- the printout -------------------------------------------------------------------------------
def test_printing_watermarks_every_page_with_the_reader_and_time_and_logs_a_print(cast, signed_in):
    case_at(cast, "archived")
    cast.counselor.full_name = "王老师"
    cast.counselor.save(update_fields=["full_name"])
    response = signed_in(cast.counselor).get(
        file_url(cast.student_record, "cases:student_file_print")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="watermark"' in page
    watermark = response.context["watermark"]
    assert "王老师" in watermark and "counselor" in watermark
    assert timezone.localtime().strftime("%Y-%m-%d") in watermark
    assert page.count(watermark) >= 12  # repeated across the page, so on every printed sheet
    assert "position: fixed" in page  # a fixed layer repeats on each printed page
    printed = AccessLog.objects.get(action="print")
    assert printed.actor_username == "counselor"
    assert printed.object_type == "people.Student"
    assert printed.object_id == str(cast.student_record.pk)


def test_the_file_page_offers_print_to_counselors_and_export_only_to_the_director(cast, client):
    case_at(cast, "active")
    page = sign_in(client, cast.counselor).get(file_url(cast.student_record)).content.decode()
    assert 'data-testid="print-file"' in page
    assert 'data-testid="export-file"' not in page
    page = sign_in(client, cast.director).get(file_url(cast.student_record)).content.decode()
    assert 'data-testid="export-file"' in page


# --- the export ---------------------------------------------------------------------------------
def test_the_director_exports_the_file_as_a_word_document_with_a_watermark_line_and_it_is_logged(
    cast, signed_in
):
    a_worked_case(cast)
    cast.director.full_name = "李主任"
    cast.director.save(update_fields=["full_name"])
    response = signed_in(cast.director).get(
        file_url(cast.student_record, "cases:student_file_export")
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "attachment" in response["Content-Disposition"]
    # The name a teacher recognises in the download list (issue 17): 学生档案-姓名-学号.docx.
    student = cast.student_record
    filename = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert filename == f"学生档案-{student.name}-{student.student_number}.docx"
    document = Document(io.BytesIO(response.content))
    header = document.sections[0].header.paragraphs[0].text
    assert "李主任" in header and "director" in header
    body = "\n".join(p.text for p in document.paragraphs)
    tables = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert RECORD_TEXT in body and SUMMARY_TEXT in body
    assert "何小明" in body + tables
    exported = AccessLog.objects.get(action="export")
    assert exported.actor_username == "director"
    assert exported.object_id == str(cast.student_record.pk)


def test_a_counselor_may_not_export_the_file_and_the_attempt_is_recorded(cast, signed_in):
    case_at(cast, "active")
    response = signed_in(cast.counselor).get(
        file_url(cast.student_record, "cases:student_file_export")
    )
    assert response.status_code == 403
    assert AccessLog.objects.filter(
        action="denied", actor_username="counselor", basis="refused: cases.export_student_file"
    ).exists()
    assert not AccessLog.objects.filter(action="export").exists()
