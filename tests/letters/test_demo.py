"""The demo's letterbox (`xinqiao demo`): named and anonymous letters, answered and waiting,
flagged ones with their alerts, one flag dismissed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from xinqiao.crisis.models import Alert, PhraseFlag
from xinqiao.crisis.phrases import phrase_statistics
from xinqiao.letters.models import Letter
from xinqiao.letters.services import overdue_cutoff

pytestmark = pytest.mark.django_db


def test_the_demo_has_named_anonymous_answered_overdue_and_flagged_letters():
    call_command("demo", stdout=StringIO())
    letters = Letter.objects.all()
    assert letters.filter(writer=None).count() >= 5
    assert letters.exclude(writer=None).count() >= 3
    assert letters.filter(answered_at__isnull=False).count() == 3
    assert letters.filter(answered_at=None, sent_on__lte=overdue_cutoff()).exists()
    alerts = Alert.objects.filter(source=Alert.Source.LETTER)
    assert set(alerts.values_list("risk_level", "state")) == {
        ("crisis", "raised"),
        ("high", "raised"),
        ("crisis", "dismissed"),
    }
    anonymous = alerts.get(risk_level="crisis", state="raised")
    assert anonymous.student is None and anonymous.person_description.startswith("匿名来信")
    assert PhraseFlag.objects.filter(dismissed_at__isnull=False).count() == 1
    school_id = letters.first().school_id
    assert {"想死", "不想活", "活着没意思"} <= {
        row["phrase"] for row in phrase_statistics(school_id)
    }
