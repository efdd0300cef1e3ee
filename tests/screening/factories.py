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
