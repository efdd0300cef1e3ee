"""A campaign with known results for the report, API and browser tests.

PHQ-9 totals: 0 is "minimal", 5 "mild", 10 "moderate" (interview). The classes:

- 七年级1班 (the cast's class, its student included): 7 minimal, 2 mild, 1 moderate; 10 submitted.
- 七年级2班: 6 minimal, 2 mild submitted; 1 opted out by a guardian; 9 invited.
- 八年级1班: 2 minimal, 1 mild: a group under 5.
"""

from __future__ import annotations

from types import SimpleNamespace

from tests.factories import make_user
from tests.screening.factories import open_campaign, participation_of
from xinqiao.people.models import Grade, SchoolClass, Student
from xinqiao.screening.services import opt_out, participation_submit

MINIMAL = (0, 0, 0, 0, 0, 0, 0, 0, 0)
MILD = (1, 1, 1, 1, 1, 0, 0, 0, 0)
MODERATE = (2, 2, 2, 2, 1, 1, 0, 0, 0)

PLAN = {
    (7, 1): [MINIMAL] * 7 + [MILD] * 2 + [MODERATE],
    (7, 2): [MINIMAL] * 6 + [MILD] * 2 + ["opted_out"],
    (8, 1): [MINIMAL] * 2 + [MILD],
}


def phq9(values) -> dict:
    return {"phq9": {f"q{i}": v for i, v in enumerate(values, start=1)}}


def build_report_campaign(cast, *, prefix: str = "r", **fields) -> SimpleNamespace:
    """The campaign above, announced, every answer submitted through the services."""
    grade8 = Grade.objects.create(school=cast.school, name="八年级", level=8)
    classes = {
        (7, 1): cast.school_class,
        (7, 2): SchoolClass.objects.create(
            school=cast.school, grade=cast.grade, number=2, cohort_year=2026
        ),
        (8, 1): SchoolClass.objects.create(
            school=cast.school, grade=grade8, number=1, cohort_year=2025
        ),
    }
    students = {key: [] for key in PLAN}
    for (level, number), answers in PLAN.items():
        for index in range(len(answers)):
            if (level, number) == (7, 1) and index == 0:
                students[(7, 1)].append(cast.student_record)
                continue
            user = make_user(
                "student", school=cast.school, username=f"{prefix}{level}{number}{index}"
            )
            students[(level, number)].append(
                Student.objects.create(
                    school=cast.school,
                    user=user,
                    name=f"学生{level}{number}{index:02d}",
                    student_number=f"20{level:02d}{number:02d}{index:03d}",
                    school_class=classes[(level, number)],
                )
            )
    campaign = open_campaign(cast, classes=list(classes.values()), **fields)
    for key, answers in PLAN.items():
        for student, values in zip(students[key], answers, strict=True):
            participation = participation_of(campaign, student)
            if values == "opted_out":
                opt_out(actor=cast.director, participation=participation)
            else:
                participation_submit(
                    actor=student.user, participation=participation, answers=phq9(values)
                )
    return SimpleNamespace(campaign=campaign, classes=classes, students=students, grade8=grade8)
