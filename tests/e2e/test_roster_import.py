"""The administrator imports a school's roster from Excel: a report of the bad rows, the
corrected workbook's summary, confirmation, and the import done."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.journeys import follow_menu_link, sign_in
from tests.factories import SchoolFactory, make_user
from tests.people.workbooks import demo_roster
from xinqiao.people.models import Semester, Student

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def choose_file(page, data: bytes) -> None:
    page.get_by_test_id("roster-file").set_input_files(
        {"name": "花名册.xlsx", "mimeType": XLSX, "buffer": data}
    )


@pytest.mark.django_db(transaction=True)
def test_admin_corrects_a_bad_row_then_imports_the_roster(page, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    SchoolFactory(name="第一中学", code="e2e-roster")
    school = SchoolFactory(name="第二中学", code="e2e-roster-2")
    make_user("admin")
    roster = demo_roster()
    bad = roster.copy()
    bad.students[3]["出生日期"] = "2013-02-30"

    sign_in(page, "admin")
    follow_menu_link(page, reverse("people:roster_import"))
    expect(page.get_by_test_id("roster-template")).to_be_visible()
    page.get_by_test_id("roster-school").select_option(str(school.pk))
    page.get_by_test_id("roster-school-year").fill("2026")
    page.get_by_test_id("roster-term").select_option("1")
    choose_file(page, bad.workbook())
    page.get_by_test_id("roster-upload").click()

    error = page.get_by_test_id("roster-error")
    expect(error).to_have_count(1)
    expect(error).to_have_attribute("data-sheet", "学生")
    expect(error).to_have_attribute("data-row", "5")
    expect(error).to_have_attribute("data-column", "出生日期")
    # The form below the report keeps the school and the semester.
    expect(page.get_by_test_id("roster-school")).to_have_value(str(school.pk))
    expect(page.get_by_test_id("roster-school-year")).to_have_value("2026")
    choose_file(page, roster.workbook())
    page.get_by_test_id("roster-upload").click()

    summary = page.get_by_test_id("roster-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_test_id("count-students_added")).to_have_text("8")
    expect(summary.get_by_test_id("count-guardians_added")).to_have_text("8")
    expect(summary.get_by_test_id("count-classes_added")).to_have_text("4")
    assert not Student.objects.exists()
    page.get_by_test_id("confirm-import").click()

    done = page.get_by_test_id("roster-done")
    expect(done).to_be_visible()
    expect(done.get_by_test_id("count-students_added")).to_have_text("8")
    assert Student.objects.filter(school=school).count() == 8
    assert Semester.objects.get(school=school, is_current=True).school_year == 2026
