"""The school's three alert levels (关注 / 高危 / 危机), dismissal with a reason, and the key
that stores an alert raised twice once. Old levels map down: low and medium → concern,
imminent → crisis."""

from django.conf import settings
from django.db import migrations, models


OLD_TO_NEW = {"low": "concern", "medium": "concern", "imminent": "crisis"}
NEW_TO_OLD = {"concern": "medium", "crisis": "imminent"}


def _remap(mapping):
    def run(apps, schema_editor):
        Alert = apps.get_model("crisis", "Alert")
        for old, new in mapping.items():
            Alert.objects.filter(risk_level=old).update(risk_level=new)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('crisis', '0001_initial'),
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='alert',
            name='raise_key',
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AlterField(
            model_name='alert',
            name='risk_level',
            field=models.CharField(choices=[('concern', 'concern'), ('high', 'high risk'), ('crisis', 'crisis (imminent danger)')], max_length=20, verbose_name='risk level'),
        ),
        migrations.AlterField(
            model_name='alert',
            name='state',
            field=models.CharField(choices=[('raised', 'raised'), ('acknowledged', 'acknowledged'), ('in_intervention', 'in intervention'), ('resolved', 'resolved'), ('dismissed', 'dismissed')], db_index=True, default='raised', max_length=20, verbose_name='state'),
        ),
        migrations.AddConstraint(
            model_name='alert',
            constraint=models.UniqueConstraint(condition=models.Q(('raise_key', ''), _negated=True), fields=('school', 'raise_key'), name='crisis_alert_raised_once'),
        ),
        migrations.RunPython(_remap(OLD_TO_NEW), _remap(NEW_TO_OLD)),
    ]
