"""Campaign pages: the director's form, announce, completion per class (counts only), class
codes, opt-outs on paper and the guardians' notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from tests.screening.factories import PHQ9, open_campaign, participation_of, phq9_answers
from xinqiao.core.models import Notification
from xinqiao.core.roles import Role
from xinqiao.people.models import SchoolClass, Staff, Student
from xinqiao.people.services import role_assign
from xinqiao.screening.models import Campaign, ClassCode, Participation, Response
from xinqiao.screening.services import answers_save, participation_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_wordings")]


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def form_data(cast, **changes) -> dict:
    now = timezone.now()
    data = {
        "title": "2026年秋季新生心理普查",
        "purpose": "了解新生的心理状况，以便及早提供帮助。",
        "audience": "students",
        "classes": [str(cast.school_class.pk)],
        "scales": [PHQ9],
        "opens_at": local(now + timedelta(days=1)),
        "closes_at": local(now + timedelta(days=8)),
        "class_teachers_see_follow_ups": "on",
        "supportive_message": "谢谢你认真填写。",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def second_class(cast, *, number=2, name="李小红", student_number="2026070201"):
    """Another class of the same grade with one student, and its own class teacher."""
    school_class = SchoolClass.objects.create(
        school=cast.school, grade=cast.grade, number=number, cohort_year=2026
    )
    student = Student.objects.create(
        school=cast.school,
        user=make_user(Role.STUDENT, school=cast.school, username=f"pupil{number}"),
        name=name,
        student_number=student_number,
        gender="F",
        school_class=school_class,
    )
    teacher = make_user(Role.CLASS_TEACHER, school=cast.school, username=f"teacher{number}")
    # make_user gave a school-wide post; the class post is what counts for a class teacher.
    role_assign(
        user=teacher,
        role="class_teacher",
        school=cast.school,
        semester=cast.semester,
        school_class=school_class,
    )
    return school_class, student, teacher


# --- create and edit -----------------------------------------------------------------------------
def test_the_director_creates_a_draft_campaign(client, cast, signed_in):
    signed_in(cast.director)
    page = client.get(reverse("screening:campaign_create"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "未经验证" in content  # the demo wordings are marked
    assert "Pfizer" in content  # each scale's licence is shown
    assert "随访访谈" in content or "诊断" in content  # flags, never diagnoses
    data = form_data(cast)  # once: a second call a minute later would give another window
    response = client.post(reverse("screening:campaign_create"), data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("screening:campaign_detail", args=[campaign.pk])
    assert campaign.state == Campaign.State.DRAFT
    assert list(campaign.classes.all()) == [cast.school_class]
    assert campaign.scales == [PHQ9]
    assert campaign.class_teachers_see_follow_ups and not campaign.respondents_see_scores
    # The window was typed in Beijing time.
    assert timezone.localtime(campaign.opens_at).strftime("%Y-%m-%dT%H:%M") == data["opens_at"]


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, cast, signed_in):
    signed_in(cast.director)
    now = timezone.now()
    data = form_data(
        cast,
        classes=None,
        opens_at=local(now + timedelta(days=3)),
        closes_at=local(now + timedelta(days=2)),
        respondents_see_scores="on",
        supportive_message="我们一直在你身边。",
    )
    response = client.post(reverse("screening:campaign_create"), data)
    assert response.status_code == 400
    assert Campaign.objects.count() == 0
    form = response.context["form"]
    assert "closes_at" in form.errors and "classes" in form.errors
    content = response.content.decode()
    assert "结束时间必须晚于开始时间。" in content  # the service's message, on its field
    assert "请选择参加的年级或班级。" in content
    assert data["title"] in content and data["purpose"] in content
    assert "我们一直在你身边。" in content
    assert f'value="{PHQ9}" checked' in content
    assert 'name="respondents_see_scores" checked' in content
    assert data["closes_at"] in content


def test_a_scale_that_cannot_be_given_is_refused_on_its_field(client, cast, signed_in):
    signed_in(cast.director)
    response = client.post(
        reverse("screening:campaign_create"), form_data(cast, scales=["k10@1.0"])
    )
    assert response.status_code == 400
    assert "scales" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_only_a_draft_is_edited(client, cast, signed_in):
    draft = open_campaign(cast, announce=False)
    signed_in(cast.director)
    page = client.get(reverse("screening:campaign_edit", args=[draft.pk]))
    assert page.status_code == 200
    assert draft.title in page.content.decode()
    response = client.post(
        reverse("screening:campaign_edit", args=[draft.pk]), form_data(cast, title="改过的标题")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "改过的标题"

    announced = open_campaign(cast, title="已公布")
    response = client.post(
        reverse("screening:campaign_edit", args=[announced.pk]), form_data(cast, title="偷改")
    )
    assert response.status_code == 302
    announced.refresh_from_db()
    assert announced.title == "已公布"


# --- announce, close, cancel ---------------------------------------------------------------------
def test_announcing_tells_the_guardians_after_the_director_confirms(client, cast, signed_in):
    draft = open_campaign(cast, announce=False)
    signed_in(cast.director)
    detail = client.get(reverse("screening:campaign_detail", args=[draft.pk])).content.decode()
    assert "家长" in detail and 'data-testid="announce-confirm"' in detail

    client.post(reverse("screening:announce", args=[draft.pk]))  # not confirmed
    draft.refresh_from_db()
    assert draft.state == Campaign.State.DRAFT
    assert not Notification.objects.filter(recipient=cast.guardian).exists()

    response = client.post(reverse("screening:announce", args=[draft.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == Campaign.State.ANNOUNCED
    notice = Notification.objects.get(recipient=cast.guardian)
    assert notice.url == reverse("screening:notice", args=[draft.pk])
    page = client.get(response.url).content.decode()
    assert "已通知家长" in page


def test_close_and_cancel(client, cast, signed_in):
    campaign = open_campaign(cast)
    signed_in(cast.director)
    client.post(reverse("screening:close", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.CLOSED
    response = client.post(reverse("screening:cancel", args=[campaign.pk]), follow=True)
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.CLOSED  # a closed campaign is not cancelled
    assert "不能再取消" in response.content.decode()


def test_refusals_change_nothing(client, cast, signed_in):
    draft = open_campaign(cast, announce=False)
    announced = open_campaign(cast, title="已公布")
    participation = participation_of(announced, cast.student_record)
    for user in (cast.counselor, cast.class_teacher, cast.foreign_director, cast.guardian):
        signed_in(user)
        announce = client.post(reverse("screening:announce", args=[draft.pk]), {"confirm": "yes"})
        assert announce.status_code in (403, 404), user
        assert client.post(reverse("screening:cancel", args=[announced.pk])).status_code in (
            403,
            404,
        )
        client.logout()
    draft.refresh_from_db()
    announced.refresh_from_db()
    assert draft.state == Campaign.State.DRAFT and announced.state == Campaign.State.ANNOUNCED
    assert not Notification.objects.filter(url=reverse("screening:notice", args=[draft.pk]))
    for user in (cast.class_teacher, cast.counselor, cast.student, cast.foreign_director):
        signed_in(user)
        response = client.post(reverse("screening:opt_out", args=[participation.pk]))
        assert response.status_code in (403, 404), user
        client.logout()
    participation.refresh_from_db()
    assert participation.state == Participation.State.INVITED


# --- completion ----------------------------------------------------------------------------------
def test_completion_counts_never_show_answers(client, cast, signed_in):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    participation_submit(
        actor=cast.student,
        participation=participation,
        answers={"phq9": phq9_answers(3, 3, 3, 3, 3, 3, 3, 3, 0)},
    )
    response_row = Response.objects.get(participation=participation)
    assert response_row.band  # scored: severe
    for user in (cast.director, cast.class_teacher, cast.principal):
        signed_in(user)
        page = client.get(reverse("screening:completion", args=[campaign.pk]))
        assert page.status_code == 200
        content = page.content.decode()
        rows = page.context["completion"]["rows"]
        assert [(r.total, r.submitted, r.percent) for r in rows] == [(1, 1, 100)]
        assert cast.student_record.name not in content
        assert response_row.band not in content
        assert "27" not in content  # the total
        detail = client.get(reverse("screening:campaign_detail", args=[campaign.pk]))
        detail_content = detail.content.decode()
        assert 'hx-trigger="every 10s"' in detail_content
        assert response_row.band not in detail_content
        assert "诊断" in detail_content
        client.logout()


def test_a_class_teacher_sees_only_their_own_class(client, cast, signed_in):
    other_class, other_student, other_teacher = second_class(cast)
    campaign = open_campaign(cast, classes=[], grades=[cast.grade])
    answers_save(
        participation=participation_of(campaign, other_student),
        scale_id="phq9",
        answers={"q1": 1},
        seq=1,
    )
    signed_in(cast.class_teacher)
    rows = client.get(reverse("screening:completion", args=[campaign.pk])).context["completion"]
    assert [(r.label, r.invited, r.started) for r in rows["rows"]] == [
        (str(cast.school_class), 1, 0)
    ]
    codes = client.get(reverse("screening:class_codes", args=[campaign.pk]))
    assert [c.school_class for c in codes.context["codes"]] == [cast.school_class]
    client.logout()

    signed_in(cast.director)
    rows = client.get(reverse("screening:completion", args=[campaign.pk])).context["completion"]
    assert [(r.invited, r.started) for r in rows["rows"]] == [(1, 0), (0, 1)]
    codes = client.get(reverse("screening:class_codes", args=[campaign.pk]))
    assert codes.context["codes"].count() == 2
    assert reverse("screening:class_code") in codes.content.decode()
    client.logout()

    # A campaign of the other class only does not reach the first class teacher.
    only_other = open_campaign(cast, title="二班", classes=[other_class])
    signed_in(cast.class_teacher)
    listed = client.get(reverse("screening:campaign_list")).context["page"]
    assert [c.pk for c in listed] == [campaign.pk]
    assert client.get(reverse("screening:campaign_detail", args=[only_other.pk])).status_code == 404
    assert client.get(reverse("screening:completion", args=[only_other.pk])).status_code == 404
    client.logout()
    signed_in(other_teacher)
    listed = client.get(reverse("screening:campaign_list")).context["page"]
    assert {c.pk for c in listed} == {campaign.pk, only_other.pk}


def test_the_list_filters_by_state_and_shows_completion(client, cast, signed_in):
    draft = open_campaign(cast, announce=False, title="草稿")
    announced = open_campaign(cast, title="进行中")
    signed_in(cast.director)
    page = client.get(reverse("screening:campaign_list"))
    assert {c.pk for c in page.context["page"]} == {draft.pk, announced.pk}
    only = client.get(reverse("screening:campaign_list"), {"state": "announced"}).context["page"]
    assert [c.pk for c in only] == [announced.pk]
    assert only[0].completion_percent == 0
    semester = client.get(
        reverse("screening:campaign_list"), {"semester": str(cast.semester.pk)}
    ).context["page"]
    # The cast's semester is 2026-09-01 to 2027-01-20; the campaigns open now.
    inside = cast.semester.starts_on <= timezone.localdate() <= cast.semester.ends_on
    assert len(semester) == (2 if inside else 0)


# --- opt-outs ------------------------------------------------------------------------------------
def test_a_guardian_opts_the_child_out_and_the_child_cannot_take_it(client, cast, signed_in):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    signed_in(cast.guardian)
    notice = client.get(reverse("screening:notice", args=[campaign.pk]))
    assert notice.status_code == 200
    content = notice.content.decode()
    assert campaign.purpose in content and "诊断" in content
    assert f">{PHQ9}<" not in content  # the scale's code is for the counseling side
    assert [p.pk for p in notice.context["children"]] == [participation.pk]
    response = client.post(reverse("screening:opt_out", args=[participation.pk]), follow=True)
    assert "不会要求其填写" in response.content.decode()
    participation.refresh_from_db()
    assert participation.state == Participation.State.OPTED_OUT
    assert participation.opted_out_by == cast.guardian
    client.logout()

    signed_in(cast.student)
    saved = client.post(
        reverse("screening:save", args=[participation.pk]),
        {"scale": "phq9", "answers": {"q1": 1}, "seq": 1},
        content_type="application/json",
    )
    assert saved.status_code == 400
    assert not Response.objects.filter(participation=participation).exists()
    client.logout()

    signed_in(cast.guardian)
    response = client.post(reverse("screening:opt_in", args=[participation.pk]), follow=True)
    assert "撤回" in response.content.decode()
    participation.refresh_from_db()
    assert participation.state == Participation.State.INVITED


def test_a_guardian_finds_the_childs_questionnaires_in_the_menu(client, cast, signed_in):
    """Each campaign a child is in, with the child's place in it and the way to the notice;
    a student of another family is not listed."""
    other_class, other_student, _teacher = second_class(cast)
    campaign = open_campaign(cast, classes=[cast.school_class, other_class])
    signed_in(cast.guardian)
    url = reverse("screening:child_notices")
    assert url in client.get(reverse("core:home")).content.decode()  # the menu entry
    page = client.get(url).content.decode()
    assert page.count('data-testid="child-notice"') == 1
    assert campaign.title in page and cast.student_record.name in page
    assert other_student.name not in page
    assert reverse("screening:notice", args=[campaign.pk]) in page
    home = client.get(reverse("core:home")).content.decode()
    tile = home.split('data-testid="tile-child_questionnaires"', 1)[1]
    assert tile.startswith(' data-count="1"') and f'href="{url}"' in home
    child = participation_of(campaign, cast.student_record)
    client.post(reverse("screening:opt_out", args=[child.pk]))
    state = client.get(url).content.decode().split('data-testid="child-notice-state">', 1)[1]
    assert state.startswith("您已选择不参加")


def test_the_director_records_an_opt_out_received_on_paper(client, cast, signed_in):
    other_class, other_student, _teacher = second_class(cast)
    campaign = open_campaign(cast, classes=[cast.school_class, other_class])
    signed_in(cast.director)
    url = reverse("screening:opt_outs", args=[campaign.pk])
    page = client.get(url, {"school_class": str(other_class.pk)})
    rows = list(page.context["page"])
    assert [p.student for p in rows] == [other_student]
    back = f"{url}?school_class={other_class.pk}"
    response = client.post(reverse("screening:opt_out", args=[rows[0].pk]), {"next": back})
    assert response.status_code == 302 and response.url == back
    opted = client.get(url, {"state": "opted_out"}).context["page"]
    assert [p.student for p in opted] == [other_student]
    assert participation_of(campaign, cast.student_record).state == Participation.State.INVITED
    # Somewhere else than this site is not followed.
    response = client.post(
        reverse("screening:opt_in", args=[rows[0].pk]), {"next": "https://example.com/"}
    )
    assert response.url == reverse("screening:notice", args=[campaign.pk])


def test_the_notice_of_a_respondent_and_of_someone_outside(client, cast, signed_in):
    campaign = open_campaign(cast)
    signed_in(cast.student)
    page = client.get(reverse("screening:notice", args=[campaign.pk]))
    assert page.status_code == 200
    assert page.context["own"] is not None and not page.context["children"]
    assert 'data-testid="opt-out"' not in page.content.decode()
    client.logout()
    for user in (cast.foreign_director, cast.duty, cast.committee_member):
        signed_in(user)
        assert client.get(reverse("screening:notice", args=[campaign.pk])).status_code == 404
        client.logout()
    assert ClassCode.objects.filter(campaign=campaign).count() == 1


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_and_the_completion_cost_the_same_queries_for_more_rows(client, cast, signed_in):
    second_class(cast)
    campaign = open_campaign(cast, classes=[], grades=[cast.grade])
    open_campaign(cast, title="第二次")
    signed_in(cast.director)
    list_url = reverse("screening:campaign_list")
    completion_url = reverse("screening:completion", args=[campaign.pk])
    _queries(client, list_url)  # the first request warms the session and the caches
    few = (_queries(client, list_url), _queries(client, completion_url))
    second_class(cast, number=3, name="王小华", student_number="2026070301")
    more = open_campaign(cast, classes=[], grades=[cast.grade], title="第三次")
    for title in ("第四次", "第五次"):
        open_campaign(cast, title=title)
    completion_url_more = reverse("screening:completion", args=[more.pk])
    assert (_queries(client, list_url), _queries(client, completion_url_more)) == few


def test_a_teachers_campaign_invites_the_staff_and_counts_them_in_one_row(client, cast, signed_in):
    for number, user in enumerate((cast.counselor, cast.class_teacher), start=1):
        Staff.objects.create(
            school=cast.school, user=user, name=f"老师{number}", staff_number=f"T{number}"
        )
    signed_in(cast.director)
    response = client.post(
        reverse("screening:campaign_create"),
        form_data(cast, audience="teachers", classes=None, scales=["who5@1.0"]),
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.audience == Campaign.Audience.TEACHERS
    assert not campaign.classes.exists()
    client.post(reverse("screening:announce", args=[campaign.pk]), {"confirm": "yes"})
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.ANNOUNCED
    rows = client.get(reverse("screening:completion", args=[campaign.pk])).context["completion"]
    assert [(r.label, r.total) for r in rows["rows"]] == [("", 2)]
    assert (
        "教师" in client.get(reverse("screening:completion", args=[campaign.pk])).content.decode()
    )
    assert not ClassCode.objects.filter(campaign=campaign).exists()
    client.logout()
    signed_in(cast.counselor)
    notice = client.get(reverse("screening:notice", args=[campaign.pk]))
    assert notice.context["own"] is not None


def test_a_teachers_campaign_without_staff_records_is_not_announced(client, cast, signed_in):
    campaign = open_campaign(cast, announce=False, audience="teachers", classes=[])
    signed_in(cast.director)
    response = client.post(
        reverse("screening:announce", args=[campaign.pk]), {"confirm": "yes"}, follow=True
    )
    assert "教职工名单中还没有教师" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT
    assert not campaign.participations.exists()
