"""The workbench's kept counts (core/workbench_cache.py): served again only while nothing was
written, whichever way the write went, and never older than the data.

These tests commit for real (transactional database), as a server does: the kept counts are
dropped when a write is committed, not when it is made."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.cases.factories import case_at
from tests.cases.test_waiting_steps import draft
from xinqiao.cases.models import Case
from xinqiao.core import workbench_cache
from xinqiao.core.access_log import record_access
from xinqiao.core.roles import Role
from xinqiao.core.workbench import tiles_for
from xinqiao.people.models import School

pytestmark = pytest.mark.django_db(transaction=True)


def counts(user, school_id: int | None, role=Role.DIRECTOR) -> dict:
    """The tiles' counts as the workbench shows them to ``user`` as loaded for a request (a
    page keeps some counts on its user object; a request loads the user afresh)."""
    return {tile["key"]: tile["count"] for tile in tiles_for(user, role, school_id)}


def fresh(user):
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def director(cast):
    return cast.director


def queries_to_count(user, school_id) -> int:
    """The queries a load of the workbench runs for its tiles."""
    user = fresh(user)
    with CaptureQueriesContext(connection) as queries:
        counts(user, school_id)
    return len(queries)


def test_counts_are_kept_between_loads_and_retaken_after_a_committed_save(cast, director):
    before = counts(fresh(director), cast.school.pk)
    assert queries_to_count(director, cast.school.pk) == 0  # kept: not one query
    draft(cast, case_at(cast, "assessing"))  # a plan saved for approval, committed
    after = counts(fresh(director), cast.school.pk)
    assert after["cases_awaiting_approval"] == before["cases_awaiting_approval"] + 1
    assert after["waiting"] == before["waiting"] + 1


@pytest.mark.parametrize("how", ["queryset update", "raw SQL", "delete"])
def test_writes_that_bypass_save_drop_the_kept_counts_too(cast, director, how):
    case = case_at(cast, "assessing")
    case.counselors.all().delete()
    assert counts(fresh(director), cast.school.pk)["unassigned"] == 1
    if how == "queryset update":
        Case.objects.filter(pk=case.pk).update(state=Case.State.CLOSED)
    elif how == "raw SQL":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(Case._meta.db_table)} SET state = %s "  # noqa: S608
                "WHERE id = %s",
                [Case.State.CLOSED, case.pk],
            )
    else:
        Case.objects.filter(pk=case.pk).delete()
    assert counts(fresh(director), cast.school.pk)["unassigned"] == 0


def test_a_write_rolled_back_leaves_the_kept_counts(cast, director):
    counts(fresh(director), cast.school.pk)
    token = workbench_cache.generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        draft(cast, case_at(cast, "assessing"))
        raise RuntimeError("refused half-way")
    assert workbench_cache.generation() == token
    assert queries_to_count(director, cast.school.pk) == 0


def test_reads_written_to_the_access_log_leave_the_kept_counts(cast, director):
    counts(fresh(director), cast.school.pk)
    token = workbench_cache.generation()
    with transaction.atomic():
        record_access(actor=cast.counselor, action="view", obj=cast.student_record)
    assert workbench_cache.generation() == token
    assert queries_to_count(director, cast.school.pk) == 0


def test_a_write_changes_the_generation_only_when_counts_were_kept_under_it(cast, director):
    token = workbench_cache.generation()
    School.objects.filter(pk=cast.school.pk).update(name="第一中学（本部）")
    assert workbench_cache.generation() == token  # nothing kept: nothing to drop
    counts(fresh(director), cast.school.pk)
    School.objects.filter(pk=cast.school.pk).update(name="第一中学")
    assert workbench_cache.generation() != token


def test_a_write_committed_while_counts_are_taken_is_not_hidden(cast):
    """The mark goes down before the counting starts: a write committed meanwhile replaces the
    generation, so what was counted before it is never served again."""
    taken = []

    def count_then_a_write_commits():
        taken.append(Case.objects.count())
        case_at(cast, "assessing")
        return {"cases": taken[-1]}

    stale = workbench_cache.cached_counts("race", count_then_a_write_commits)
    fresh = workbench_cache.cached_counts("race", lambda: {"cases": Case.objects.count()})
    assert fresh["cases"] == stale["cases"] + 1


def test_a_tile_that_changes_with_the_clock_is_counted_on_every_load(cast):
    counts(fresh(cast.admin), None, Role.ADMIN)
    admin = fresh(cast.admin)
    with CaptureQueriesContext(connection) as queries:
        counts(admin, None, Role.ADMIN)
    assert any("axes_accessattempt" in q["sql"] for q in queries)  # locked accounts, live
    assert not any("core_pendingstep" in q["sql"] for q in queries)  # waiting for me, kept


def test_every_kind_of_write_django_makes_names_its_table(cast):
    """On this database's own SQL: insert, update, bulk insert, delete."""
    from xinqiao.core.models import Notification

    with CaptureQueriesContext(connection) as queries:
        note = Notification.objects.create(recipient=cast.director, title="测试")
        Notification.objects.filter(pk=note.pk).update(title="测试二")
        Notification.objects.bulk_create([Notification(recipient=cast.director, title="批量")])
        Notification.objects.filter(recipient=cast.director).delete()
        list(Notification.objects.all())
    tables = [workbench_cache._written_table(q["sql"]) for q in queries]
    writes = [q["sql"] for q in queries if q["sql"].lstrip().startswith(("INSERT", "UPDATE", "DE"))]
    assert len([table for table in tables if table]) == len(writes) >= 4
    assert Notification._meta.db_table in tables  # and those of the rows deleted with them:
    assert set(tables) - {None} <= set(connection.introspection.table_names())
    assert tables[-1] is None  # the SELECT is not a write
