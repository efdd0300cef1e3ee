"""Campaign services: announce, opt out, save as you go, submit once, flags and alerts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.screening.factories import PHQ9, open_campaign, participation_of, phq9_answers
from xinqiao.core.models import Notification
from xinqiao.crisis.models import Alert
from xinqiao.screening.models import ClassCode, FollowUp, Participation, Response
from xinqiao.screening.services import (
    answers_of,
    answers_save,
    class_code_enter,
    follow_up_conclude,
    opt_out,
    participation_submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_wordings")]


def test_announcing_invites_the_class_gives_it_a_code_and_tells_the_guardian(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    assert participation.state == Participation.State.INVITED
    assert ClassCode.objects.filter(campaign=campaign, school_class=cast.school_class).count() == 1
    notice = Notification.objects.get(recipient=cast.guardian)
    assert campaign.title in notice.title
    assert notice.url.endswith(f"/screening/notices/{campaign.pk}/")


def test_a_scale_without_wording_cannot_be_chosen(cast):
    with pytest.raises(ValidationError):
        open_campaign(cast, scales=("k10@1.0",))


def test_opt_out_keeps_the_child_out(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    opt_out(actor=cast.guardian, participation=participation)
    with pytest.raises(ValidationError):
        answers_save(participation=participation, scale_id="phq9", answers={"q1": 1}, seq=1)
    assert not Response.objects.filter(participation=participation).exists()


def test_answers_are_saved_as_they_go_and_an_older_save_changes_nothing(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    answers_save(participation=participation, scale_id="phq9", answers={"q1": 1, "q2": 2}, seq=2)
    answers_save(participation=participation, scale_id="phq9", answers={"q1": 0}, seq=1)
    response = Response.objects.get(participation=participation)
    assert answers_of(response) == {"q1": 1, "q2": 2}
    participation.refresh_from_db()
    assert participation.state == Participation.State.STARTED


def test_submit_twice_stores_one_result_and_flags_the_band(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    answers = {"phq9": phq9_answers(2, 2, 2, 2, 1, 1, 1, 1, 0)}
    participation_submit(actor=cast.student, participation=participation, answers=answers)
    participation_submit(actor=cast.student, participation=participation, answers=answers)
    response = Response.objects.get(participation=participation)
    assert (response.total, response.band, response.follow_up) == (12, "moderate", True)
    assert response.scale_version == "1.0"
    assert FollowUp.objects.filter(participation=participation).count() == 1
    assert not Alert.objects.exists()


def test_a_critical_answer_raises_one_alert_at_once(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    answers = {"phq9": phq9_answers(0, 0, 0, 0, 0, 0, 0, 0, 1)}
    participation_submit(actor=cast.student, participation=participation, answers=answers)
    alert = Alert.objects.get()
    assert (alert.source, alert.risk_level, alert.student_id) == (
        Alert.Source.SCREENING,
        "high",
        cast.student_record.pk,
    )
    assert FollowUp.objects.filter(participation=participation).exists()


def test_an_unfinished_questionnaire_is_not_submitted(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    with pytest.raises(ValidationError):
        participation_submit(
            actor=cast.student, participation=participation, answers={"phq9": {"q1": 1}}
        )
    participation.refresh_from_db()
    assert participation.state == Participation.State.INVITED
    assert not Response.objects.filter(scored_at__isnull=False).exists()


def test_class_code_works_in_its_window_for_its_class_once(cast):
    campaign = open_campaign(cast)
    code = ClassCode.objects.get(campaign=campaign).code
    student = cast.student_record
    with pytest.raises(ValidationError):
        class_code_enter(code="WRONG1", student_number=student.student_number, name=student.name)
    with pytest.raises(ValidationError):
        class_code_enter(code=code, student_number=student.student_number, name="别人")
    with pytest.raises(ValidationError, match="已过期"):
        class_code_enter(
            code=code,
            student_number=student.student_number,
            name=student.name,
            at=timezone.now() + timedelta(days=8),
        )
    participation = class_code_enter(
        code=code.lower(), student_number=student.student_number, name=student.name
    )
    assert participation.via == Participation.Via.CLASS_CODE
    participation_submit(
        actor=None,
        participation=participation,
        answers={"phq9": phq9_answers(0, 0, 0, 0, 0, 0, 0, 0, 0)},
    )
    with pytest.raises(ValidationError, match="已经提交过"):
        class_code_enter(code=code, student_number=student.student_number, name=student.name)


def test_a_confirmed_concern_opens_a_case_and_no_concern_closes(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    participation_submit(
        actor=cast.student,
        participation=participation,
        answers={"phq9": phq9_answers(3, 3, 2, 2, 1, 1, 1, 1, 0)},
    )
    follow_up = FollowUp.objects.get()
    concluded = follow_up_conclude(
        actor=cast.counselor,
        follow_up=follow_up,
        conclusion=FollowUp.Conclusion.CONFIRMED,
        interviewed_on=timezone.localdate(),
    )
    assert concluded.case.student_id == cast.student_record.pk
    assert concluded.case.channel == "screening"
    with pytest.raises(ValidationError):
        follow_up_conclude(
            actor=cast.counselor,
            follow_up=follow_up,
            conclusion=FollowUp.Conclusion.NO_CONCERN,
            interviewed_on=timezone.localdate(),
        )
    assert FollowUp.objects.get().conclusion == FollowUp.Conclusion.CONFIRMED
    assert PHQ9 in campaign.scales
