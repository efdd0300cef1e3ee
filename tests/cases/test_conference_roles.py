"""Who sits at a case conference as what (issue 12 item 26): the seat keeps a code, and its
label is said in the reader's language, whatever the language of the person who convened it.
The data migration turns the labels stored before into codes."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation

from tests.cases.factories import case_at
from xinqiao.cases import services_plans
from xinqiao.cases.models import ConferenceParticipant, Severity

pytestmark = pytest.mark.django_db


def test_a_conference_convened_in_english_shows_its_seats_in_chinese(client, cast, signed_in):
    case = case_at(cast, "assessing", severity=Severity.SERIOUS)
    signed_in(cast.director)
    with translation.override("en"):
        response = client.post(
            reverse("cases:conference_convene", args=[case.pk]),
            {
                "scheduled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "place": "Counseling room",
                "agenda": "The plan",
                "participants": [cast.counselor.pk, cast.class_teacher.pk],
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    conference = case.conferences.get()
    seats = {p.user_id: p.role for p in ConferenceParticipant.objects.filter(conference=conference)}
    assert seats == {
        cast.director.pk: "convener",
        cast.counselor.pk: "counselor",
        cast.class_teacher.pk: "class_teacher",
    }

    page = client.get(
        reverse("cases:conference_detail", args=[conference.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "召集人" in page and "班主任" in page
    assert "convener" not in page and "Class teacher" not in page


def test_a_seat_with_an_unknown_role_is_refused(cast):
    case = case_at(cast, "assessing", severity=Severity.SERIOUS)

    with pytest.raises(ValidationError, match="角色"):
        services_plans.conference_convene(
            actor=cast.director,
            case=case,
            scheduled_at=timezone.now(),
            place="心理咨询室",
            agenda="讨论帮扶方案",
            participants=[(cast.counselor, "(convener)")],
        )

    assert not case.conferences.exists()


@pytest.mark.parametrize(
    "label, code",
    [
        ("convener", "convener"),
        ("(convener)", "convener"),
        ("召集人", "convener"),
        ("Class teacher", "class_teacher"),
        ("班主任", "class_teacher"),
        ("心理教师", "counselor"),
        ("Counseling center director", "director"),
        ("心理中心主任", "director"),
        ("学生科", "student_affairs"),
        ("学生科（政教处）", "student_affairs"),
        ("counselor", "counselor"),
        ("志愿者", ""),
    ],
)
def test_the_migration_turns_each_stored_label_into_its_code(label, code):
    migration = importlib.import_module(
        "xinqiao.cases.migrations.0003_measure_ends_and_conference_role_codes"
    )
    assert migration.role_code(label) == code


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_turns_the_stored_labels_of_a_held_conference_into_codes(cast):
    """The migration on a database with seats in it (on PostgreSQL the column it removes after
    rewriting the rows must not meet pending foreign-key checks)."""
    case = case_at(cast, "assessing", severity=Severity.SERIOUS)
    conference = services_plans.conference_convene(
        actor=cast.director,
        case=case,
        scheduled_at=timezone.now(),
        place="心理咨询室",
        agenda="讨论帮扶方案",
        participants=[(cast.class_teacher, "class_teacher")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0002_encrypt_free_text")])
    table = connection.ops.quote_name("cases_conferenceparticipant")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET role_label = %s WHERE user_id = %s",  # noqa: S608
            ["班主任", cast.class_teacher.pk],
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    seat = ConferenceParticipant.objects.get(conference=conference, user=cast.class_teacher)
    assert seat.role == "class_teacher"
