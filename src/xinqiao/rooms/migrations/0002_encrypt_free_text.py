"""Free text that can hold confidential detail becomes encrypted (issue 12, item 7): the
columns change type, then the values already stored are encrypted and their plain copies
leave the change history."""

from django.db import migrations

import xinqiao.core.fields


class Migration(migrations.Migration):

    dependencies = [
        ('rooms', '0001_initial'),
        ('auditlog', '0017_add_actor_email'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterField(
            model_name='appointment',
            name='contact',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='contact'),
        ),
        migrations.AlterField(
            model_name='appointment',
            name='person_name',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='appointment',
            name='state_reason',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=300, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='dutylog',
            name='handover',
            field=xinqiao.core.fields.EncryptedTextField(blank=True, verbose_name='hand-over notes'),
        ),
        migrations.AlterField(
            model_name='intake',
            name='caller_name',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='intake',
            name='contact',
            field=xinqiao.core.fields.EncryptedCharField(blank=True, max_length=100, verbose_name='contact'),
        ),
        migrations.AlterField(
            model_name='leaverequest',
            name='reason',
            field=xinqiao.core.fields.EncryptedCharField(max_length=500, verbose_name='reason'),
        ),
        xinqiao.core.fields.encrypt_existing('rooms.Appointment', 'person_name', 'contact', 'state_reason'),
        xinqiao.core.fields.encrypt_existing('rooms.DutyLog', 'handover'),
        xinqiao.core.fields.encrypt_existing('rooms.Intake', 'caller_name', 'contact'),
        xinqiao.core.fields.encrypt_existing('rooms.LeaveRequest', 'reason'),
    ]
