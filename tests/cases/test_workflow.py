"""The case workflow: intake from teachers and guardians, assessment, conference, plan, records,
closure and archive, with who may read what at each step."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from tests.cases.factories import PROBLEM, all_done, case_at, category
from tests.factories import make_user
from xinqiao.cases import services_intake, services_plans, services_records
from xinqiao.cases.models import Case, PlanMeasure, SessionRecord, Severity, SupportPlan
from xinqiao.core.models import AccessLog, Notification

pytestmark = pytest.mark.django_db


def _records_page(client, case):
    return client.get(f"/cases/{case.pk}/")


def test_a_class_teacher_refers_a_student_and_sees_only_that_it_was_received(
    client, cast, signed_in
):
    signed_in(cast.class_teacher)
    response = client.get("/cases/refer/")
    key = response.context["form"].initial["submission_key"]
    data = {
        "student": cast.student_record.pk,
        "problem": PROBLEM,
        "urgency": "normal",
        "submission_key": key,
    }
    assert client.post("/cases/refer/", data).status_code == 302
    assert client.post("/cases/refer/", data).status_code == 302  # sent twice: stored once
    case = Case.objects.get()
    assert case.channel == Case.Channel.TEACHER_REFERRAL and case.referred_by == cast.class_teacher
    page = client.get("/cases/my-referrals/").content.decode()
    assert cast.student_record.name in page and PROBLEM not in page
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    told = Notification.objects.get(recipient=cast.director)
    assert case.number in told.title and PROBLEM not in told.title + told.body


def test_a_teacher_cannot_refer_a_student_of_another_class(client, cast, signed_in):
    from xinqiao.people.models import SchoolClass, Student

    other_class = SchoolClass.objects.create(
        school=cast.school, grade=cast.grade, number=2, cohort_year=2026
    )
    stranger = Student.objects.create(
        school=cast.school,
        user=make_user("student", school=cast.school, username="stranger"),
        name="王小红",
        student_number="2026070201",
        school_class=other_class,
    )
    signed_in(cast.class_teacher)
    form = client.get("/cases/refer/").context["form"]
    assert stranger not in form.fields["student"].queryset
    response = client.post(
        "/cases/refer/",
        {"student": stranger.pk, "problem": "x", "urgency": "normal", "submission_key": "k1"},
    )
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_guardian_raises_a_concern_about_their_own_child(client, cast, signed_in):
    signed_in(cast.guardian)
    response = client.post(
        "/cases/concern/",
        {
            "student": cast.student_record.pk,
            "problem": "孩子最近晚上睡不着",
            "urgency": "normal",
            "submission_key": "g1",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get().channel == Case.Channel.GUARDIAN


def test_a_guardian_of_one_child_finds_the_child_chosen(client, cast, signed_in):
    signed_in(cast.guardian)
    body = client.get("/cases/concern/").content.decode()
    select = body.split('name="student"', 1)[1].split("</select>", 1)[0]
    assert f'value="{cast.student_record.pk}" selected' in select
    assert "请选择" not in select and select.count("<option") == 1


def test_bad_intake_keeps_what_was_typed_and_saves_nothing(client, cast, signed_in):
    signed_in(cast.counselor)
    response = client.post(
        "/cases/new/",
        {
            "student_number": "no-such-number",
            "channel": "walk_in",
            "problem": "在宿舍和室友吵架",
            "urgency": "normal",
            "submission_key": "k",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "在宿舍和室友吵架" in body and "no-such-number" in body
    assert not Case.objects.exists()


def test_a_counselor_who_takes_an_intake_holds_it(cast):
    case = case_at(cast, "intake")
    assert list(case.counselors.values_list("user", flat=True)) == [cast.counselor.pk]


def test_an_answer_at_once_closes_the_intake_as_a_brief_contact(cast):
    case = case_at(cast, "intake")
    services_intake.case_answer_briefly(actor=cast.counselor, case=case, answer="告知了考试安排")
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED and case.brief_contact


def test_a_serious_case_needs_a_conference_before_its_plan_is_approved(cast):
    case = case_at(cast, "assessing", severity=Severity.SERIOUS)
    assert case.assessment.requires_conference
    plan = services_plans.plan_draft(
        actor=cast.counselor,
        case=case,
        goals="稳定情绪",
        review_every_weeks=2,
        measures=[
            {
                "kind": PlanMeasure.Kind.INDIVIDUAL,
                "description": "个体辅导",
                "responsible": cast.counselor,
                "starts_on": timezone.localdate(),
            }
        ],
    )
    with translation.override("en"), pytest.raises(ValidationError, match="conference"):
        services_plans.plan_approve(actor=cast.director, plan=plan)
    assert SupportPlan.objects.get(pk=plan.pk).state == SupportPlan.State.DRAFT


def test_several_sided_problems_need_a_conference_too(cast):
    case = case_at(cast, "intake")
    assessment = services_intake.case_assess(
        actor=cast.counselor,
        case=case,
        severity=Severity.GENERAL,
        categories=[category(cast.school, "学习"), category(cast.school, "家庭")],
        measures_needed="学业辅导和家访",
        lead=cast.counselor,
    )
    assert assessment.requires_conference


def test_adjusting_a_plan_keeps_every_version(cast):
    case = case_at(cast, "active")
    with pytest.raises(ValidationError, match="帮扶方案至少需要一项措施"):
        services_plans.plan_draft(
            actor=cast.counselor, case=case, goals="新目标", review_every_weeks=4, measures=[]
        )
    assert list(case.plans.values_list("version", "state")) == [(1, SupportPlan.State.APPROVED)]
    services_plans.plan_draft(
        actor=cast.counselor,
        case=case,
        goals="新目标",
        review_every_weeks=4,
        change_reason="学业辅导已完成",
        measures=[
            {
                "kind": PlanMeasure.Kind.HOME_VISIT,
                "description": "家访一次",
                "responsible": cast.counselor,
                "starts_on": timezone.localdate(),
            }
        ],
    )
    services_plans.plan_approve(actor=cast.director, plan=case.plans.get(version=2))
    states = dict(case.plans.values_list("version", "state"))
    assert states == {1: SupportPlan.State.SUPERSEDED, 2: SupportPlan.State.APPROVED}
    assert case.plans.get(version=1).measures.count() == 2


def test_the_people_responsible_for_measures_see_what_is_asked_never_why(client, cast, signed_in):
    case_at(cast, "active")
    assert Notification.objects.filter(recipient=cast.class_teacher).exists()
    signed_in(cast.class_teacher)
    page = client.get("/cases/tasks/").content.decode()
    assert "数学学业辅导" in page and PROBLEM not in page
    measure = PlanMeasure.objects.get(kind=PlanMeasure.Kind.TUTORING)
    response = client.post(
        f"/cases/measures/{measure.pk}/log/",
        {"on": timezone.localdate().isoformat(), "minutes": 40, "note": "讲解分数运算"},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == PlanMeasure.Status.ONGOING and measure.activities.count() == 1


def test_closing_needs_an_evaluation_and_a_summary(cast):
    case = case_at(cast, "active")
    with pytest.raises(ValidationError, match="结案前请先记录一次效果评估"):
        services_records.case_request_closure(
            actor=cast.counselor, case=case, closing_summary="好转"
        )
    assert Case.objects.get(pk=case.pk).state == Case.State.ACTIVE
    services_records.evaluation_record(
        actor=cast.counselor, case=case, evaluated_on=timezone.localdate(), student_rating=6
    )
    with pytest.raises(ValidationError, match="请填写结案小结"):
        services_records.case_request_closure(actor=cast.counselor, case=case, closing_summary=" ")
    assert Case.objects.get(pk=case.pk).state == Case.State.ACTIVE
    services_records.case_request_closure(
        actor=cast.counselor, case=case, closing_summary="好转", measure_ends=all_done(case)
    )
    assert Case.objects.get(pk=case.pk).state == Case.State.CLOSING


def test_ratings_outside_one_to_ten_are_refused(cast):
    case = case_at(cast, "active")
    with pytest.raises(ValidationError, match="评分范围为1至10"):
        services_records.evaluation_record(
            actor=cast.counselor, case=case, evaluated_on=timezone.localdate(), student_rating=11
        )
    assert not case.evaluations.exists()


def test_a_record_sent_twice_is_stored_once(cast):
    case = case_at(cast, "active")
    arguments = {
        "actor": cast.counselor,
        "case": case,
        "kind": "individual",
        "held_at": timezone.now() - datetime.timedelta(hours=1),
        "place": "心理咨询室",
        "problem": "考试焦虑",
        "measures_taken": "放松训练",
        "submission_key": "same-form",
        "student_agreed": True,
    }
    first = services_records.session_record(**arguments)
    assert services_records.session_record(**arguments) == first
    assert SessionRecord.objects.filter(case=case).count() == 1


def test_records_are_refused_on_a_closed_case(cast):
    case = case_at(cast, "closed")
    records = case.records.count()
    with pytest.raises(ValidationError, match="只能为正在处理中的个案添加记录"):
        services_records.session_record(
            actor=cast.counselor,
            case=case,
            kind="individual",
            held_at=timezone.now(),
            place="x",
            problem="x",
            measures_taken="x",
        )
    assert case.records.count() == records


def test_archiving_gives_unique_catalogue_numbers_and_a_retention_date(cast):
    first = case_at(cast, "archived")
    second = case_at(cast, "archived", severity=Severity.SERIOUS)
    assert first.archive_number != second.archive_number
    assert first.retention_until.year == timezone.localdate().year + 10
    assert second.retention_until.year == timezone.localdate().year + 15


def test_only_the_cases_counselors_and_the_director_read_it(client, cast, signed_in):
    case = case_at(cast, "active")
    other_counselor = make_user("counselor", school=cast.school, username="counselor-two")
    for user, status in (
        (cast.counselor, 200),
        (cast.director, 200),
        (other_counselor, 404),
        (cast.outsider, 404),
        (cast.principal, 404),
        (cast.admin, 404),
    ):
        signed_in(user)
        assert _records_page(client, case).status_code == status, user.username
    reads = AccessLog.objects.filter(object_type="cases.Case", object_id=str(case.pk))
    assert set(reads.filter(action="read").values_list("actor_username", flat=True)) == {
        "counselor",
        "director",
    }
    assert reads.filter(action="denied", actor_username="counselor-two").exists()


def test_a_duty_person_opening_a_case_or_its_records_is_refused_and_recorded(
    client, cast, signed_in
):
    case = case_at(cast, "active")
    signed_in(cast.duty)
    for url in (
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/records/new/",
        f"/cases/{case.pk}/plan/",
        f"/cases/students/{cast.student_record.pk}/file/",
    ):
        assert client.get(url).status_code in (403, 404), url
    denied = AccessLog.objects.filter(actor_username="duty", action="denied")
    assert denied.filter(object_type="cases.Case", object_id=str(case.pk)).count() >= 3


def test_a_class_teacher_in_the_conference_sees_only_what_was_shared(client, cast, signed_in):
    case = case_at(cast, "active", severity=Severity.SERIOUS)
    conference = case.conferences.get()
    signed_in(cast.class_teacher)
    page = client.get(f"/cases/conferences/{conference.pk}/shared/").content.decode()
    assert "请班主任每周观察课堂情况" in page
    assert PROBLEM not in page and "制定个别帮扶方案" not in page
    assert client.get(f"/cases/conferences/{conference.pk}/").status_code == 404
    disclosure = AccessLog.objects.get(action="disclose", object_id=str(case.pk))
    assert "class_teacher" in disclosure.basis
    signed_in(cast.grade_leader)
    assert client.get(f"/cases/conferences/{conference.pk}/shared/").status_code == 404


def test_no_counseling_text_is_stored_as_plain_text(cast):
    marker = "独一无二的咨询记录内容"
    case = case_at(cast, "active", problem=marker + "（问题）")
    services_records.session_record(
        actor=cast.counselor,
        case=case,
        kind="individual",
        held_at=timezone.now(),
        place="心理咨询室",
        problem=marker,
        measures_taken=marker,
        effect=marker,
        next_step=marker,
        student_agreed=True,
    )
    services_records.stage_summary_write(
        actor=cast.counselor,
        case=case,
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
        summary=marker,
    )
    tables = [t for t in connection.introspection.table_names() if t.startswith("cases_")]
    tables += ["auditlog_logentry"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (names from introspection)
            for row in cursor.fetchall():
                assert marker not in " ".join(map(str, row)), table
    assert SessionRecord.objects.get(case=case).problem == marker


def test_every_state_change_is_in_the_change_history(cast):
    case = case_at(cast, "closed")
    changes = LogEntry.objects.get_for_object(case)
    states = [e.changes_dict.get("state") for e in changes if "state" in e.changes_dict]
    assert [s[1] for s in reversed(states)] == [
        "intake",
        "assessing",
        "active",
        "closing",
        "closed",
    ]


def test_the_case_list_shows_the_counselors_cases_with_few_queries(
    client, cast, signed_in, django_assert_max_num_queries
):
    for _ in range(5):
        case_at(cast, "active")
    signed_in(cast.counselor)
    with django_assert_max_num_queries(20):
        response = client.get("/cases/")
    assert len(response.context["page"].object_list) == 5


def test_an_alert_about_a_student_with_a_case_reaches_the_director_and_its_counselors(cast):
    from xinqiao.crisis.services import alert_recipients, raise_alert

    other_counselor = make_user("counselor", school=cast.school, username="counselor-two")
    case_at(cast, "active")
    alert = raise_alert(
        actor=cast.duty,
        school=cast.school,
        risk_level="high",
        source="duty_phone",
        evidence="电话中提到不想活了",
        student=cast.student_record,
    )
    told = set(alert_recipients(alert=alert))
    assert {cast.director, cast.counselor} <= told and other_counselor not in told


def test_after_an_appointment_the_counselor_continues_the_students_case(client, cast, signed_in):
    from tests.rooms.appointment_factories import make_appointment, make_slot

    case = case_at(cast, "active")
    slot = make_slot(
        cast.school, cast.counselor, starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    appointment = make_appointment(slot, cast.student_record)
    signed_in(cast.counselor)
    response = client.get(f"/cases/from-appointment/{appointment.pk}/")
    assert response.url == f"/cases/{case.pk}/records/new/?appointment={appointment.pk}"
    form = client.get(response.url).context["form"]
    data = {**form.initial, "problem": "期中考试后的焦虑", "measures_taken": "认知调整"}
    data["student_agreed"] = "on"  # the first session of the case: the student agrees
    data["held_at"] = timezone.localtime(slot.starts_at).strftime("%Y-%m-%dT%H:%M")
    assert client.post(response.url, data).status_code == 302
    linked = SessionRecord.objects.get(case=case, appointment=appointment)
    assert linked.problem == "期中考试后的焦虑"


def test_a_due_plan_review_is_reminded_once(cast):
    from xinqiao.cases.tasks import remind_due_reviews_and_follow_ups

    case = case_at(cast, "active")
    today = timezone.localdate()
    SupportPlan.objects.filter(case=case).update(next_review_on=today)
    before = Notification.objects.filter(recipient=cast.counselor).count()
    assert (
        services_records.reviews_and_follow_ups_remind(today=today - datetime.timedelta(days=1))
        == 0
    )
    assert services_records.reviews_and_follow_ups_remind(today=today) == 1
    remind_due_reviews_and_follow_ups.call_local()
    assert Notification.objects.filter(recipient=cast.counselor).count() == before + 1
    services_records.stage_summary_write(
        actor=cast.counselor, case=case, period_start=today, period_end=today, summary="按计划推进"
    )
    assert case.plans.get().next_review_on == today + datetime.timedelta(weeks=4)


def test_the_case_page_charts_the_evaluations_over_time(client, cast, signed_in):
    case = case_at(cast, "active", opened_days_ago=21)
    for days, rating in ((14, 4), (7, 6), (0, 8)):
        services_records.evaluation_record(
            actor=cast.counselor,
            case=case,
            evaluated_on=timezone.localdate() - datetime.timedelta(days=days),
            student_rating=rating,
        )
    signed_in(cast.counselor)
    chart = client.get(f"/cases/{case.pk}/").context["evaluation_chart"]
    assert chart["series"][0]["data"] == [4, 6, 8]
    assert len(chart["dates"]) == 3


def test_the_case_page_loads_its_records_when_the_reader_reaches_them(cast, signed_in):
    """The records and summaries are a part the page fetches (htmx) when scrolled to; without
    scripts the link opens them on a page of their own. Each load is a read in the access log."""
    case = case_at(cast, "active")
    services_records.session_record(
        actor=cast.counselor,
        case=case,
        kind="individual",
        held_at=timezone.now(),
        place="心理咨询室",
        problem="第一次：睡不着",
        measures_taken="放松训练",
        student_agreed=True,
    )
    client = signed_in(cast.counselor)
    part_url = f"/cases/{case.pk}/records/"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'hx-get="{part_url}"' in page and "第一次：睡不着" not in page
    reads = AccessLog.objects.filter(object_id=str(case.pk), action="read").count()

    fragment = client.get(part_url, headers={"HX-Request": "true"}).content.decode()
    assert "第一次：睡不着" in fragment and "<html" not in fragment
    assert f'href="/cases/{case.pk}/records/new/"' in fragment  # where to add the next one
    whole = client.get(part_url).content.decode()
    assert "第一次：睡不着" in whole and "<html" in whole
    assert f'href="/cases/{case.pk}/"' in whole  # back to the case
    assert AccessLog.objects.filter(object_id=str(case.pk), action="read").count() == reads + 2
