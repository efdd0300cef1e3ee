"""Who reads what of a screening (issue 15, item 5): answers and scores are the counseling
side's and the respondent's; a class teacher sees completion and whom to send, never why; a
teacher's own results are theirs and the counselors' only; another school sees nothing."""

import pytest
import yaml

from tests.screening.factories import open_campaign, participation_of, phq9_answers
from xinqiao.crisis.models import Alert
from xinqiao.people.models import Staff
from xinqiao.screening.definitions import Wording
from xinqiao.screening.library import BUILT_IN_DIR, load_library
from xinqiao.screening.models import FollowUp, Participation, Response
from xinqiao.screening.services import participation_submit

pytestmark = pytest.mark.django_db

COUNSELING = {"director", "counselor", "second_counselor"}


def visible(model, user) -> bool:
    return model.objects.for_user(user).exists()


@pytest.mark.usefixtures("demo_wordings")
def test_a_students_result_is_read_by_the_counseling_side_and_the_student_only(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    participation_submit(
        actor=cast.student,
        participation=participation,
        answers={"phq9": phq9_answers(3, 3, 2, 2, 1, 1, 1, 1, 0)},
    )
    people = {
        name: user
        for name, user in vars(cast).items()
        if hasattr(user, "has_role") and name != "outsider"
    }
    readers = {name for name, user in people.items() if visible(Response, user)}
    assert readers == COUNSELING | {"student"}
    follow_up_readers = {name for name, user in people.items() if visible(FollowUp, user)}
    assert follow_up_readers == COUNSELING | {"class_teacher"}
    completion_readers = {name for name, user in people.items() if visible(Participation, user)}
    assert completion_readers == COUNSELING | {"class_teacher", "student", "guardian"}


@pytest.mark.usefixtures("demo_wordings")
def test_a_teachers_own_result_is_theirs_and_the_counselors_only(cast):
    teacher = Staff.objects.create(
        school=cast.school, user=cast.class_teacher, name="王老师", staff_number="T001"
    )
    campaign = open_campaign(cast, audience="teachers", classes=[])
    participation = Participation.objects.get(campaign=campaign, teacher=teacher)
    participation_submit(
        actor=cast.class_teacher,
        participation=participation,
        answers={"phq9": phq9_answers(1, 1, 1, 1, 1, 1, 1, 1, 0)},
    )
    people = {
        name: user
        for name, user in vars(cast).items()
        if hasattr(user, "has_role") and name != "outsider"
    }
    readers = {name for name, user in people.items() if visible(Response, user)}
    assert readers == COUNSELING | {"class_teacher"}


def _wording_for(definition) -> Wording:
    values = {o.value for item in definition.items for o in definition.item_options(item)}
    return Wording(
        wording_for=definition.id,
        version=definition.version,
        language="zh-Hans",
        source="test",
        validated=False,
        options={v: f"选项{v}" for v in values},
        items={item.id: f"题目{item.id}" for item in definition.items},
    )


BUILT_IN, _ERRORS = load_library([BUILT_IN_DIR])
CRITICAL_RULES = [
    (definition, rule)
    for definition in BUILT_IN.definitions.values()
    for rule in definition.critical
]


@pytest.mark.parametrize(
    ("definition", "rule"),
    CRITICAL_RULES,
    ids=[f"{d.id}-{r.item}" for d, r in CRITICAL_RULES],
)
def test_each_built_in_critical_answer_raises_an_alert(cast, settings, tmp_path, definition, rule):
    assert CRITICAL_RULES, "the built-in library has critical items (PHQ-9 item 9)"
    worded = tmp_path / f"{definition.id}.zh-Hans.yaml"
    worded.write_text(
        yaml.safe_dump(_wording_for(definition).model_dump(), allow_unicode=True),
        encoding="utf-8",
    )
    settings.SCREENING_EXTRA_SCALE_DIRS = [tmp_path]
    campaign = open_campaign(cast, scales=(f"{definition.id}@{definition.version}",))
    participation = participation_of(campaign, cast.student_record)
    lowest = {
        item.id: min(o.value for o in definition.item_options(item)) for item in definition.items
    }
    answers = {**lowest, rule.item: rule.values[0]}
    participation_submit(
        actor=cast.student, participation=participation, answers={definition.id: answers}
    )
    alert = Alert.objects.get()
    assert (alert.risk_level, alert.source) == (rule.level, Alert.Source.SCREENING)
    assert Response.objects.get().critical_level == rule.level
