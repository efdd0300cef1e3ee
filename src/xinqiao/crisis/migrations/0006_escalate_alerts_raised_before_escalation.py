"""Alerts still waiting for an acknowledgement when escalation arrived take their place in it:
their first step (the director and counselors, told when they were raised) is overdue, so the
next sweep tells the next level of the network."""

from django.db import migrations


def escalate_waiting_alerts(apps, schema_editor):
    Alert = apps.get_model("crisis", "Alert")
    AlertEscalation = apps.get_model("crisis", "AlertEscalation")
    waiting = Alert.objects.filter(state="raised", escalation__isnull=True)
    AlertEscalation.objects.bulk_create(
        AlertEscalation(alert_id=pk, step=0, due_at=raised_at)
        for pk, raised_at in waiting.values_list("pk", "raised_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("crisis", "0005_alert_escalation_and_notices"),
    ]

    operations = [
        migrations.RunPython(escalate_waiting_alerts, migrations.RunPython.noop),
    ]
