"""Cases of the cast's school with and without research consent, for the export's tests."""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from openpyxl import load_workbook

from tests.cases.factories import case_at
from tests.factories import UserFactory
from xinqiao.cases import services_consent
from xinqiao.cases.models import Case, Consent
from xinqiao.people.models import Student

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"


def classmates(cast, n: int, *, gender: str = "F", school_class=None) -> list[Student]:
    """``n`` pupils of the cast's class (13 years old), named and numbered."""
    school_class = school_class or cast.student_record.school_class
    first = Student.objects.filter(school=school_class.school).count()
    return [
        Student.objects.create(
            school=school_class.school,
            user=UserFactory(username=f"pupil-{school_class.school_id}-{first + i}"),
            name=f"{SURNAMES[(first + i) % len(SURNAMES)]}思{'一二三四五六七八九十'[i % 10]}",
            student_number=f"20260799{school_class.school_id:02d}{first + i:03d}",
            gender=gender,
            birth_date=datetime.date(2013, 1 + i % 12, 1 + i % 27),
            school_class=school_class,
        )
        for i in range(n)
    ]


def research_consent(cast, case: Case) -> Consent:
    return services_consent.consent_record(
        actor=cast.counselor,
        case=case,
        purpose=Consent.Purpose.RESEARCH,
        given_by=Consent.GivenBy.GUARDIAN,
        giver_name="监护人",
        given_on=timezone.localdate(),
    )


def cases_for(cast, students: list[Student], *, consent: bool = True) -> list[Case]:
    made = []
    for student in students:
        case = case_at(cast, "active", student=student, opened_days_ago=2)
        if consent:
            research_consent(cast, case)
        made.append(case)
    return made


def sheets(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def data_rows(content: bytes) -> tuple[list[str], list[tuple]]:
    """(headings, rows) of the data sheet: the watermark row first, then the headings."""
    book = load_workbook(io.BytesIO(content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return list(rows[1]), rows[2:]
