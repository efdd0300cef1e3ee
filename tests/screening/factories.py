"""Campaigns and answers for the screening tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xinqiao.screening.models import Participation
from xinqiao.screening.services import campaign_announce, campaign_save

PHQ9 = "phq9@1.0"


def open_campaign(cast, *, scales=(PHQ9,), announce=True, **fields):
    """A campaign of the cast's class, open from an hour ago for a week."""
    now = timezone.now()
    values = {
        "title": "2026年秋季新生心理普查",
        "purpose": "了解新生的心理状况，以便及早提供帮助。结果只有心理老师看到。",
        "audience": "students",
        "scales": list(scales),
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        "classes": [cast.school_class],
        "supportive_message": "谢谢你认真填写。如果你想找人聊聊，心理咨询室随时欢迎你。",
    }
    values.update(fields)
    campaign = campaign_save(actor=cast.director, school=cast.school, **values)
    if announce:
        campaign = campaign_announce(actor=cast.director, campaign=campaign)
    return campaign


def participation_of(campaign, student) -> Participation:
    return Participation.objects.get(campaign=campaign, student=student)


def phq9_answers(*values):
    return {f"q{i}": v for i, v in enumerate(values, start=1)}


# --- follow-ups (tests/screening/test_follow_ups.py) ----------------------------------------------
MODERATE = phq9_answers(2, 2, 2, 2, 1, 1, 1, 1, 0)  # total 12, "moderate": asks for a follow-up
SEVERE = phq9_answers(3, 3, 3, 3, 2, 2, 2, 2, 1)  # total 21, "severe", item 9 critical
MILD = phq9_answers(1, 1, 1, 1, 1, 1, 0, 0, 0)  # total 6, "mild": no follow-up


def classmate(cast, number: int, name: str | None = None):
    """Another student of the cast's class, with an account (made before the campaign is
    announced: announcing invites the class as it is then)."""
    from tests.factories import make_user
    from xinqiao.people.models import Student

    return Student.objects.create(
        school=cast.school,
        user=make_user("student", school=cast.school, username=f"classmate{number}"),
        name=name or f"同学{number}",
        student_number=f"20260701{number:02d}",
        gender="F",
        school_class=cast.school_class,
    )


def submit(participation, answers, *, actor=None) -> Participation:
    from xinqiao.screening.services import participation_submit

    return participation_submit(actor=actor, participation=participation, answers={"phq9": answers})


def flagged_follow_up(cast, *, answers=MODERATE, campaign=None):
    """The cast's student, flagged in a campaign of their class: their follow-up."""
    from xinqiao.screening.models import FollowUp

    campaign = campaign or open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    submit(participation, answers, actor=cast.student)
    return FollowUp.objects.get(participation=participation)


def swept_follow_up(cast):
    """For the access sweep (no demo wordings there): the cast's student flagged by a PHQ-9 of
    12 in a closed campaign of their class, its rows written as the services leave them. One
    per sweep test (kept on the cast like tests/cases/access_table_workflow.py's cases)."""
    import json

    from xinqiao.screening.models import Campaign, FollowUp, Response

    cache = cast.__dict__.setdefault("_sweep_cases", {})
    if "screening_follow_up" not in cache:
        now = timezone.now()
        campaign = Campaign.objects.create(
            school=cast.school,
            title="2026年秋季新生心理普查",
            purpose="了解新生的心理状况。",
            scales=[PHQ9],
            opens_at=now - timedelta(days=3),
            closes_at=now - timedelta(days=1),
            state=Campaign.State.CLOSED,
        )
        campaign.classes.set([cast.school_class])
        participation = Participation.objects.create(
            school=cast.school,
            campaign=campaign,
            student=cast.student_record,
            school_class=cast.school_class,
            state=Participation.State.SUBMITTED,
            via=Participation.Via.ACCOUNT,
            submitted_at=now - timedelta(days=2),
        )
        Response.objects.create(
            participation=participation,
            scale_id="phq9",
            scale_version="1.0",
            answers=json.dumps(MODERATE),
            scored_at=now - timedelta(days=2),
            valid=True,
            total=12,
            band="moderate",
            follow_up=True,
        )
        cache["screening_follow_up"] = FollowUp.objects.create(
            school=cast.school, participation=participation
        )
    return cache["screening_follow_up"]
