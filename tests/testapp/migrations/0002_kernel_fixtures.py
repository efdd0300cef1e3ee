import django.db.models.deletion
from django.db import migrations, models

import xinqiao.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("testapp", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SecretNoteComment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", xinqiao.core.fields.EncryptedTextField()),
                ("note", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="comments", to="testapp.secretnote")),
            ],
            options={"abstract": False},
        ),
        migrations.CreateModel(
            name="UndeclaredNote",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("body", xinqiao.core.fields.EncryptedTextField()),
                ("school", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="people.school", verbose_name="school")),
            ],
            options={"abstract": False},
        ),
    ]
