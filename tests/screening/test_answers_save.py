"""Saving as you go (issue 15's benchmark made a save after the first one UPDATE that also
checks the state as stored): a stale participation read before an opt-out or a submit from
another tab changes nothing; an older save changes nothing and says so."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.screening.factories import open_campaign, participation_of, phq9_answers
from xinqiao.screening.models import Participation, Response
from xinqiao.screening.services import answers_of, answers_save, opt_out, participation_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_wordings")]


def _begun(cast) -> Participation:
    participation = participation_of(open_campaign(cast), cast.student_record)
    assert answers_save(participation=participation, scale_id="phq9", answers={"q1": 1}, seq=1)
    participation.refresh_from_db()
    return participation


def test_a_save_read_before_an_opt_out_changes_nothing(cast):
    participation = _begun(cast)
    stale = Participation.objects.get(pk=participation.pk)
    opt_out(actor=cast.guardian, participation=participation)

    with pytest.raises(ValidationError):
        answers_save(participation=stale, scale_id="phq9", answers={"q1": 3}, seq=2)

    assert not Response.objects.filter(participation=participation).exists()


def test_a_save_read_before_a_submit_in_another_tab_changes_nothing(cast):
    participation = _begun(cast)
    stale = Participation.objects.get(pk=participation.pk)
    answers = phq9_answers(0, 0, 0, 0, 0, 0, 0, 0, 0)
    participation_submit(actor=cast.student, participation=participation, answers={"phq9": answers})

    with pytest.raises(ValidationError):
        answers_save(participation=stale, scale_id="phq9", answers={"q1": 3}, seq=2)

    assert answers_of(Response.objects.get(participation=participation)) == answers


def test_a_later_save_replaces_the_answers_and_an_older_one_says_it_changed_nothing(cast):
    participation = _begun(cast)

    later = answers_save(participation=participation, scale_id="phq9", answers={"q2": 2}, seq=3)
    older = answers_save(participation=participation, scale_id="phq9", answers={"q1": 0}, seq=2)

    assert (later, older) == (True, False)
    response = Response.objects.get(participation=participation)
    assert answers_of(response) == {"q2": 2} and response.seq == 3
