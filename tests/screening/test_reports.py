"""Screening reports: exact counts for the counseling side, small counts hidden from leadership
so none can be worked out from the totals, the export (text cells, logged) and the trends."""

from __future__ import annotations

import io
import itertools
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.screening.report_data import MILD, build_report_campaign, phq9
from xinqiao.core.models import AccessLog
from xinqiao.people.models import Student
from xinqiao.screening import suppression
from xinqiao.screening.models import Participation
from xinqiao.screening.selectors_reports import campaign_report
from xinqiao.screening.services import campaign_close, participation_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_wordings")]

NOT_A_DIAGNOSIS = "绝非诊断"


@pytest.fixture
def data(cast):
    return build_report_campaign(cast)


def _band_table(report, scale_id="phq9"):
    scale = next(s for s in report.scales if s.scale_id == scale_id)
    bands = [b for b, _label in scale.bands]
    return {
        row.group.key: dict(zip(bands, row.cells, strict=True)) | {"n": row.group.submitted}
        for row in scale.rows
    }


def test_the_counseling_side_sees_every_count(data):
    table = _band_table(campaign_report(data.campaign, full=True))
    c71, c81 = (f"c{data.classes[k].pk}" for k in ((7, 1), (8, 1)))
    assert {b: table[c71][b].count for b in ("minimal", "mild", "moderate")} == {
        "minimal": 7,
        "mild": 2,
        "moderate": 1,
    }
    assert table[c81]["mild"].count == 1 and table[c81]["mild"].percent == 33.3
    assert table["school"]["minimal"].count == 15 and table["school"]["n"] == 21
    assert not any(cell.hidden for row in table.values() for k, cell in row.items() if k != "n")


def test_leadership_sees_no_count_under_five_and_none_can_be_worked_out(data):
    report = campaign_report(data.campaign, full=False)
    table = _band_table(report)
    c71, c72, c81 = (f"c{data.classes[k].pk}" for k in ((7, 1), (7, 2), (8, 1)))
    cells = [cell for row in table.values() for k, cell in row.items() if k != "n"]
    # No shown count is between 1 and 4, and a hidden one carries no number at all.
    assert all(c.count is None or c.count == 0 or c.count >= 5 for c in cells)
    assert all((c.count is None) == bool(c.hidden) for c in cells)
    assert table[c71]["mild"].hidden == "small" and table[c71]["moderate"].hidden == "small"
    # 7-2: 6 minimal + 2 mild = 8 submitted: the 6 must go too, or 8 - 6 gives the 2 away.
    assert table[c72]["mild"].hidden == "small" and table[c72]["minimal"].hidden
    # 8-1 has 3 students: no distribution at all, zeros included.
    assert all(table[c81][b].hidden for b in ("minimal", "mild", "moderate", "severe"))
    assert table[c81]["mild"].percent is None
    # Completion stays exact (what screening.view_completion shows them anyway).
    assert table[c81]["n"] == 3
    truth = _band_table(campaign_report(data.campaign, full=True))
    _assert_no_small_count_is_determined(table, truth, data)
    assert report.any_hidden


def _assert_no_small_count_is_determined(table, truth, data):
    """Brute force, independent of suppression.py: every count from 1 to 4 that is hidden has
    at least two values consistent with everything the reader sees (each row's total, each
    grade's and the school's cells, "<5" meaning 1..4 or 0..4 in a small group, a cell hidden
    to protect another 0 or at least 5)."""
    grade7 = [f"c{data.classes[k].pk}" for k in ((7, 1), (7, 2))]
    c81 = f"c{data.classes[(8, 1)].pk}"
    g7, g8 = f"g{data.classes[(7, 1)].grade_id}", f"g{data.grade8.pk}"
    sums = [(g7, grade7), (g8, [c81]), ("school", [g7, g8])]
    bands = [b for b in table["school"] if b != "n"]
    checked = []
    for band in bands:
        # The column of one band: a hidden cell's values, with its row and column sums.
        keys = [key for key in table if table[key][band].hidden]
        if not keys:
            continue

        def options(key, band=band):
            row = table[key]
            cell = row[band]
            if cell.hidden == "small":
                low = 0 if row["n"] < 5 else 1
                return range(low, min(4, row["n"]) + 1)
            return [0, *range(5, row["n"] + 1)]

        seen = {key: set() for key in keys}
        for values in itertools.product(*(options(k) for k in keys)):
            value = dict(zip(keys, values, strict=True))

            def count(key, value=value, band=band):
                return value[key] if key in value else table[key][band].count

            if any(count(w) != sum(count(p) for p in parts) for w, parts in sums):
                continue
            if not _row_feasible(table, band, value):
                continue
            for key in keys:
                seen[key].add(value[key])
        small = [key for key in keys if 0 < truth[key][band].count < 5]
        assert all(len(seen[key]) >= 2 for key in small), (band, seen)
        checked.extend(small)
    assert len(checked) >= 4  # 7-1 mild and moderate, 7-2 mild, 8-1 mild at least


