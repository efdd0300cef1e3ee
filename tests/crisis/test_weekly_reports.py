"""The network's weekly reports (班级心理晴雨表, issue 14 item 7): sending once, who is told,
who sees what along the chain of seed 002, the one-action alert and the chase of missing ones."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.crisis.reports_factories import a_report, network_for_reports
from xinqiao.core.models import AccessLog, Notification, PendingStep
from xinqiao.crisis.models import Alert, ReportChase, ReportForward, WeeklyReport, WorriedItem
from xinqiao.crisis.selectors_reports import board_week, current_week
from xinqiao.crisis.services_reports import reports_chase
from xinqiao.people.models import Holiday

pytestmark = pytest.mark.django_db

WHY = "他最近总说活着没意思，还把东西都送人了"
EVENTS = "期中考试成绩公布，大家情绪低落"


@pytest.fixture
def net(cast):
    return network_for_reports(cast)


def write_url(net) -> str:
    return reverse("crisis:report_write", args=["class", net.school_class.pk])


def form(net, **extra) -> dict:
    data = {"mood": "2", "events": EVENTS, "student_1": str(net.student_record.pk), "why_1": WHY}
    data.update(extra)
    return data


def texts_sent() -> str:
    return " ".join(Notification.objects.values_list("title", flat=True)) + " ".join(
        Notification.objects.values_list("body", flat=True)
    )


# --- sending ---------------------------------------------------------------------------------------
def test_the_committee_member_sends_the_report_naming_a_classmate_from_the_phone_form(
    net, signed_in
):
    client = signed_in(net.committee_member)
    tile = 'data-testid="tile-weekly_report" data-count="{}"'
    assert tile.format(1) in client.get(reverse("core:home")).content.decode()  # the workbench
    page = client.get(write_url(net))
    assert page.status_code == 200
    assert "李小红" in page.content.decode()  # classmates to choose from
    response = client.post(write_url(net), form(net))
    assert tile.format(0) in client.get(reverse("core:home")).content.decode()  # sent: done
    report = WeeklyReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("crisis:report_detail", args=[report.pk])
    assert (report.kind, report.mood, report.events, report.reporter) == (
        "class",
        2,
        EVENTS,
        net.committee_member,
    )
    assert report.week == current_week(net.school.pk).number
    item = report.worries.get()
    assert (item.student, item.why, item.added_by) == (
        net.student_record,
        WHY,
        net.committee_member,
    )
    # The class teacher is asked to keep an eye on him; the counseling side has a step waiting.
    teacher_notice = Notification.objects.get(recipient=net.class_teacher)
    assert "何小明" in teacher_notice.title
    waiting = set(
        PendingStep.objects.filter(kind="network_worry").values_list(
            "assignee__username", flat=True
        )
    )
    assert waiting == {"director", "counselor", "second_counselor"}
    assert WHY not in texts_sent() and EVENTS not in texts_sent()


def test_a_double_submit_stores_one_report_and_one_worry(net, signed_in):
    client = signed_in(net.committee_member)
    client.post(write_url(net), form(net))
    client.post(write_url(net), form(net))
    assert WeeklyReport.objects.count() == 1
    item = WorriedItem.objects.get()
    assert item.why == WHY
    assert Notification.objects.filter(recipient=net.class_teacher).count() == 1


def test_a_second_send_in_the_same_week_changes_the_report_and_adds_to_what_was_written(net):
    first = a_report(net)
    second = a_report(net, mood=3, why="今天又哭了")
    assert first.pk == second.pk
    report = WeeklyReport.objects.get()
    assert report.mood == 3
    assert WorriedItem.objects.get().why == f"{WHY}\n\n今天又哭了"


def test_the_database_keeps_one_report_per_class_and_week(net):
    from django.db import IntegrityError, transaction

    report = a_report(net)
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyReport.objects.create(
            school=net.school,
            semester=report.semester,
            week=report.week,
            kind="class",
            school_class=net.school_class,
            mood=4,
        )


def test_a_bad_form_keeps_what_was_typed_and_stores_nothing(net, signed_in):
    client = signed_in(net.committee_member)
    response = client.post(write_url(net), form(net, why_1=""))
    assert response.status_code == 400
    assert EVENTS in response.content.decode()
    assert not WeeklyReport.objects.exists()


def test_a_student_of_another_class_cannot_be_named(net):
    from tests.factories import UserFactory
    from xinqiao.people.models import Student

    stranger = Student.objects.create(
        school=net.school,
        user=UserFactory(username="stranger"),
        name="陌生人",
        student_number="2026080101",
        school_class=net.other_class,
    )
    with pytest.raises(ValidationError):
        a_report(net, worried=stranger)
    assert not WeeklyReport.objects.exists()


def test_a_member_cannot_write_the_report_of_another_class(net, signed_in):
    client = signed_in(net.other_member)
    response = client.post(write_url(net), form(net))
    assert response.status_code == 404
    assert not WeeklyReport.objects.exists()


def test_the_dorm_liaison_sends_the_dormitory_report(net, signed_in):
    client = signed_in(net.dorm_liaison)
    url = reverse("crisis:report_write", args=["dormitory", net.dormitory.pk])
    response = client.post(url, {"mood": "4", "events": "宿舍过生日"})
    assert response.status_code == 302
    report = WeeklyReport.objects.get()
    assert (report.kind, report.dormitory, report.school_class) == (
        "dormitory",
        net.dormitory,
        None,
    )


# --- who sees what -----------------------------------------------------------------------------------
def test_the_class_teacher_sees_the_report_and_who_was_named_but_never_why(net, signed_in):
    report = a_report(net)
    item = report.worries.get()
    client = signed_in(net.class_teacher)
    body = client.get(reverse("crisis:report_detail", args=[report.pk])).content.decode()
    assert EVENTS in body and "何小明" in body and WHY not in body
    detail = client.get(reverse("crisis:worried_detail", args=[item.pk]))
    assert detail.status_code == 200
    assert WHY not in detail.content.decode()
    assert 'data-testid="worry-no-why"' in detail.content.decode()
    refused = client.post(reverse("crisis:worried_alert", args=[item.pk]), {"risk_level": "high"})
    assert refused.status_code == 403
    assert not Alert.objects.exists()
    # The class teacher's workbench counts whom the reports named, and says no more.
    home = client.get(reverse("core:home")).content.decode()
    tile = home.split('data-testid="tile-named_in_reports"', 1)[1].split("</a>", 1)[0]
    assert 'data-count="1"' in tile and reverse("crisis:worried_list") in home
    assert WHY not in home and "何小明" not in home


def test_the_grade_leader_sees_mood_events_and_how_many_but_not_who_and_forwards_it(net, signed_in):
    report = a_report(net)
    client = signed_in(net.grade_leader)
    body = client.get(reverse("crisis:report_detail", args=[report.pk])).content.decode()
    assert EVENTS in body and 'data-testid="worry-count"' in body
    assert "何小明" not in body and WHY not in body
    assert client.get(reverse("crisis:report_list")).status_code == 200
    refused = client.post(reverse("crisis:report_forward", args=[report.pk]), {"note": " "})
    assert refused.status_code == 400
    assert not ReportForward.objects.exists()
    client.post(reverse("crisis:report_forward", args=[report.pk]), {"note": "请关注本班情绪"})
    client.post(reverse("crisis:report_forward", args=[report.pk]), {"note": "请关注本班情绪"})
    assert ReportForward.objects.get().note == "请关注本班情绪"
    told = Notification.objects.filter(url=reverse("crisis:report_detail", args=[report.pk]))
    assert set(told.values_list("recipient__username", flat=True)) == {
        "director",
        "counselor",
        "second_counselor",
    }


def test_another_grades_leader_neither_sees_nor_forwards_the_report(net, signed_in):
    report = a_report(net)
    client = signed_in(net.other_leader)
    assert client.get(reverse("crisis:report_detail", args=[report.pk])).status_code == 404
    forward = client.post(reverse("crisis:report_forward", args=[report.pk]), {"note": "看看"})
    assert forward.status_code == 404
    assert not ReportForward.objects.exists()


def test_the_counselor_reads_why_and_the_read_is_recorded(net, signed_in):
    report = a_report(net)
    item = report.worries.get()
    body = signed_in(net.counselor).get(reverse("crisis:worried_detail", args=[item.pk]))
    assert WHY in body.content.decode()
    assert AccessLog.objects.filter(
        action="read", object_type="crisis.WorriedItem", object_id=str(item.pk)
    ).exists()


@pytest.mark.parametrize(
    "who",
    ["student", "guardian", "duty", "principal", "other_member", "outsider", "foreign_director"],
)
def test_others_are_refused_the_report_and_the_worry_and_it_is_recorded(net, signed_in, who):
    report = a_report(net)
    item = report.worries.get()
    client = signed_in(getattr(net, who))
    assert client.get(reverse("crisis:report_detail", args=[report.pk])).status_code in (403, 404)
    response = client.get(reverse("crisis:worried_detail", args=[item.pk]))
    assert response.status_code in (403, 404)
    assert WHY not in response.content.decode()
    assert AccessLog.objects.filter(
        action="denied", actor_username=getattr(net, who).username
    ).exists()


def test_students_who_report_see_only_their_own_reports(net, signed_in):
    own = a_report(net)
    other = a_report(net, actor=net.other_member, unit=net.other_class, why="")
    client = signed_in(net.committee_member)
    mine = client.get(reverse("crisis:report_mine")).content.decode()
    assert reverse("crisis:report_detail", args=[own.pk]) in mine
    assert reverse("crisis:report_detail", args=[other.pk]) not in mine
    assert client.get(reverse("crisis:report_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("crisis:report_detail", args=[other.pk])).status_code == 404
    # The dormitory liaison, who sits in the same class, does not read the class's report.
    liaison = signed_in(net.dorm_liaison)
    assert liaison.get(reverse("crisis:report_detail", args=[own.pk])).status_code == 404


def test_leadership_sees_the_weekly_figures_but_opens_no_report(net, signed_in):
    report = a_report(net)
    body = signed_in(net.principal).get(reverse("crisis:report_summary")).content.decode()
    assert 'data-status="sent"' in body and 'data-status="missing"' in body  # 八年级1班: missing
    assert reverse("crisis:report_detail", args=[report.pk]) not in body
    assert EVENTS not in body
    counselor = signed_in(net.counselor).get(reverse("crisis:report_summary")).content.decode()
    assert reverse("crisis:report_detail", args=[report.pk]) in counselor


# --- the one-action alert ---------------------------------------------------------------------------
def test_the_counselor_turns_a_worry_into_an_alert_once_and_it_links_back(net, signed_in):
    report = a_report(net)
    item = report.worries.get()
    client = signed_in(net.counselor)
    url = reverse("crisis:worried_alert", args=[item.pk])
    response = client.post(url, {"risk_level": "high"})
    client.post(url, {"risk_level": "high"})
    alert = Alert.objects.get()
    assert response.url == reverse("crisis:alert_detail", args=[alert.pk])
    assert (alert.source, alert.risk_level, alert.student) == (
        "network_report",
        "high",
        item.student,
    )
    assert (alert.source_type, alert.source_id) == ("crisis.WorriedItem", str(item.pk))
    assert WHY in alert.evidence
    item.refresh_from_db()
    assert (item.alert, item.reviewed_by) == (alert, net.counselor)
    assert not PendingStep.objects.filter(kind="network_worry").exists()
    detail = client.get(reverse("crisis:alert_detail", args=[alert.pk])).content.decode()
    assert reverse("crisis:worried_detail", args=[item.pk]) in detail


def test_an_alert_without_a_level_is_refused_and_nothing_is_raised(net, signed_in):
    item = a_report(net).worries.get()
    response = signed_in(net.counselor).post(reverse("crisis:worried_alert", args=[item.pk]), {})
    assert response.status_code == 400
    assert not Alert.objects.exists()


def test_a_worry_read_without_an_alert_leaves_the_waiting_lists(net, signed_in):
    item = a_report(net).worries.get()
    signed_in(net.director).post(reverse("crisis:worried_review", args=[item.pk]))
    item.refresh_from_db()
    assert item.reviewed_by == net.director
    assert not PendingStep.objects.filter(kind="network_worry").exists()
    assert board_week(net.director)["waiting"] == []


# --- the chase --------------------------------------------------------------------------------------
def chase_week(net):
    network_for_reports(net)
    week = current_week(net.school.pk)
    Holiday.objects.filter(semester=net.semester).delete()
    return week


def test_missing_reports_are_chased_the_member_first_then_the_class_teacher(net):
    week = chase_week(net)
    a_report(net, actor=net.other_member, unit=net.other_class, why="")  # 八年级1班 is in
    assert reports_chase(now=week.due - datetime.timedelta(minutes=1)) == 0
    reports_chase(now=week.due)
    member = Notification.objects.filter(recipient=net.committee_member)
    assert member.count() == 1
    assert not Notification.objects.filter(recipient=net.other_member).exists()
    assert not Notification.objects.filter(recipient=net.class_teacher).exists()
    assert reports_chase(now=week.due + datetime.timedelta(hours=2)) == 0  # sent once
    reports_chase(now=week.due + datetime.timedelta(days=1))
    assert Notification.objects.filter(recipient=net.class_teacher).count() == 1
    assert Notification.objects.filter(recipient=net.student_affairs).count() == 1  # the dorm
    reports_chase(now=week.due + datetime.timedelta(days=1, hours=3))
    assert member.count() == 1
    assert ReportChase.objects.filter(stage="teacher").count() == 2


def test_a_report_sent_in_time_is_not_chased(net):
    week = chase_week(net)
    a_report(net)
    reports_chase(now=week.due + datetime.timedelta(days=1))
    assert not Notification.objects.filter(recipient=net.committee_member).exists()
    assert not ReportChase.objects.filter(school_class=net.school_class).exists()


def test_a_holiday_week_is_not_chased(net):
    week = chase_week(net)
    Holiday.objects.create(
        semester=net.semester, name="国庆节", starts_on=week.monday, ends_on=week.sunday
    )
    assert reports_chase(now=week.due + datetime.timedelta(days=1)) == 0


def test_the_board_section_counts_the_week(net):
    a_report(net)
    board = board_week(net.director)
    (school,) = board["schools"]
    assert (school["submitted"], school["missing"], school["worries"]) == (1, 2, 1)
    assert [i.student for i in board["waiting"]] == [net.student_record]
    assert board_week(net.principal) == {"schools": [], "waiting": []}


def test_the_crisis_board_shows_the_week_to_the_director(net, signed_in):
    item = a_report(net).worries.get()
    html = signed_in(net.director).get(reverse("crisis:board")).content.decode()
    assert 'data-testid="board-reports"' in html
    assert reverse("crisis:worried_detail", args=[item.pk]) in html
    assert WHY not in html and EVENTS not in html


@pytest.mark.parametrize("who", ["committee_member", "dorm_liaison"])
def test_the_reporters_home_card_leads_to_this_weeks_report(net, signed_in, who):
    body = signed_in(getattr(net, who)).get(reverse("core:home")).content.decode()
    assert f'data-testid="role-link-{who}"' in body
    assert reverse("crisis:report_mine") in body


def _more_reports(net, count: int, start: int) -> None:
    from tests.factories import UserFactory
    from xinqiao.crisis.services_reports import report_submit
    from xinqiao.people.models import SchoolClass
    from xinqiao.people.services import role_assign

    for number in range(start, start + count):
        school_class = SchoolClass.objects.create(
            school=net.school, grade=net.grade, number=number, cohort_year=2026
        )
        member = UserFactory(username=f"member{number}")
        role_assign(
            user=member,
            role="committee_member",
            school=net.school,
            semester=net.semester,
            school_class=school_class,
        )
        report_submit(actor=member, kind="class", unit=school_class, mood=3)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("principal", "crisis:report_summary"),
        ("grade_leader", "crisis:report_list"),
        ("counselor", "crisis:report_list"),
        ("counselor", "crisis:worried_list"),
    ],
)
def test_the_lists_cost_the_same_queries_for_five_classes_or_ten(net, client, who, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import sign_in

    a_report(net)
    sign_in(client, getattr(net, who))
    url = reverse(url_name)
    counts = []
    for start in (2, 7):
        _more_reports(net, 5, start)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_report_is_editable_until_its_week_ends_then_next_week_is_a_new_one(net, signed_in):
    report = a_report(net)
    week = current_week(net.school.pk)
    next_monday = timezone.make_aware(
        datetime.datetime.combine(week.sunday + datetime.timedelta(days=1), datetime.time(9))
    )
    later = a_report(net, mood=5, why="", now=next_monday)
    assert later.pk != report.pk and later.week == report.week + 1
    report.refresh_from_db()
    assert report.mood == 2
    detail = signed_in(net.committee_member).get(reverse("crisis:report_detail", args=[report.pk]))
    assert 'data-testid="edit-report"' in detail.content.decode()  # this week: still open
    WeeklyReport.objects.filter(pk=report.pk).update(week=report.week - 1)
    detail = signed_in(net.committee_member).get(reverse("crisis:report_detail", args=[report.pk]))
    assert 'data-testid="edit-report"' not in detail.content.decode()


def test_a_second_committee_member_changes_the_same_report_and_sees_only_whom_they_named(
    net, signed_in
):
    from tests.factories import UserFactory
    from xinqiao.people.services import role_assign

    report = a_report(net)
    co_member = UserFactory(username="co_member")
    role_assign(
        user=co_member,
        role="committee_member",
        school=net.school,
        semester=net.semester,
        school_class=net.school_class,
    )
    client = signed_in(co_member)
    data = {"mood": "3", "events": "", "student_1": str(net.classmate.pk), "why_1": "她说被人欺负"}
    client.post(write_url(net), data)
    assert WeeklyReport.objects.get().pk == report.pk
    assert WorriedItem.objects.count() == 2
    body = client.get(reverse("crisis:report_detail", args=[report.pk])).content.decode()
    assert "李小红" in body and "她说被人欺负" in body
    assert "何小明" not in body and WHY not in body
