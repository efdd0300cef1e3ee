"""The disclosure register (issue 14 item 5): alerts, conference sharings and outside referrals
write their entries themselves; the director sees, filters and exports the register."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.cases.factories import case_at
from xinqiao.cases.models import Consent, OutsideService
from xinqiao.cases.services_consent import consent_record
from xinqiao.cases.services_plans import conference_convene, conference_record
from xinqiao.cases.services_referrals import referral_create
from xinqiao.core.models import AccessLog
from xinqiao.core.roles import Role
from xinqiao.crisis.disclosures import record_disclosure
from xinqiao.crisis.models import Alert, Disclosure
from xinqiao.crisis.services import raise_alert

pytestmark = pytest.mark.django_db

SHARED = "请班主任每天课间留意学生情绪，有异常及时告知心理老师。"


def an_alert(cast, **kwargs) -> Alert:
    return raise_alert(
        actor=cast.duty,
        school=cast.school,
        risk_level=Alert.RiskLevel.CRISIS,
        source=Alert.Source.DUTY_PHONE,
        evidence="说不想活了",
        student=cast.student_record,
        **kwargs,
    )


def test_an_alert_writes_its_entry_once_even_when_raised_twice(cast):
    first = an_alert(cast, raise_key="phone-call-1")
    an_alert(cast, raise_key="phone-call-1")
    entries = Disclosure.objects.filter(alert=first)
    entry = entries.get(recipient_kind=Disclosure.RecipientKind.COUNSELING)
    assert entry.ground == Disclosure.Ground.SAFETY
    assert entry.decided_by == cast.duty
    assert cast.director.display_name in entry.recipient
    assert all("说不想活了" not in e.what for e in entries)  # the evidence stays with them
    # A 危机 alert tells leadership at once and the class teacher what to do, never why.
    teacher = entries.get(recipient__contains=cast.class_teacher.display_name)
    assert teacher.what in (
        "What to do for the student now; not why",
        "现在需要为该学生做什么（不含原因）",
    )
    assert entries.filter(recipient_kind=Disclosure.RecipientKind.LEADERSHIP).exists()


def test_a_conference_sharing_with_a_class_teacher_writes_its_entry(cast):
    case = case_at(cast, "active")
    conference = conference_convene(
        actor=cast.director,
        case=case,
        scheduled_at=timezone.now(),
        place="心理咨询室",
        agenda="危机后的支持",
        participants=[(cast.counselor, Role.COUNSELOR), (cast.class_teacher, Role.CLASS_TEACHER)],
    )
    conference_record(
        actor=cast.director,
        conference=conference,
        attended=[cast.director.pk, cast.class_teacher.pk],
        decisions="每周一次个体辅导。",
        shared_summary=SHARED,
    )
    (entry,) = Disclosure.objects.filter(source_type="cases.Conference")
    assert entry.recipient_kind == Disclosure.RecipientKind.CONFERENCE
    assert entry.recipient == cast.class_teacher.display_name
    assert entry.what == SHARED
    assert entry.ground == Disclosure.Ground.CONSULTATION
    assert entry.decided_by == cast.director
    assert entry.student == cast.student_record


def test_a_referral_to_a_hospital_writes_its_entry_on_the_guardians_consent(cast):
    case = case_at(cast, "active")
    hospital = OutsideService.objects.create(
        school=cast.school, name="市精神卫生中心", kind="hospital"
    )
    consent_record(
        actor=cast.counselor,
        case=case,
        purpose=Consent.Purpose.REFERRAL,
        given_by=Consent.GivenBy.GUARDIAN,
        giver_name="何妈妈",
        given_on=timezone.localdate(),
    )
    referral_create(
        actor=cast.counselor,
        case=case,
        kind="external",
        reason="需要精神科评估",
        follow_up_due=timezone.localdate() + datetime.timedelta(days=7),
        to_service=hospital,
    )
    (entry,) = Disclosure.objects.filter(source_type="cases.Referral")
    assert (entry.recipient_kind, entry.recipient) == ("hospital", "市精神卫生中心")
    assert entry.ground == Disclosure.Ground.CONSENT and entry.what == "需要精神科评估"


def _entry(cast, **fields) -> Disclosure:
    values = {
        "actor": cast.counselor,
        "school_id": cast.school.pk,
        "student": cast.student_record,
        "recipient_kind": "police",
        "recipient": "派出所张警官",
        "what": "学生离家出走的情况",
        "why": "寻找学生",
        "ground": "law",
    }
    values.update(fields)
    return record_disclosure(**values)


def test_the_director_filters_the_register_by_recipient_ground_student_and_date(cast, signed_in):
    _entry(cast)
    _entry(cast, recipient_kind="guardian", recipient="何妈妈", ground="safety")
    client = signed_in(cast.director)
    url = reverse("crisis:disclosure_list")
    police = client.get(url, {"kind": "police"}).content.decode()
    assert "派出所张警官" in police and "何妈妈" not in police
    safety = client.get(url, {"ground": "safety"}).content.decode()
    assert "何妈妈" in safety and "派出所张警官" not in safety
    by_student = client.get(url, {"student": cast.student_record.pk}).content.decode()
    assert by_student.count('data-testid="disclosure"') == 2
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert 'data-testid="disclosure"' not in client.get(url, {"start": tomorrow}).content.decode()
    assert client.get(url, {"start": "2026-13-45"}).status_code == 400
    assert AccessLog.objects.filter(action="read", object_type="crisis.Disclosure").exists()


def test_the_register_pages(cast, signed_in):
    for number in range(31):
        _entry(cast, recipient=f"警官{number}")
    client = signed_in(cast.director)
    first = client.get(reverse("crisis:disclosure_list")).content.decode()
    assert first.count('data-testid="disclosure"') == 30
    second = client.get(reverse("crisis:disclosure_list"), {"page": 2}).content.decode()
    assert second.count('data-testid="disclosure"') == 1


def test_the_director_exports_the_register_and_no_cell_is_a_formula(cast, signed_in):
    _entry(cast, what='=HYPERLINK("http://x")')
    response = signed_in(cast.director).get(reverse("crisis:disclosure_export"), {"kind": "police"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][3] == "派出所张警官"
    assert sheet.cell(row=2, column=5).data_type == "s"
    assert AccessLog.objects.filter(action="export", object_type="crisis.Disclosure").exists()
    assert cast.director.display_name in sheet.oddHeader.center.text  # who exported it


def test_only_the_director_of_the_school_sees_the_register(cast, signed_in, client):
    _entry(cast)
    for person in (cast.counselor, cast.principal, cast.class_teacher):
        response = signed_in(person).get(reverse("crisis:disclosure_list"))
        assert response.status_code == 403
    foreign = signed_in(cast.foreign_director).get(reverse("crisis:disclosure_list"))
    assert foreign.status_code == 200
    assert "派出所张警官" not in foreign.content.decode()
    exported = signed_in(cast.foreign_director).get(reverse("crisis:disclosure_export"))
    assert len(list(load_workbook(io.BytesIO(exported.content)).active.iter_rows())) == 1


def test_the_register_costs_the_same_queries_for_few_or_many_rows(
    cast, signed_in, django_assert_max_num_queries
):
    def entries(count):
        for number in range(count):
            record_disclosure(
                actor=cast.counselor,
                school_id=cast.school.pk,
                student=cast.student_record,
                recipient_kind="police",
                recipient=f"警官{number}",
                what="情况",
                why="寻找学生",
                ground="law",
            )

    client = signed_in(cast.director)
    url = reverse("crisis:disclosure_list")
    entries(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    entries(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
