"""Free text that can hold confidential detail becomes encrypted (issue 12, item 7): the
columns change type, then the values already stored are encrypted and their plain copies
leave the change history."""

from django.db import migrations

import xinqiao.core.fields


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
        ('auditlog', '0017_add_actor_email'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='brought_by',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='brought by'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='giver_name',
            field=xinqiao.core.fields.EncryptedCharField(max_length=100, verbose_name='name of the person consenting'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='how',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='how it was given'),
        ),
        migrations.AlterField(
            model_name='evaluation',
            name='questionnaire',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='questionnaire'),
        ),
        migrations.AlterField(
            model_name='planmeasure',
            name='responsible_name',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='responsible (name)'),
        ),
        migrations.AlterField(
            model_name='sessionrecord',
            name='participants',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=200, verbose_name='participants'),
        ),
        migrations.AlterField(
            model_name='sessionrecord',
            name='place',
            field=xinqiao.core.fields.EncryptedCharField(max_length=100, verbose_name='place'),
        ),
        xinqiao.core.fields.encrypt_existing('cases.Case', 'brought_by'),
        xinqiao.core.fields.encrypt_existing('cases.Consent', 'giver_name', 'how'),
        xinqiao.core.fields.encrypt_existing('cases.Evaluation', 'questionnaire'),
        xinqiao.core.fields.encrypt_existing('cases.PlanMeasure', 'responsible_name'),
        xinqiao.core.fields.encrypt_existing('cases.SessionRecord', 'place', 'participants'),
    ]
