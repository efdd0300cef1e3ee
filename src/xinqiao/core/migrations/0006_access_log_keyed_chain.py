from django.db import migrations


def forwards(apps, schema_editor):
    """Rows written before the audit key existed are chained again with it (issue 12, item 5)."""
    from xinqiao.core.access_log import rechain_with_key

    rechain_with_key(apps.get_model("core", "AccessLog"), apps.get_model("core", "AccessLogHead"))


class Migration(migrations.Migration):
    dependencies = [("core", "0005_sign_in_hardening")]

    # Going back leaves the keyed chain: an older release verifies it as changed, never as good.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
