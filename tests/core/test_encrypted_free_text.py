"""Free text that can hold confidential detail is encrypted, kept out of the change history
and never copied into a notification (issue 12, item 7)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.cases.factories import case_at
from tests.rooms.appointment_factories import make_appointment, make_slot
from tests.testapp.models import SecretNote
from xinqiao.cases.models import PlanMeasure
from xinqiao.core.fields import EncryptedTextField, encrypted_field_names
from xinqiao.rooms.models import Appointment

MARKER = "保密-marker-4411"

FREE_TEXT = [
    ("cases.Consent", "how"),
    ("cases.Consent", "giver_name"),
    ("cases.SessionRecord", "place"),
    ("cases.SessionRecord", "participants"),
    ("cases.Case", "brought_by"),
    ("cases.Evaluation", "questionnaire"),
    ("cases.PlanMeasure", "responsible_name"),
    ("rooms.Appointment", "state_reason"),
    ("rooms.Appointment", "person_name"),
    ("rooms.Appointment", "contact"),
    ("rooms.Intake", "caller_name"),
    ("rooms.Intake", "contact"),
    ("rooms.DutyLog", "handover"),
    ("rooms.LeaveRequest", "reason"),
]


@pytest.mark.parametrize(("model", "field"), FREE_TEXT)
def test_free_text_that_can_hold_confidential_detail_is_an_encrypted_field(model, field):
    assert isinstance(apps.get_model(model)._meta.get_field(field), EncryptedTextField)


def test_no_model_in_the_change_history_records_an_encrypted_field():
    """Walks every model registered with the change history, however it was registered."""
    recorded_secrets = {}
    for model in auditlog.get_models():
        options = auditlog.get_model_fields(model)
        recorded = set(options["include_fields"]) or {f.name for f in model._meta.concrete_fields}
        recorded -= set(options["exclude_fields"])
        leaked = recorded & set(encrypted_field_names(model))
        if leaked:
            recorded_secrets[model._meta.label] = sorted(leaked)
    assert recorded_secrets == {}
    # Not vacuous: the models of the named fields are in the history.
    assert Appointment in auditlog.get_models()


@pytest.mark.django_db
def test_whether_an_encrypted_field_is_empty_can_be_asked_but_not_its_value(school):
    SecretNote.objects.create(school=school, title="empty", body="")
    SecretNote.objects.create(school=school, title="full", body=MARKER)
    assert list(SecretNote.objects.filter(body="").values_list("title", flat=True)) == ["empty"]
    assert list(SecretNote.objects.exclude(body="").values_list("title", flat=True)) == ["full"]
    with pytest.raises(FieldError, match="cannot be searched"):
        SecretNote.objects.filter(body=MARKER).exists()


@pytest.mark.django_db
def test_the_database_still_refuses_a_measure_with_nobody_responsible(cast):
    plan = case_at(cast, "active").plans.get()
    fields = {"plan": plan, "kind": PlanMeasure.Kind.OTHER, "description": "家访"}
    fields["starts_on"] = timezone.localdate()
    with pytest.raises(IntegrityError, match="cases_measure_has_someone"), transaction.atomic():
        PlanMeasure.objects.create(**fields, responsible_name="")
    named = PlanMeasure.objects.create(**fields, responsible_name="志愿者 小林")
    assert PlanMeasure.objects.get(pk=named.pk).responsible_name == "志愿者 小林"


def stored(model, pk: int, column: str) -> str:
    """The value as the database holds it."""
    quote = connection.ops.quote_name
    select = f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(select, [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_values_written_before_it_and_clears_them_from_history(cast):
    """Back to before the migration (the values decrypted into plain columns, as they were
    written then), an old history entry with the plain reason, then forward again."""
    appointment = make_appointment(
        make_slot(cast.school, cast.counselor),
        cast.student_record,
        person_name="何妈妈",
        contact="13800000000",
        state_reason="家里出事了",
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("rooms", "0001_initial")])
    assert stored(Appointment, appointment.pk, "state_reason") == "家里出事了"
    assert stored(Appointment, appointment.pk, "person_name") == "何妈妈"
    old_entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Appointment),
        object_pk=str(appointment.pk),
        object_id=appointment.pk,
        object_repr="appointment",
        action=LogEntry.Action.UPDATE,
        changes={"state_reason": ["", "家里出事了"], "state": ["booked", "cancelled"]},
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert stored(Appointment, appointment.pk, "state_reason") not in ("", "家里出事了")
    assert "何妈妈" not in stored(Appointment, appointment.pk, "person_name")
    appointment.refresh_from_db()
    assert (appointment.person_name, appointment.contact, appointment.state_reason) == (
        "何妈妈",
        "13800000000",
        "家里出事了",
    )
    old_entry.refresh_from_db()
    assert old_entry.changes == {"state": ["booked", "cancelled"]}
