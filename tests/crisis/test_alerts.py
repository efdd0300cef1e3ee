"""Alerts: the one entry point, the state machine, who sees what, and what is recorded."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from xinqiao.core.models import AccessLog, Notification
from xinqiao.crisis.models import Alert, AlertEvent
from xinqiao.crisis.services import alert_acknowledge, alert_resolve, raise_alert

pytestmark = pytest.mark.django_db

EVIDENCE = "电话里说不想活了"


def an_alert(cast, *, raised_by=None, **kwargs) -> Alert:
    fields = {
        "actor": raised_by or cast.duty,
        "school": cast.school,
        "risk_level": Alert.RiskLevel.HIGH,
        "source": Alert.Source.DUTY_PHONE,
        "evidence": EVIDENCE,
        "student": cast.student_record,
    }
    fields.update(kwargs)
    return raise_alert(**fields)


def test_raising_an_alert_tells_the_director_and_counselors_at_once(cast):
    alert = an_alert(cast)
    told = set(
        Notification.objects.filter(
            url=reverse("crisis:alert_detail", args=[alert.pk])
        ).values_list("recipient__username", flat=True)
    )
    # The student holds no open case: every counselor of the school is told.
    assert told == {"director", "counselor", cast.second_counselor.username}
    assert not Notification.objects.filter(body__contains=EVIDENCE).exists()
    assert alert.events.get().to_state == "raised"


def test_an_alert_is_in_the_change_history(cast):
    alert = an_alert(cast)
    entry = LogEntry.objects.get_for_object(alert).get()
    assert entry.action == LogEntry.Action.CREATE
    assert EVIDENCE not in str(entry.changes)


def test_the_evidence_is_shown_to_the_counseling_staff_and_every_read_is_recorded(cast, signed_in):
    alert = an_alert(cast)
    response = signed_in(cast.counselor).get(reverse("crisis:alert_detail", args=[alert.pk]))
    assert response.status_code == 200
    assert EVIDENCE in response.content.decode()
    read = AccessLog.objects.get(action="read", object_id=str(alert.pk))
    assert read.actor_username == "counselor"
    assert read.object_type == "crisis.Alert"
    assert read.school_id == cast.school.pk


def test_the_duty_person_who_raised_it_follows_its_state_but_never_reads_the_evidence(
    cast, signed_in
):
    alert = an_alert(cast, raised_by=cast.duty)
    response = signed_in(cast.duty).get(reverse("crisis:alert_detail", args=[alert.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert EVIDENCE not in body
    assert 'data-testid="alert-no-evidence"' in body
    assert 'data-state="raised"' in body
    assert not AccessLog.objects.filter(action="read").exists()


def test_a_duty_person_opening_an_alert_they_did_not_raise_is_refused_and_recorded(cast, signed_in):
    alert = an_alert(cast, raised_by=cast.counselor)
    response = signed_in(cast.duty).get(reverse("crisis:alert_detail", args=[alert.pk]))
    assert response.status_code in (403, 404)
    assert EVIDENCE not in response.content.decode()
    denied = AccessLog.objects.get(action="denied")
    assert denied.actor_username == "duty"
    assert denied.object_type == "crisis.Alert"
    assert denied.object_id == str(alert.pk)
    assert denied.school_id == cast.school.pk


@pytest.mark.parametrize("role", ["class_teacher", "principal", "student", "guardian", "outsider"])
def test_others_are_refused_an_alert_and_the_attempt_is_recorded(cast, signed_in, role):
    alert = an_alert(cast)
    response = signed_in(getattr(cast, role)).get(reverse("crisis:alert_detail", args=[alert.pk]))
    assert response.status_code in (403, 404)
    assert AccessLog.objects.filter(action="denied", actor_username=role).count() == 1


def test_a_duty_person_cannot_move_an_alert_along(cast, signed_in):
    alert = an_alert(cast, raised_by=cast.duty)
    client = signed_in(cast.duty)
    response = client.post(reverse("crisis:alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.state == "raised"


def test_a_counselor_acknowledges_intervenes_and_resolves_with_a_note(cast, signed_in):
    alert = an_alert(cast)
    client = signed_in(cast.counselor)
    client.post(reverse("crisis:alert_acknowledge", args=[alert.pk]))
    client.post(reverse("crisis:alert_intervene", args=[alert.pk]), {"note": "约谈家长"})
    refused = client.post(reverse("crisis:alert_resolve", args=[alert.pk]), {"note": "  "})
    assert refused.status_code == 400
    alert.refresh_from_db()
    assert alert.state == "in_intervention"
    client.post(reverse("crisis:alert_resolve", args=[alert.pk]), {"note": "已转介，安全计划已定"})
    alert.refresh_from_db()
    assert alert.state == "resolved"
    steps = list(AlertEvent.objects.filter(alert=alert).values_list("to_state", "actor_username"))
    assert steps == [
        ("raised", "duty"),
        ("acknowledged", "counselor"),
        ("in_intervention", "counselor"),
        ("resolved", "counselor"),
    ]


def test_a_resolved_alert_cannot_be_reopened_by_a_skipped_step(cast):
    alert = an_alert(cast)
    alert_resolve(actor=cast.director, alert=alert, note="误报")
    with pytest.raises(ValidationError, match="的预警不能变为"):
        alert_acknowledge(actor=cast.director, alert=alert)
    alert.refresh_from_db()
    assert alert.state == "resolved"
    assert list(alert.events.values_list("to_state", flat=True)) == ["raised", "resolved"]


def test_the_alert_list_shows_open_alerts_of_the_school_only(cast, signed_in):
    mine = an_alert(cast)
    foreign = an_alert(
        cast,
        school=cast.other_school,
        student=None,
        person_description="匿名来电",
        raised_by=cast.outsider,
    )
    resolved = an_alert(cast)
    alert_resolve(actor=cast.director, alert=resolved, note="已处理")
    body = signed_in(cast.director).get(reverse("crisis:alert_list")).content.decode()
    assert f'data-testid="alert-{mine.pk}"' in body
    assert f'data-testid="alert-{foreign.pk}"' not in body
    assert f'data-testid="alert-{resolved.pk}"' not in body
    everything = signed_in(cast.director).get(reverse("crisis:alert_list"), {"state": "all"})
    assert f'data-testid="alert-{resolved.pk}"' in everything.content.decode()


def test_the_same_alert_raised_twice_is_stored_once(cast):
    first = an_alert(cast, raise_key="form-7f3a")
    again = an_alert(cast, raise_key="form-7f3a")
    assert again.pk == first.pk
    assert Alert.objects.count() == 1
    assert AlertEvent.objects.count() == 1
    other = an_alert(cast, raise_key="form-other")
    assert other.pk != first.pk


def test_an_alert_from_a_source_object_is_keyed_by_it(cast):
    first = an_alert(cast, source_object=cast.student_record)
    assert an_alert(cast, source_object=cast.student_record).pk == first.pk
    assert Alert.objects.count() == 1


def test_a_false_alarm_is_dismissed_with_its_reason(cast, signed_in):
    alert = an_alert(cast)
    client = signed_in(cast.counselor)
    url = reverse("crisis:alert_dismiss", args=[alert.pk])
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    alert.refresh_from_db()
    assert alert.state == Alert.State.RAISED
    assert alert.events.count() == 1
    assert client.post(url, {"reason": "同名同学,已核实不是本人"}).status_code == 302
    alert.refresh_from_db()
    assert alert.state == Alert.State.DISMISSED
    assert alert.events.last().note == "同名同学,已核实不是本人"
    assert alert.state not in Alert.OPEN_STATES
