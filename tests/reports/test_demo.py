"""The demo's research export (issue 16, "What it must show"): k ≥ 5 for its
quasi-identifiers, computed from the file itself; no name, student number, class or exact
date in any cell; cases without research consent left out and counted."""

from __future__ import annotations

import base64
import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.reports.research_data import data_rows, sheets
from xinqiao.cases.models import Case, Consent
from xinqiao.cases.services_consent import consent_in_force
from xinqiao.core.deidentify import class_names
from xinqiao.core.models import AccessLog
from xinqiao.people.models import SchoolClass, Student
from xinqiao.reports.models import ResearchExport

pytestmark = pytest.mark.django_db

EXACT_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def export(loaded) -> ResearchExport:
    return ResearchExport.objects.get()


@pytest.fixture
def content(export) -> bytes:
    return base64.b64decode(export.content)


def test_the_demo_has_one_finished_export_in_its_register(export, content):
    assert export.status == ResearchExport.Status.DONE
    assert export.school.code == "demo" and export.k == 5
    assert export.requested_by.username == "director"
    assert export.file_available
    assert AccessLog.objects.filter(
        action="export", object_type="reports.ResearchExport", object_id=str(export.pk)
    ).exists()


def test_k_computed_from_the_file_is_at_least_five(export, content):
    headings, rows = data_rows(content)
    quasi = len(export.generalisation)
    # The file's first columns are the quasi-identifiers (the register keeps them as a JSON
    # object, whose key order PostgreSQL does not keep).
    assert set(headings[:quasi]) == set(export.generalisation)
    groups = Counter(row[:quasi] for row in rows)

    assert rows and len(rows) == export.rows_released
    assert min(groups.values()) >= 5


def test_no_name_student_number_class_or_exact_date_is_in_any_cell(export, content):
    cells = [str(v) for sheet in sheets(content).values() for row in sheet for v in row if v]
    text = "\n".join(cells)
    students = Student.objects.filter(school=export.school)
    classes = SchoolClass.objects.filter(school=export.school).select_related("grade")

    assert students.count() > 100
    for student in students:
        assert student.name not in text, student.name
        assert student.student_number not in text, student.student_number
    for school_class in classes:
        for name in class_names(school_class):
            assert name not in text, name
    _headings, rows = data_rows(content)
    for row in rows:
        for value in row:
            assert not isinstance(value, datetime.date | datetime.datetime)
            assert not EXACT_DATE.search(str(value or ""))


def test_cases_without_research_consent_are_left_out_and_counted(export):
    cases = Case.objects.filter(
        school=export.school,
        brief_contact=False,
        opened_at__date__gte=export.period_start,
        opened_at__date__lte=export.period_end,
    ).select_related("student")
    without = [
        case
        for case in cases
        if consent_in_force(student=case.student, purpose=Consent.Purpose.RESEARCH, case=case)
        is None
    ]

    assert without
    assert export.left_out_no_consent == len(without)
    assert export.cases_considered == cases.count()
    assert export.rows_released + export.rows_suppressed == cases.count() - len(without)
    assert timezone.localdate(export.created_at) == timezone.localdate()
