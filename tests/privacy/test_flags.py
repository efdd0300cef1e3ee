"""Flags of unusual reading patterns (issue 16 item 2): "a counselor reading 30 files in 10
minutes is flagged to the director", once; reads outside working hours; refusals; review."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in
from tests.privacy.helpers import make_students, read_files
from xinqiao.core.access_log import record_access
from xinqiao.core.models import Notification
from xinqiao.privacy.detectors import bursts, is_working_time
from xinqiao.privacy.models import AccessFlag, FlagScan
from xinqiao.privacy.services import flags_scan
from xinqiao.privacy.tasks import scan_access_log

pytestmark = pytest.mark.django_db


def flag_notices(user):
    return Notification.objects.filter(recipient=user, url__startswith="/privacy/flags/")


def test_a_counselor_reading_30_files_in_10_minutes_is_flagged_to_the_director_once(cast):
    read_files(cast.counselor, make_students(cast, 30))
    written = flags_scan()
    assert [(f.kind, f.actor_username, f.count) for f in written] == [
        ("many_files", cast.counselor.username, 30)
    ]
    flag = written[0]
    assert flag.school_id == cast.school.pk
    notices = flag_notices(cast.director)
    assert notices.count() == 1
    assert notices.get().url == reverse("privacy:flag_detail", args=[flag.pk])
    assert not flag_notices(cast.counselor).exists()
    # scanning again, or scanning the same rows from the start, writes and tells nothing more
    assert flags_scan() == []
    FlagScan.objects.filter(pk=1).update(seq=0)
    assert flags_scan() == []
    assert AccessFlag.objects.count() == 1 and flag_notices(cast.director).count() == 1


def test_29_files_or_one_file_read_30_times_is_not_flagged(cast):
    pupils = make_students(cast, 29)
    read_files(cast.counselor, pupils)
    read_files(cast.counselor, pupils[:1] * 5)
    assert flags_scan() == []


def test_a_burst_split_over_two_scans_is_found_when_it_completes(cast):
    pupils = make_students(cast, 30)
    read_files(cast.counselor, pupils[:20])
    assert flags_scan() == []
    read_files(cast.counselor, pupils[20:])
    assert [f.count for f in flags_scan()] == [30]


def test_the_periodic_task_runs_the_scan(cast):
    read_files(cast.counselor, make_students(cast, 30))
    assert scan_access_log.call_local() == 1


def test_bursts_count_distinct_files_within_the_window_and_start_again_after_one():
    start = timezone.now()
    window = datetime.timedelta(minutes=10)

    def rows(minutes_and_files):
        return [
            {"seq": n + 1, "created_at": start + datetime.timedelta(minutes=m), "student_id": f}
            for n, (m, f) in enumerate(minutes_and_files)
        ]

    spread = rows([(minute * 4, minute) for minute in range(5)])  # 5 files in 16 minutes
    assert list(bursts(spread, threshold=4, window=window, token=lambda r: r["student_id"])) == []
    tight = rows([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8)])
    found = list(bursts(tight, threshold=4, window=window, token=lambda r: r["student_id"]))
    assert [[r["seq"] for r in run] for run in found] == [[1, 2, 3, 4], [5, 6, 7, 8]]


def test_working_time_is_the_schools_local_hours_and_days(settings):
    settings.ACCESS_WORK_START_HOUR, settings.ACCESS_WORK_END_HOUR = 7, 22
    settings.ACCESS_WORK_DAYS = frozenset({1, 2, 3, 4, 5})
    shanghai = timezone.get_current_timezone()
    monday = datetime.datetime(2026, 11, 30, tzinfo=shanghai)
    assert is_working_time(monday.replace(hour=7))
    assert is_working_time(monday.replace(hour=21, minute=59))
    assert not is_working_time(monday.replace(hour=22))
    assert not is_working_time(monday.replace(hour=6, minute=59))
    assert not is_working_time((monday + datetime.timedelta(days=5)).replace(hour=10))  # Saturday
    # 23:30 UTC on Sunday is 07:30 on Monday in Shanghai
    assert is_working_time(datetime.datetime(2026, 11, 29, 23, 30, tzinfo=datetime.UTC))


def test_reads_outside_working_hours_are_flagged_once_a_day(cast, settings):
    settings.ACCESS_WORK_DAYS = frozenset()  # no working day: every read is outside
    pupils = make_students(cast, 3)
    read_files(cast.counselor, pupils[:2])
    written = flags_scan()
    assert [(f.kind, f.count, f.key) for f in written] == [
        ("outside_hours", 2, timezone.localdate().isoformat())
    ]
    read_files(cast.counselor, pupils[2:])
    assert flags_scan() == []  # the day's flag is there already
    assert flag_notices(cast.director).count() == 1


def test_reading_the_log_itself_at_night_is_not_flagged(cast, client, settings):
    settings.ACCESS_WORK_DAYS = frozenset()
    sign_in(client, cast.director)
    client.get(reverse("privacy:log"))
    assert flags_scan() == []


def test_many_refusals_are_flagged_and_the_director_told_once(cast, settings):
    settings.ACCESS_FLAG_REFUSALS = 5
    for number in range(5):
        record_access(
            actor=cast.duty,
            action="denied",
            object_type="cases.Case",
            object_id=900 + number,
            school_id=cast.school.pk,
            basis="refused: view",
        )
    written = flags_scan()
    assert [(f.kind, f.actor_username, f.count) for f in written] == [
        ("refusals", cast.duty.username, 5)
    ]
    assert flag_notices(cast.director).count() == 1


def test_refusals_the_access_kernel_already_reported_are_flagged_without_a_second_notice(
    cast, settings, client
):
    settings.REFUSALS_PER_MINUTE = 3
    settings.ACCESS_FLAG_REFUSALS = 3
    sign_in(client, cast.duty)
    for number in range(5):
        client.get(reverse("cases:case_detail", args=[880000 + number]))
    told = Notification.objects.filter(recipient=cast.director).count()
    assert told == 1  # the kernel's notice of probing
    assert [f.kind for f in flags_scan()] == ["refusals"]
    assert Notification.objects.filter(recipient=cast.director).count() == told


def test_the_director_reviews_a_flag_with_a_note_once(cast, client):
    read_files(cast.counselor, make_students(cast, 30))
    flag = flags_scan()[0]
    url = reverse("privacy:flag_detail", args=[flag.pk])
    sign_in(client, cast.director)
    empty = client.post(url, {"note": "  "})
    assert empty.status_code == 400
    flag.refresh_from_db()
    assert flag.reviewed_at is None
    note = "与王老师核实：期中筛查后集中复查档案，属正常工作。"
    assert client.post(url, {"note": note}).status_code == 302
    flag.refresh_from_db()
    assert flag.reviewed_by == cast.director and flag.review_note == note
    again = client.post(url, {"note": "再写一次"})
    assert again.status_code == 400
    flag.refresh_from_db()
    assert flag.review_note == note
    assert note in client.get(url).content.decode()
    listed = client.get(reverse("privacy:flag_list"), {"state": "reviewed"})
    assert list(listed.context["page"]) == [flag]
    assert list(client.get(reverse("privacy:flag_list")).context["page"]) == []


def test_the_review_note_is_encrypted_and_kept_out_of_the_history(cast):
    from auditlog.models import LogEntry
    from django.db import connection

    from xinqiao.privacy.services import flag_review

    read_files(cast.counselor, make_students(cast, 30))
    flag = flags_scan()[0]
    flag_review(actor=cast.director, flag=flag, note="核实无误")
    with connection.cursor() as cursor:
        cursor.execute("SELECT review_note FROM privacy_accessflag WHERE id = %s", [flag.pk])
        assert "核实" not in cursor.fetchone()[0]
    entries = LogEntry.objects.filter(object_pk=str(flag.pk), content_type__model="accessflag")
    assert entries.exists()
    assert all("核实" not in str(entry.changes) for entry in entries)


def test_no_one_but_the_director_reads_or_reviews_flags_and_nothing_changes(cast, client):
    read_files(cast.counselor, make_students(cast, 30))
    flag = flags_scan()[0]
    url = reverse("privacy:flag_detail", args=[flag.pk])
    for person in (cast.supervisor, cast.counselor, cast.admin, cast.foreign_director):
        sign_in(client, person)
        assert client.get(reverse("privacy:flag_list")).status_code in (200, 403)
        assert client.post(url, {"note": "看看"}).status_code in (403, 404)
        flag.refresh_from_db()
        assert flag.reviewed_at is None and flag.review_note == ""
    sign_in(client, cast.foreign_director)
    assert list(client.get(reverse("privacy:flag_list"), {"state": "all"}).context["page"]) == []


def _file_grant(cast, student, *, days: int):
    from xinqiao.cases.models import AccessGrant

    now = timezone.now()
    return AccessGrant.objects.create(
        school=cast.school,
        requester=cast.duty,
        kind=AccessGrant.Kind.FILE,
        student=student,
        reason="核实值班来电",
        starts_at=now - datetime.timedelta(days=days) + datetime.timedelta(hours=2),
        ends_at=now + datetime.timedelta(hours=2),
        expires_at=now + datetime.timedelta(hours=2),
        parts_requested=",records,",
        parts_granted=",records,",
        state=AccessGrant.State.APPROVED,
    )


def test_reads_under_a_grant_close_to_its_end_are_flagged_once_per_grant(cast):
    """The grant ends in two hours: reads now are in its last 24 hours, flagged once."""
    (pupil,) = make_students(cast, 1)
    grant = _file_grant(cast, pupil, days=7)
    read_files(cast.duty, [pupil, pupil], grant_id=grant.pk)
    written = flags_scan()
    assert [(f.kind, f.actor_username, f.key, f.count) for f in written] == [
        ("grant_ending", cast.duty.username, str(grant.pk), 2)
    ]
    assert flag_notices(cast.director).count() == 1
    read_files(cast.duty, [pupil], grant_id=grant.pk)
    assert flags_scan() == []
    assert AccessFlag.objects.filter(kind="grant_ending").count() == 1


def test_reads_early_in_a_grant_or_without_one_are_not_flagged_as_ending(cast, settings):
    (pupil,) = make_students(cast, 1)
    settings.ACCESS_FLAG_GRANT_END_HOURS = 1  # the last hour only: now is not in it
    grant = _file_grant(cast, pupil, days=7)
    read_files(cast.duty, [pupil], grant_id=grant.pk)
    read_files(cast.counselor, [pupil])
    assert not [f for f in flags_scan() if f.kind == "grant_ending"]


def test_the_last_stretch_of_a_short_grant_is_its_last_quarter(settings):
    from xinqiao.privacy.detectors import ending_from

    settings.ACCESS_FLAG_GRANT_END_HOURS = 24
    start = timezone.now()
    day = datetime.timedelta(days=1)
    assert ending_from(start, start + day) == start + day * 3 / 4
    assert ending_from(start, start + 10 * day) == start + 9 * day
