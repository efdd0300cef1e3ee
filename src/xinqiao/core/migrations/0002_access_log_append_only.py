from django.db import migrations


def forwards(apps, schema_editor):
    from xinqiao.core.access_log import install_triggers

    install_triggers(schema_editor.connection)
    apps.get_model("core", "AccessLogHead").objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    from xinqiao.core.access_log import remove_triggers

    remove_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
