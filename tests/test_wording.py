"""Words on the pages (issue 17 item 3): no repeated text, names that mean one thing each,
labels where the database holds codes."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from tests.cases.factories import case_at
from tests.rooms.appointment_factories import make_appointment, make_intake, make_slot
from xinqiao.cases.models import Case, ProblemCategory
from xinqiao.core.navigation import NAV_GROUPS, NAV_ITEMS
from xinqiao.rooms.models import Intake

pytestmark = pytest.mark.django_db


def test_a_student_who_came_for_themself_is_named_once(cast, signed_in):
    """Not "学生 · 姜天睿 · 姜天睿" on the intake list and the booking page."""
    pupil = cast.student_record
    intake = make_intake(
        cast.school,
        cast.duty,
        caller_kind=Intake.CallerKind.STUDENT,
        caller_name=pupil.name,
        student=pupil,
    )
    client = signed_in(cast.director)
    for url in (reverse("rooms:intake_list"), reverse("rooms:intake_book", args=[intake.pk])):
        html = client.get(url).content.decode()
        assert f"学生 · {pupil.name}" in html, url
        assert f"{pupil.name} · {pupil.name}" not in html, url


def test_a_guardian_who_called_is_named_with_the_student(cast):
    intake = make_intake(cast.school, cast.duty, student=cast.student_record)
    with translation.override("zh-hans"):
        assert intake.caller_line == f"家长 · 何妈妈 · {cast.student_record.name}"


def _catalogue() -> dict:
    return trans_real.translation("zh-hans")._catalog


def test_the_room_has_one_name_in_chinese():
    """The 心理咨询室 menu does not hold a 心理辅导室 item: the school's counseling room is
    心理咨询室 everywhere; its rooms of every kind are 功能室."""
    with translation.override("zh-hans"):
        assert str(NAV_GROUPS["room"]) == "心理咨询室"
        assert "功能室" in [str(item.label) for item in NAV_ITEMS if item.group == "room"]
    assert [text for _key, text in _catalogue().items() if "心理辅导室" in str(text)] == []


def test_a_case_state_is_not_named_like_the_intake_register():
    """来访登记 is the duty person's register of calls and visits, not a case's state."""
    with translation.override("zh-hans"):
        states = {str(label) for _value, label in Case.State.choices}
        assert str(Case.State.INTAKE.label) == "待评估"
        assert "来访登记" not in states
        assert str(Intake._meta.verbose_name_plural) == "来访登记"


def test_a_case_opened_after_an_appointment_starts_from_its_topic_in_words(cast, signed_in):
    slot = make_slot(
        cast.school, cast.counselor, starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    appointment = make_appointment(slot, cast.student_record, topic="feelings")
    client = signed_in(cast.counselor)
    form = client.get(f"{reverse('cases:case_open')}?appointment={appointment.pk}")
    assert form.context["form"].initial["problem"] == "情绪与心情"


def test_a_page_in_english_does_not_add_the_problem_categories_again(cast, signed_in):
    """The default categories are the school's data, written once in its language."""
    client = signed_in(cast.director)
    client.get(reverse("cases:category_list"))
    client.cookies["xinqiao_language"] = "en"
    client.get(reverse("cases:category_list"))
    names = list(ProblemCategory.objects.filter(school=cast.school).values_list("name", flat=True))
    assert len(names) == len(ProblemCategory.DEFAULTS)
    assert "学习" in names


def test_an_approved_plan_says_approved_once(cast, signed_in):
    """Not "第1版 · 已批准 · 已批准 2026-…" on the case page."""
    case = case_at(cast, "active")
    html = signed_in(cast.counselor).get(reverse("cases:case_detail", args=[case.pk]))
    header = html.content.decode().split('data-testid="plan-1"')[1].split("</header>")[0]
    assert header.count("已批准") == 1
