"""Typical cases (issue 6 item 11; seed 001 典型案例): a counselor marks a closed case as a
teaching example only with the guardian's consent to use in teaching (seed 000: 由于专业工作需要
采用案例，必须征得当事人同意), and the text is de-identified before anyone else sees it (seed 000:
必须隐去可能辨认出来访学生的有关信息)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases.access_table_referrals import guardian_consent
from tests.cases.factories import all_done, case_at, category
from tests.factories import make_user
from xinqiao.cases import services_consent, services_records, services_typical
from xinqiao.cases.models import TypicalCase
from xinqiao.core import deidentify
from xinqiao.core.models import AccessLog
from xinqiao.rooms.models import Room

pytestmark = pytest.mark.django_db

STORY = (
    "何小明（学号2026070101，七年级1班）2026年3月5日由班主任带到第一中学心理辅导室。"
    "小明说何妈妈常年在外打工，10月8日起不愿上学。"
)
SUMMARY = "3月12日起小明在阳光小屋每周参加一次辅导，何同学情绪明显好转。"
CLOSING = "何小明已于2026-04-20恢复正常上学，七年级（1）班同学关系改善。"


def closed_case_with_story(cast):
    """A closed case whose texts name the student, class, school, guardian, a room and dates."""
    Room.objects.create(school=cast.school, kind="care", name="阳光小屋", location="综合楼二楼")
    case = case_at(cast, "active", problem=STORY)
    services_records.stage_summary_write(
        actor=cast.counselor,
        case=case,
        period_start=timezone.localdate() - datetime.timedelta(days=28),
        period_end=timezone.localdate(),
        summary=SUMMARY,
    )
    services_records.evaluation_record(
        actor=cast.counselor, case=case, evaluated_on=timezone.localdate(), student_rating=8
    )
    services_records.case_request_closure(
        actor=cast.counselor, case=case, closing_summary=CLOSING, measure_ends=all_done(case)
    )
    return services_records.case_confirm_closure(actor=cast.director, case=case)


def identifying(cast) -> list[str]:
    student = cast.student_record
    return [
        student.name,
        "小明",
        student.student_number,
        "七年级1班",
        "七年级（1）班",
        str(student.school_class),
        cast.guardian_record.name,
        cast.school.name,
        "阳光小屋",
        "2026年3月5日",
        "2026-04-20",
        "10月8日",
    ]


def test_a_case_that_is_still_open_cannot_become_a_typical_case(cast):
    case = case_at(cast, "active")
    guardian_consent(cast, case, "teaching")
    with pytest.raises(ValidationError, match="只有已结案或已归档的个案才能作为典型案例"):
        services_typical.typical_mark(actor=cast.counselor, case=case)
    assert not TypicalCase.objects.exists()


def test_without_the_guardians_teaching_consent_the_case_is_not_used(cast, signed_in):
    case = case_at(cast, "closed")
    guardian_consent(cast, case, "referral")  # consent to something else does not count
    response = signed_in(cast.counselor).post(reverse("cases:typical_mark", args=[case.pk]))
    assert response.status_code == 400
    assert 'data-testid="typical-no-consent"' in response.content.decode()
    assert not TypicalCase.objects.exists()


def test_the_draft_replaces_everything_that_could_identify_the_student(cast, signed_in):
    case = closed_case_with_story(cast)
    guardian_consent(cast, case, "teaching")
    client = signed_in(cast.counselor)
    response = client.post(reverse("cases:typical_mark", args=[case.pk]))
    typical = TypicalCase.objects.get()
    assert response.url == reverse("cases:typical_edit", args=[typical.pk])
    assert not typical.published
    text = typical.title + typical.text
    for detail in identifying(cast):
        assert detail not in text, detail
    for placeholder in ("某生", "某班", "某校", "家长", "某年某月", "某月", "某处"):
        assert placeholder in text, placeholder
    # The parts of the case that teach: the problem, its nature, the plan, stages, the closing.
    assert "不愿上学" in text and "学习" in text and "两个月内恢复正常上学" in text
    assert "情绪明显好转" in text and "恢复正常上学" in text
    assert "每周一次个体辅导" not in text  # measures appear by kind only
    # The student as research exports describe one (core/deidentify_table.py): the school
    # stage and the weeks of support, never the grade's or class's name.
    assert "【学生情况】\n初中，辅导约" in text
    assert typical.category == category(cast.school)
    assert AccessLog.objects.filter(action="read", actor_username="counselor").exists()


def test_the_published_text_never_names_the_student_their_number_or_class(cast, signed_in):
    case = closed_case_with_story(cast)
    guardian_consent(cast, case, "teaching")
    typical = services_typical.typical_mark(actor=cast.counselor, case=case)
    client = signed_in(cast.counselor)
    path = reverse("cases:typical_edit", args=[typical.pk])
    student = cast.student_record
    for leak in (student.name, student.student_number, "七年级1班", "2026年5月1日"):
        typed = typical.text + f"\n补充：{leak}"
        response = client.post(path, {"title": typical.title, "text": typed, "action": "publish"})
        assert response.status_code == 400, leak
        assert response.context["form"]["text"].value() == typed  # kept as typed
        typical.refresh_from_db()
        assert not typical.published
        assert leak not in typical.text
    response = client.post(
        path,
        {"title": typical.title, "text": typical.text + "\n补充：效果稳定。", "action": "publish"},
    )
    assert response.status_code == 302
    typical.refresh_from_db()
    assert typical.published
    for detail in (student.name, "小明", student.student_number, str(student.school_class)):
        assert detail not in typical.title + typical.text


def test_the_text_is_not_stored_as_plain_text(cast):
    case = closed_case_with_story(cast)
    guardian_consent(cast, case, "teaching")
    typical = services_typical.typical_mark(actor=cast.counselor, case=case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_typicalcase WHERE id = %s", [typical.pk])
        assert "不愿上学" not in cursor.fetchone()[0]


def publish(cast, case=None) -> TypicalCase:
    case = case or case_at(cast, "closed")
    guardian_consent(cast, case, "teaching")
    typical = services_typical.typical_mark(actor=cast.counselor, case=case)
    return services_typical.typical_publish(actor=cast.counselor, typical=typical)


def test_the_library_shows_published_cases_only_and_filters_by_category(cast, signed_in):
    published = publish(cast)
    draft_case = case_at(cast, "closed")
    guardian_consent(cast, draft_case, "teaching")
    draft = services_typical.typical_mark(actor=cast.counselor, case=draft_case)
    other = category(cast.school, "情绪")
    client = signed_in(cast.principal)
    listed = client.get(reverse("cases:typical_list"))
    assert [t.pk for t in listed.context["page"]] == [published.pk]
    assert not listed.context["drafts"]
    filtered = client.get(reverse("cases:typical_list") + f"?category={other.pk}")
    assert list(filtered.context["page"]) == []
    same = client.get(reverse("cases:typical_list") + f"?category={published.category_id}")
    assert [t.pk for t in same.context["page"]] == [published.pk]
    assert client.get(reverse("cases:typical_detail", args=[published.pk])).status_code == 200
    assert client.get(reverse("cases:typical_detail", args=[draft.pk])).status_code == 404
    # The counselor sees their own draft listed apart.
    mine = signed_in(cast.counselor).get(reverse("cases:typical_list"))
    assert [t.pk for t in mine.context["drafts"]] == [draft.pk]


def test_the_principal_reads_the_library_but_not_the_draft_or_the_case(cast, signed_in):
    typical = publish(cast)
    client = signed_in(cast.principal)
    path = reverse("cases:typical_edit", args=[typical.pk])
    assert client.get(path).status_code == 404
    assert AccessLog.objects.filter(action="denied", actor_username="principal", path=path)
    page = client.get(reverse("cases:typical_detail", args=[typical.pk])).content.decode()
    assert reverse("cases:case_detail", args=[typical.case_id]) not in page


def test_a_counselor_without_the_case_cannot_mark_it(cast, signed_in):
    case = case_at(cast, "closed")
    guardian_consent(cast, case, "teaching")
    other = make_user("counselor", school=cast.school, username="counselor-two")
    path = reverse("cases:typical_mark", args=[case.pk])
    assert signed_in(other).post(path).status_code == 404
    assert AccessLog.objects.filter(action="denied", actor_username="counselor-two", path=path)
    assert not TypicalCase.objects.exists()


def test_withdrawing_the_consent_takes_the_case_out_of_the_library(cast, signed_in):
    typical = publish(cast)
    services_consent.consent_withdraw(actor=cast.counselor, consent=typical.consent)
    typical.refresh_from_db()
    assert not typical.published
    with pytest.raises(ValidationError, match="将此个案用于教学的知情同意已失效"):
        services_typical.typical_publish(actor=cast.counselor, typical=typical)
    typical.refresh_from_db()
    assert not typical.published
    listed = signed_in(cast.director).get(reverse("cases:typical_list"))
    assert list(listed.context["page"]) == []


def test_editing_a_published_case_without_publishing_returns_it_to_draft(cast, signed_in):
    typical = publish(cast)
    response = signed_in(cast.counselor).post(
        reverse("cases:typical_edit", args=[typical.pk]),
        {"title": "改后的标题", "text": typical.text, "action": "save"},
    )
    assert response.status_code == 302
    typical.refresh_from_db()
    assert (typical.title, typical.published) == ("改后的标题", False)


def test_the_closed_case_page_offers_to_keep_it_as_a_typical_case(cast, signed_in):
    case = case_at(cast, "closed")
    client = signed_in(cast.counselor)
    content = client.get(reverse("cases:case_links_part", args=[case.pk])).content.decode()
    assert reverse("cases:typical_mark", args=[case.pk]) in content
    typical = publish(cast, case)
    content = client.get(reverse("cases:case_links_part", args=[case.pk])).content.decode()
    assert reverse("cases:typical_edit", args=[typical.pk]) in content


def test_a_case_is_marked_once(cast, signed_in):
    typical = publish(cast)
    response = signed_in(cast.counselor).get(reverse("cases:typical_mark", args=[typical.case_id]))
    assert response.url == reverse("cases:typical_edit", args=[typical.pk])
    with pytest.raises(ValidationError, match="此个案已是典型案例"):
        services_typical.typical_mark(actor=cast.counselor, case=typical.case)
    assert list(TypicalCase.objects.values_list("pk", flat=True)) == [typical.pk]


# --- the de-identification itself ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "surname", "given"),
    [("何小明", "何", "小明"), ("欧阳娜娜", "欧阳", "娜娜"), ("Li Ming", "Li", "Ming")],
)
def test_names_split_into_surname_and_given_name(name, surname, given):
    assert deidentify.split_name(name) == (surname, given)


@pytest.fixture
def intake_case(cast):
    return case_at(cast, "intake")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pieces=st.lists(
        st.sampled_from(
            [
                "何小明",
                "小明",
                "何",
                "小",
                "明",
                "2026070101",
                "七年级1班",
                "第一中学",
                "何妈妈",
                "的",
                "在",
                "，",
                "。",
                "3月5日",
                "2026年",
                "如何",
                " ",
            ]
        ),
        max_size=25,
    )
)
def test_no_arrangement_of_text_keeps_a_strict_identifier(intake_case, pieces):
    identifiers = services_typical.identifiers_of(intake_case)
    result = deidentify.deidentify("".join(pieces), identifiers)
    assert deidentify.identifying_details(result, identifiers) == []
