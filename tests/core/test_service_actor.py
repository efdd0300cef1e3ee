"""Issue 11 item 5: a service records the actor it is given, whoever calls it."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import IntegrityError

from xinqiao.core.history import service

pytestmark = pytest.mark.django_db


@service
def rename(*, actor, user, name: str, then_fail: bool = False):
    user.full_name = name
    user.save()
    if then_fail:
        raise IntegrityError("second write refused")


def authors_of(user) -> list[str]:
    entries = LogEntry.objects.get_for_object(user).order_by("pk")
    return [entry.actor.username if entry.actor else "" for entry in entries]


def test_a_task_without_a_request_records_the_actor_it_was_given(cast):
    before = authors_of(cast.student)
    rename(actor=cast.director, user=cast.student, name="新名字")
    assert authors_of(cast.student) == [*before, "director"]


def test_a_call_inside_a_request_records_its_actor_and_the_request_keeps_its_own(cast):
    before = authors_of(cast.student)
    with set_actor(cast.admin):
        rename(actor=cast.director, user=cast.student, name="甲")
        cast.student.full_name = "乙"
        cast.student.save()
    assert authors_of(cast.student) == [*before, "director", "admin"]


def test_a_service_that_fails_half_way_saves_nothing(cast):
    name_before = cast.student.full_name
    entries_before = authors_of(cast.student)
    with pytest.raises(IntegrityError, match="second write refused"):
        rename(actor=cast.director, user=cast.student, name="半途", then_fail=True)
    cast.student.refresh_from_db()
    assert cast.student.full_name == name_before
    assert authors_of(cast.student) == entries_before
