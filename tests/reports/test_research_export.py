"""Research and teaching exports (issue 16 item 3): de-identified, k-anonymous, cases without
research consent left out and counted, watermarked, logged, kept in a register (seed 000:
在研究和写作中需要引用学生的资料时，必须隐去可能辨认出来访学生的有关信息; 采用案例必须征得当事人同意)."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone, translation

from tests.conftest import sign_in
from tests.factories import SchoolFactory, make_class_with_student, make_user
from tests.reports.research_data import cases_for, classmates, data_rows, research_consent, sheets
from xinqiao.cases import services_consent
from xinqiao.cases.models import Consent
from xinqiao.core.models import AccessLog, Notification
from xinqiao.reports import services_research
from xinqiao.reports.models import ResearchExport

pytestmark = pytest.mark.django_db

EXACT_DATE = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}")


def make_export(cast, capture, *, k: int = 5, actor=None, **scope) -> ResearchExport:
    scope = scope or {"school": cast.school}
    today = timezone.localdate()
    with capture(execute=True):
        export = services_research.research_export_request(
            actor=actor or cast.director,
            period_start=today - datetime.timedelta(days=30),
            period_end=today,
            k=k,
            include=list(ResearchExport.Include.values),
            **scope,
        )
    export.refresh_from_db()
    return export


def registered(cast, **fields) -> ResearchExport:
    """An export in the register as the task left it (running unless ``fields`` say)."""
    return ResearchExport.objects.create(
        school=cast.school,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 2, 1),
        k=5,
        requested_by=cast.director,
        requested_by_name=cast.director.display_name,
        **fields,
    )


def download(client, export, **params) -> bytes:
    response = client.get(reverse("reports:research_download", args=[export.pk]), params)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.content


def test_the_export_releases_k_anonymous_rows_and_no_identifier(
    cast, client, django_capture_on_commit_callbacks
):
    pupils = classmates(cast, 10)
    cases_for(cast, pupils)
    export = make_export(cast, django_capture_on_commit_callbacks)

    assert export.status == ResearchExport.Status.DONE
    assert (export.cases_considered, export.rows_released, export.left_out_no_consent) == (
        10,
        10,
        0,
    )
    content = download(sign_in(client, cast.director), export)
    assert hashlib.sha256(content).hexdigest() == export.file_sha256
    headings, rows = data_rows(content)
    quasi = headings[:5]
    assert quasi == ["性别", "年龄段", "年级", "开案月份", "问题类别"]
    combos = Counter(row[:5] for row in rows)
    assert len(rows) == 10 and min(combos.values()) >= 5
    every_cell = [str(v) for sheet in sheets(content).values() for row in sheet for v in row if v]
    for pupil in pupils:
        assert not any(pupil.name in cell or pupil.student_number in cell for cell in every_cell)
    assert not any("七年级1班" in cell or "七年级 1 班" in cell for cell in every_cell)
    assert not any(EXACT_DATE.search(str(v)) for row in rows for v in row if v)
    assert not any(isinstance(v, datetime.date) for row in rows for v in row)


def test_cases_without_research_consent_are_left_out_and_counted(
    cast, django_capture_on_commit_callbacks
):
    consented = cases_for(cast, classmates(cast, 6))
    cases_for(cast, classmates(cast, 2, gender="M"), consent=False)
    # A withdrawn consent does not count.
    case = consented[0]
    consent = Consent.objects.get(case=case, purpose=Consent.Purpose.RESEARCH)
    services_consent.consent_withdraw(actor=cast.counselor, consent=consent)

    export = make_export(cast, django_capture_on_commit_callbacks)

    assert export.cases_considered == 8
    assert export.left_out_no_consent == 3
    assert export.rows_released + export.rows_suppressed == 5
    assert export.rows_released == 5


def test_a_group_smaller_than_k_is_suppressed_and_counted(
    cast, client, django_capture_on_commit_callbacks
):
    cases_for(cast, classmates(cast, 9))
    cases_for(cast, classmates(cast, 1, gender="M"))

    export = make_export(cast, django_capture_on_commit_callbacks)

    assert (export.rows_released, export.rows_suppressed) == (9, 1)
    _headings, rows = data_rows(download(sign_in(client, cast.director), export))
    assert {row[0] for row in rows} == {"女"}
    assert export.smallest_group >= 5


def test_the_file_says_who_made_it_and_when(cast, client, django_capture_on_commit_callbacks):
    cases_for(cast, classmates(cast, 5))
    export = make_export(cast, django_capture_on_commit_callbacks)

    content = download(sign_in(client, cast.director), export)

    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(content))
    mark = book.worksheets[0]["A1"].value
    assert cast.director.display_name in mark and "k = 5" in mark
    assert timezone.localtime(export.created_at).strftime("%Y-%m-%d %H:%M") in mark
    assert book.properties.creator == cast.director.display_name
    assert mark in book.properties.description
    notes = dict((row[0], row[1]) for row in book.worksheets[1].iter_rows(values_only=True))
    assert notes["未获研究同意而排除的个案"] == 0


def test_making_and_every_download_are_in_the_access_log(
    cast, client, django_capture_on_commit_callbacks
):
    cases_for(cast, classmates(cast, 5))
    export = make_export(cast, django_capture_on_commit_callbacks)
    logged = AccessLog.objects.filter(
        action="export", object_type="reports.ResearchExport", object_id=str(export.pk)
    )
    assert logged.count() == 1
    told = Notification.objects.get(
        recipient=cast.director, url__endswith=f"/research/{export.pk}/"
    )
    assert "k = 5" in told.title
    # The register's record has its change history (never the encrypted file).
    history = LogEntry.objects.get_for_object(export)
    assert history.filter(actor=cast.director).exists()
    assert not any("content" in entry.changes_dict for entry in history)

    client = sign_in(client, cast.director)
    download(client, export)
    csv = download(client, export, format="csv").decode("utf-8-sig")

    assert logged.count() == 3
    assert set(logged.values_list("actor_username", flat=True)) == {cast.director.username}
    assert cast.director.display_name in csv.splitlines()[0]
    export.refresh_from_db()
    assert export.downloads == 2


def test_a_file_past_its_days_is_gone_and_its_refusal_changes_nothing(
    cast, client, django_capture_on_commit_callbacks
):
    cases_for(cast, classmates(cast, 5))
    export = make_export(cast, django_capture_on_commit_callbacks)
    later = timezone.now() + datetime.timedelta(days=8)

    assert services_research.research_exports_prune(now=later) == 1
    export.refresh_from_db()
    before = AccessLog.objects.count()
    response = sign_in(client, cast.director).get(
        reverse("reports:research_download", args=[export.pk])
    )

    assert response.status_code == 410
    assert "不再保留" in response.content.decode()
    assert AccessLog.objects.count() == before
    export.refresh_from_db()
    assert (export.downloads, export.content, export.file_sha256 != "") == (0, "", True)


def test_the_form_keeps_what_was_typed_and_saves_nothing_when_wrong(cast, client):
    client = sign_in(client, cast.director)
    url = reverse("reports:research_new")
    form = client.get(url)
    key = form.context["form"].initial["submission_key"]

    response = client.post(
        url,
        {
            "scope": f"school:{cast.school.pk}",
            "period_start": "2026-09-01",
            "period_end": "2026-08-01",
            "k": "1",
            "include": ["statistics"],
            "submission_key": key,
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "结束日期不能早于开始日期" in page or "期间的结束不能早于开始" in page
    assert "k 至少为 2" in page
    assert 'value="2026-09-01"' in page
    assert not ResearchExport.objects.exists()


def test_the_same_form_sent_twice_makes_one_export(
    cast, client, django_capture_on_commit_callbacks
):
    client = sign_in(client, cast.director)
    data = {
        "scope": f"school:{cast.school.pk}",
        "period_start": "2026-01-01",
        "period_end": timezone.localdate().isoformat(),
        "k": "5",
        "include": ["statistics", "assessment"],
        "submission_key": "same-key",
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("reports:research_new"), data)
        second = client.post(reverse("reports:research_new"), data)

    assert first.status_code == second.status_code == 302
    export = ResearchExport.objects.get()
    assert first.url == second.url == reverse("reports:research_detail", args=[export.pk])
    assert export.include == ["assessment", "statistics"]


def test_a_director_cannot_export_another_school(cast, client):
    client = sign_in(client, cast.director)
    response = client.post(
        reverse("reports:research_new"),
        {
            "scope": f"school:{cast.other_school.pk}",
            "period_start": "2026-01-01",
            "period_end": "2026-02-01",
            "k": "5",
            "include": ["statistics"],
            "submission_key": "x",
        },
    )

    assert response.status_code == 400
    assert not ResearchExport.objects.exists()


def test_the_district_exports_across_its_schools_without_naming_them(
    cast, client, django_capture_on_commit_callbacks
):
    district_user = make_user("district", school=cast.school)
    cases_for(cast, classmates(cast, 5))
    second = SchoolFactory(name="第三中学", code="school-three", district=cast.school.district)
    people = {"class_teacher": make_user("class_teacher", school=second, username="ct3")}
    people["student"] = make_user("student", school=second, username="s3")
    people["guardian"] = make_user("guardian", school=second, username="g3")
    org = make_class_with_student(second, people)
    director_two = make_user("director", school=second, username="d3")
    counselor_two = make_user("counselor", school=second, username="c3")

    class Other:
        school = second
        counselor = counselor_two
        director = director_two
        class_teacher = people["class_teacher"]
        student_record = org["student_record"]

    cases_for(Other, classmates(Other, 5, school_class=org["student_record"].school_class))

    export = make_export(
        cast, django_capture_on_commit_callbacks, actor=district_user, district=cast.school.district
    )

    assert export.school_id is None and export.rows_released == 10
    content = download(sign_in(client, district_user), export)
    headings, rows = data_rows(content)
    assert headings[0] == "学校"
    assert {row[0] for row in rows} == {"学校A", "学校B"}
    cells = [str(v) for row in rows for v in row if v]
    assert not any("第一中学" in c or "第三中学" in c for c in cells)
    # The school's directors see their own school's register, not the district's.
    assert not ResearchExport.objects.for_user(cast.director).exists()


def test_the_register_lists_pages_and_filters(cast, client, django_capture_on_commit_callbacks):
    cases_for(cast, classmates(cast, 5))
    done = make_export(cast, django_capture_on_commit_callbacks)
    failed = registered(cast, status=ResearchExport.Status.FAILED)
    client = sign_in(client, cast.director)

    everything = client.get(reverse("reports:research_list"))
    only_failed = client.get(reverse("reports:research_list"), {"status": "failed"})

    assert list(everything.context["page"]) == [failed, done]
    assert list(only_failed.context["page"]) == [failed]
    assert "研究数据导出" in everything.content.decode()


def test_the_progress_fragment_follows_a_running_export(cast, client):
    export = registered(cast, percent=40)
    response = sign_in(client, cast.director).get(
        reverse("reports:research_detail", args=[export.pk]), HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert 'data-status="running"' in page and 'hx-trigger="every 1s"' in page
    assert 'value="40"' in page
    assert "<html" not in page


def test_an_adult_students_own_consent_does_and_a_minors_does_not(
    cast, django_capture_on_commit_callbacks
):
    cases = cases_for(cast, classmates(cast, 6), consent=False)
    for case in cases[1:]:
        research_consent(cast, case)
    # The first pupil is 18: their own consent does.
    adult = cases[0].student
    adult.birth_date = datetime.date(2000, 1, 1)
    adult.save(update_fields=["birth_date"])
    services_consent.consent_record(
        actor=cast.counselor,
        case=cases[0],
        purpose=Consent.Purpose.RESEARCH,
        given_by=Consent.GivenBy.STUDENT,
        giver_name=adult.name,
        given_on=timezone.localdate(),
    )

    # A minor's own consent cannot even be recorded (cases/services_consent.py): left out.
    cases_for(cast, classmates(cast, 1), consent=False)

    export = make_export(cast, django_capture_on_commit_callbacks)

    assert export.left_out_no_consent == 1
    assert export.cases_considered == 7


def test_the_workbook_is_written_in_the_requesters_language(
    cast, client, django_capture_on_commit_callbacks
):
    cases_for(cast, classmates(cast, 5))
    with translation.override("en"):
        export = make_export(cast, django_capture_on_commit_callbacks)

    headings, rows = data_rows(download(sign_in(client, cast.director), export))

    assert export.language == "en"
    assert headings[:5] == ["gender", "age band", "grade", "month opened", "problem category"]
    assert {row[0] for row in rows} == {"female"}