def _row_feasible(table, band, value) -> bool:
    """A row whose other cells are all shown must add up with this value."""
    for key, v in value.items():
        row = table[key]
        others = [c for b, c in row.items() if b not in ("n", band)]
        if all(not c.hidden for c in others) and v + sum(c.count for c in others) != row["n"]:
            return False
    return True


def test_the_suppression_hides_a_second_cell_where_one_would_be_given_away():
    table = suppression.Table()
    table.add("n", 6, public=True)
    for key, value in (("a", 1), ("b", 5), ("c", 0)):
        table.add(key, value)
    table.add_sum("n", ["a", "b", "c"])
    hidden = suppression.suppress(table)
    # 6 = a + b with a in 1..4 and b at least 5 pins both: the zero goes too.
    assert hidden == {"a": "small", "b": "complement", "c": "complement"}


def test_two_small_counts_that_add_up_to_two_are_not_left_at_that():
    table = suppression.Table()
    table.add("n", 12, public=True)
    for key, value in (("a", 1), ("b", 1), ("c", 10)):
        table.add(key, value)
    table.add_sum("n", ["a", "b", "c"])
    hidden = suppression.suppress(table)
    assert hidden == {"a": "small", "b": "small", "c": "complement"}


def test_the_campaign_report_page_for_the_principal_shows_aggregates_only(data, signed_in, cast):
    client = signed_in(cast.principal)
    response = client.get(reverse("screening:campaign_report", args=[data.campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_A_DIAGNOSIS in html
    assert "&lt;5" in html and 'data-testid="suppressed-note"' in html
    assert cast.student_record.name not in html
    assert reverse("screening:export", args=[data.campaign.pk]) not in html
    charts = response.context["charts"]["scales"][0]
    assert all(
        count is None or count == 0 or count >= 5
        for band in charts["bands"]
        for count in band["counts"]
    )


def test_the_campaign_report_page_for_the_counselor_shows_every_count(data, signed_in, cast):
    client = signed_in(cast.counselor)
    response = client.get(reverse("screening:campaign_report", args=[data.campaign.pk]))
    html = response.content.decode()
    assert NOT_A_DIAGNOSIS in html and "&lt;5" not in html
    row = f'data-group="c{data.classes[(8, 1)].pk}"'
    assert row in html
    assert reverse("screening:export", args=[data.campaign.pk]) in html


def test_a_class_teacher_gets_no_report(data, signed_in, cast):
    client = signed_in(cast.class_teacher)
    assert client.get(reverse("screening:reports")).status_code == 403
    url = reverse("screening:campaign_report", args=[data.campaign.pk])
    assert client.get(url).status_code == 403


def test_the_report_index_lists_campaigns_by_semester(data, signed_in, cast):
    client = signed_in(cast.principal)
    response = client.get(reverse("screening:reports"), {"semester": cast.semester.pk})
    assert data.campaign.title in response.content.decode()
    assert 'data-testid="class-trends"' not in response.content.decode()
    counselor = signed_in(cast.counselor)
    found = counselor.get(reverse("screening:reports"), {"student": "学生7201"})
    html = found.content.decode()
    assert 'data-testid="class-trends"' in html
    assert "学生7201" in html


def test_the_export_writes_text_cells_and_the_access_log(data, signed_in, cast):
    student = data.students[(7, 2)][1]
    Student.objects.filter(pk=student.pk).update(name='=HYPERLINK("http://x")')
    client = signed_in(cast.counselor)
    before = AccessLog.objects.filter(action="export").count()
    response = client.get(reverse("screening:export", args=[data.campaign.pk]))
    assert response.status_code == 200
    assert "测评结果-" in unquote(response["Content-Disposition"])
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert NOT_A_DIAGNOSIS in rows[0][0]
    header = rows[1]
    assert header[:3] == ("学号", "姓名", "班级")
    by_name = {row[1]: row for row in rows[2:]}
    hyperlink = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")']
    assert hyperlink and hyperlink[0].data_type == "s" and hyperlink[0].quotePrefix
    moderate = by_name[data.students[(7, 1)][-1].name]
    assert moderate[4] == 10 and moderate[5] == "中度"
    assert AccessLog.objects.filter(action="export").count() == before + 1
    log = AccessLog.objects.filter(action="export").latest("pk")
    assert log.actor_username == cast.counselor.username
    # Issue 16 item 5: the file says who exported it (printed header and properties).
    workbook = load_workbook(io.BytesIO(response.content))
    assert cast.counselor.display_name in sheet.oddHeader.center.text
    assert "不得外借" in workbook.properties.description


def test_leadership_cannot_export(data, signed_in, cast):
    before = AccessLog.objects.filter(action="export").count()
    client = signed_in(cast.principal)
    assert client.get(reverse("screening:export", args=[data.campaign.pk])).status_code == 403
    assert AccessLog.objects.filter(action="export").count() == before


def test_a_students_trend_follows_each_campaign(data, signed_in, cast):
    campaign_close(actor=cast.director, campaign=data.campaign)
    from tests.screening.factories import open_campaign

    later = open_campaign(cast, title="2026年冬季复查")
    participation = Participation.objects.get(campaign=later, student=cast.student_record)
    participation_submit(actor=cast.student, participation=participation, answers=phq9(MILD))
    client = signed_in(cast.counselor)
    response = client.get(reverse("screening:student_trend", args=[cast.student_record.pk]))
    assert response.status_code == 200
    trend = response.context["charts"]["trends"][0]
    assert trend["totals"] == [0.0, 5.0]
    assert NOT_A_DIAGNOSIS in response.content.decode()
    assert AccessLog.objects.filter(
        action="read", actor_username=cast.counselor.username, object_type="people.Student"
    ).exists()


def test_leadership_and_teachers_never_see_a_students_trend(data, signed_in, cast):
    url = reverse("screening:student_trend", args=[cast.student_record.pk])
    for user in (cast.principal, cast.class_teacher, cast.student):
        assert signed_in(user).get(url).status_code in (403, 404)


def test_a_class_trend_is_exact_for_counseling_and_suppressed_for_leadership(data, signed_in, cast):
    url = reverse("screening:class_trend", args=[data.classes[(7, 1)].pk])
    counseling = signed_in(cast.counselor).get(url)
    row = counseling.context["trends"][0].rows[0].row
    assert [c.count for c in row.cells][:3] == [7, 2, 1]
    leadership = signed_in(cast.principal).get(url)
    row = leadership.context["trends"][0].rows[0].row
    assert row.cells[1].count is None and row.cells[2].count is None
    assert "&lt;5" in leadership.content.decode()


def test_a_scale_given_during_a_case_shows_in_the_trend_of_its_counselor_only(
    data, signed_in, cast
):
    from tests.cases.factories import case_at
    from xinqiao.screening.services import case_scale_give

    case = case_at(cast, "active")
    given = case_scale_give(actor=cast.counselor, case=case, scale="phq9@1.0", via="counselor")
    participation_submit(actor=cast.counselor, participation=given, answers=phq9(MILD))
    url = reverse("screening:student_trend", args=[cast.student_record.pk])
    mine = signed_in(cast.counselor).get(url)
    assert mine.context["charts"]["trends"][0]["totals"] == [0.0, 5.0]
    assert "个案工作中施测" in mine.content.decode()
    other = signed_in(cast.second_counselor).get(url)
    assert other.context["charts"]["trends"][0]["totals"] == [0.0]
    assert "个案工作中施测" not in other.content.decode()


def test_the_report_costs_the_same_queries_whatever_the_number_of_students(
    data, cast, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        report = campaign_report(data.campaign, full=False)
    assert report.scales[0].rows


def test_the_report_index_filters_by_semester_and_school_year(data, signed_in, cast):
    import datetime

    from xinqiao.people.models import Semester

    earlier = Semester.objects.create(
        school=cast.school,
        school_year=2025,
        term=2,
        starts_on=datetime.date(2026, 2, 20),
        ends_on=datetime.date(2026, 7, 10),
    )
    client = signed_in(cast.director)
    url = reverse("screening:reports")
    assert data.campaign.title in client.get(url, {"year": 2026}).content.decode()
    assert data.campaign.title not in client.get(url, {"year": 2025}).content.decode()
    assert data.campaign.title not in client.get(url, {"semester": earlier.pk}).content.decode()
    assert client.get(url, {"semester": "x"}).status_code == 400
