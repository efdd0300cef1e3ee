"""The access log's pages: filters, keyset pages, the supervision group's view without
content, the student file's own history, and the log's reading logged (issue 16 item 2)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.cases.factories import case_at
from tests.conftest import sign_in
from tests.privacy.helpers import make_students, read_files
from xinqiao.core.access_log import record_access
from xinqiao.core.models import AccessLog
from xinqiao.privacy import selectors

pytestmark = pytest.mark.django_db
LOG = reverse("privacy:log")


def seqs(response) -> list[int]:
    return [entry.seq for entry in response.context["page"].entries]


def test_the_director_filters_the_log_by_person(cast, client):
    pupils = make_students(cast, 3)
    read_files(cast.counselor, pupils[:2])
    read_files(cast.second_counselor, pupils[2:])
    sign_in(client, cast.director)
    response = client.get(LOG, {"actor": cast.second_counselor.pk})
    entries = response.context["page"].entries
    assert [e.username for e in entries] == ["second_counselor"]
    assert entries[0].student == f"{pupils[2].name} ({pupils[2].student_number})"


def test_the_director_filters_by_student_name_or_number_and_by_case(cast, client):
    pupils = make_students(cast, 2)
    read_files(cast.counselor, pupils)
    case = case_at(cast, "active")
    record_access(actor=cast.counselor, action="read", obj=case, basis="counselor of the case")
    sign_in(client, cast.director)
    by_number = client.get(LOG, {"student_q": pupils[1].student_number})
    assert [e.student_id for e in by_number.context["page"].entries] == [pupils[1].pk]
    by_case = client.get(LOG, {"case": case.number}).context["page"].entries
    assert [e.kind for e in by_case] == ["cases.Case"]
    assert case.number in by_case[0].what
    assert by_case[0].student_id == cast.student_record.pk


def test_filters_by_action_grant_and_date_range(cast, client):
    pupils = make_students(cast, 2)
    read_files(cast.counselor, pupils[:1], grant_id=41)
    read_files(cast.counselor, pupils[1:], action="print")
    sign_in(client, cast.director)
    printed = client.get(LOG, {"action": "print"}).context["page"].entries
    assert [e.student_id for e in printed] == [pupils[1].pk]
    granted = client.get(LOG, {"grant": 41}).context["page"].entries
    assert [(e.student_id, e.grant_id) for e in granted] == [(pupils[0].pk, 41)]
    assert client.get(LOG, {"end": "2000-01-01"}).context["page"].entries == []
    assert client.get(LOG, {"start": "2999-01-01"}).context["page"].entries == []
    assert client.get(LOG, {"start": "2026-02-30"}).status_code == 400


def test_keyset_pages_walk_the_log_newest_first_without_gaps(cast):
    pupils = make_students(cast, 7)
    read_files(cast.counselor, pupils)
    filters = selectors.LogFilters(actor=cast.counselor.pk)
    pages, page = [], selectors.log_page(cast.director, filters, size=3)
    pages.append([e.seq for e in page.entries])
    while page.older:
        filters.before = page.older
        page = selectors.log_page(cast.director, filters, size=3)
        pages.append([e.seq for e in page.entries])
    everything = list(
        AccessLog.objects.filter(actor_id=cast.counselor.pk)
        .order_by("-seq")
        .values_list("seq", flat=True)
    )
    assert [seq for part in pages for seq in part] == everything
    assert [len(part) for part in pages] == [3, 3, 1]
    # and back towards the newest
    back = selectors.log_page(
        cast.director, selectors.LogFilters(actor=cast.counselor.pk, after=pages[1][0]), size=3
    )
    assert [e.seq for e in back.entries] == pages[0]
    assert back.newer is None


def test_a_page_of_the_log_costs_the_same_queries_whatever_its_length(
    cast, django_assert_max_num_queries
):
    pupils = make_students(cast, 40)
    read_files(cast.counselor, pupils)
    with django_assert_max_num_queries(6):
        page = selectors.log_page(cast.director, selectors.LogFilters())
    assert len(page.entries) == 40
    assert all(entry.student for entry in page.entries)


def test_the_supervision_group_sees_the_log_without_any_content(cast, client):
    pupils = make_students(cast, 2)
    read_files(cast.counselor, pupils, grant_id=7)
    case = case_at(cast, "active")
    record_access(actor=cast.counselor, action="read", obj=case, basis="counselor of the case")
    sign_in(client, cast.supervisor)
    response = client.get(LOG, {"student": pupils[0].pk, "grant": 7, "case": case.number})
    html = response.content.decode()
    table = html[html.index('data-testid="log-list"') : html.index("</table>")]
    entries = response.context["page"].entries
    # the filters that would name a student, a case or a grant are not applied
    assert {e.username for e in entries} >= {cast.counselor.username}
    assert len([e for e in entries if e.username == cast.counselor.username]) == 3
    for entry in entries:
        assert not entry.content
        assert (entry.student, entry.student_id, entry.what, entry.grant_id, entry.basis) == (
            "",
            None,
            "",
            None,
            "",
        )
    for secret in (pupils[0].name, pupils[1].student_number, case.number, "test: file read"):
        assert secret not in table  # (the query string echoes what the supervisor typed)
    assert f"/cases/{case.pk}" not in table and "student=" not in table
    assert 'data-testid="log-without-content"' in html


def test_another_schools_director_sees_none_of_this_schools_rows(cast, client):
    read_files(cast.counselor, make_students(cast, 1))
    sign_in(client, cast.foreign_director)
    entries = client.get(LOG).context["page"].entries
    assert all(e.username != cast.counselor.username for e in entries)


def test_reading_the_log_is_itself_logged_with_its_filter(cast, client):
    pupil = make_students(cast, 1)[0]
    sign_in(client, cast.director)
    client.get(LOG, {"student": pupil.pk})
    row = AccessLog.objects.order_by("-seq").first()
    assert (row.actor_id, row.object_type, row.action, row.student_id) == (
        cast.director.pk,
        "core.AccessLog",
        "read",
        pupil.pk,
    )
    assert row.school_id == cast.school.pk and f"student={pupil.pk}" in row.basis


def test_the_administrator_and_others_are_refused_and_nothing_is_written(cast, client):
    for person in (cast.admin, cast.counselor, cast.principal):
        sign_in(client, person)
        before = AccessLog.objects.count()
        assert client.get(LOG).status_code == 403
        assert client.get(reverse("privacy:log_export")).status_code == 403
        assert AccessLog.objects.count() == before


def test_the_export_holds_the_filtered_rows_and_is_logged_as_an_export(cast, client):
    pupils = make_students(cast, 3, prefix="=HYPERLINK")
    read_files(cast.counselor, pupils)
    sign_in(client, cast.director)
    response = client.get(reverse("privacy:log_export"), {"actor": cast.counselor.pk})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "director" in rows[0][0]  # the watermark: who exported
    assert len(rows) == 2 + 3
    assert all(row[3] == cast.counselor.username for row in rows[2:])
    assert rows[2][7].startswith("=HYPERLINK")  # as text: openpyxl reads the cell back
    assert sheet.cell(row=3, column=8).data_type == "s"
    last = AccessLog.objects.order_by("-seq").first()
    assert (last.action, last.object_type) == ("export", "core.AccessLog")


def test_the_supervision_groups_export_has_no_content_columns(cast, client):
    pupils = make_students(cast, 2)
    read_files(cast.counselor, pupils)
    sign_in(client, cast.supervisor)
    response = client.get(reverse("privacy:log_export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows[1]) == 6
    text = repr(rows)
    assert pupils[0].name not in text and pupils[1].student_number not in text


def test_the_student_file_shows_its_own_access_history_to_the_director(cast, client):
    case_at(cast, "active")
    sign_in(client, cast.director)
    page = client.get(reverse("cases:student_file", args=[cast.student_record.pk]))
    history_url = reverse("privacy:student_history", args=[cast.student_record.pk])
    assert history_url in page.content.decode()
    part = client.get(history_url)
    entries = part.context["page"].entries
    assert entries[0].username == cast.director.username  # the file read just now
    assert entries[0].kind == "people.Student"


def test_the_counselor_of_the_file_is_not_shown_its_access_history(cast, client):
    case_at(cast, "active")
    sign_in(client, cast.counselor)
    page = client.get(reverse("cases:student_file", args=[cast.student_record.pk]))
    assert page.status_code == 200
    assert "privacy/students" not in page.content.decode()
    before = AccessLog.objects.filter(object_type="core.AccessLog").count()
    history = client.get(reverse("privacy:student_history", args=[cast.student_record.pk]))
    assert history.status_code in (403, 404)
    assert AccessLog.objects.filter(object_type="core.AccessLog").count() == before


def test_refusals_of_ids_that_do_not_exist_show_under_the_persons_filter(cast, client):
    sign_in(client, cast.duty)
    client.get(reverse("cases:case_detail", args=[987654]))
    sign_in(client, cast.director)
    entries = client.get(LOG, {"actor": cast.duty.pk}).context["page"].entries
    assert [(e.action, e.what, e.content) for e in entries] == [("denied", "#987654", True)]
    sign_in(client, cast.foreign_director)
    assert client.get(LOG, {"actor": cast.duty.pk}).context["page"].entries == []
