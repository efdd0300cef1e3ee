"""Browser journey (issue 16 item 3): the director opens 研究数据导出 from the menu, makes a
de-identified export with k = 5, follows its progress to the end, sees what was released,
suppressed and left out for want of consent, downloads the watermarked workbook, and finds the
export in the register; on a phone and on a desktop."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.journeys import follow_menu_link, sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user
from tests.reports.research_data import cases_for, classmates, data_rows
from xinqiao.reports import services_research
from xinqiao.reports.models import ResearchExport

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def worker(monkeypatch):
    """The task queue's worker, run when the test chooses: the page first shows the export
    being made, then follows it to the end."""
    queued: list[int] = []
    monkeypatch.setattr("xinqiao.reports.tasks.research_export_task", queued.append)
    return queued


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_director_makes_an_export_and_finds_it_in_the_register(
    page, worker, viewport, tmp_path
):
    school = SchoolFactory(name="第一中学", code="e2e-research")
    people = {
        role: make_user(role, school=school, username=f"{role}-e2e")
        for role in ("director", "counselor", "class_teacher", "student", "guardian")
    }
    cast = SimpleNamespace(school=school, **people, **make_class_with_student(school, people))
    pupils = classmates(cast, 6)
    cases_for(cast, pupils)
    cases_for(cast, classmates(cast, 1, gender="M"), consent=False)
    device = TOTPDevice.objects.create(user=people["director"], name="p", confirmed=True)
    page.set_viewport_size(viewport)

    sign_in(page, "director-e2e", device)
    register = reverse("reports:research_list")
    if viewport is PHONE:
        page.goto(register)
    else:
        follow_menu_link(page, register)
    expect(page.get_by_role("heading", name="研究数据导出")).to_be_visible()
    page.get_by_test_id("research-new").click()

    page.get_by_label("k：每个发布的组合至少涵盖 k 名学生").fill("1")
    page.get_by_test_id("research-submit").click()
    expect(page.get_by_text("k 至少为 2。")).to_be_visible()  # kept the rest, saved nothing
    assert not ResearchExport.objects.exists()
    page.screenshot(path=str(tmp_path / "form.png"), full_page=True)
    page.get_by_label("k：每个发布的组合至少涵盖 k 名学生").fill("5")
    page.get_by_test_id("research-submit").click()

    expect(page.get_by_test_id("research-progress")).to_be_visible()
    export = ResearchExport.objects.get(pk=worker.pop())
    services_research.research_export_make(export=export)  # the worker's part
    expect(page.get_by_test_id("research-done")).to_be_visible()
    expect(page.get_by_test_id("research-rows")).to_have_text("6")
    expect(page.get_by_test_id("research-left-out")).to_have_text("1")
    page.screenshot(path=str(tmp_path / "done.png"), full_page=True)

    with page.expect_download() as waiting:
        page.get_by_test_id("research-download").click()
    content = Path(waiting.value.path()).read_bytes()
    headings, rows = data_rows(content)
    assert len(rows) == 6 and headings[0] == "性别"
    assert not any(p.name in str(v) for p in pupils for row in rows for v in row)

    page.goto(register)
    row = page.get_by_test_id("research-export")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "done")
    expect(row).to_contain_text("1")  # left out
    # The page fits the phone: nothing but the table scrolls sideways.
    page.screenshot(path=str(tmp_path / "register.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1
