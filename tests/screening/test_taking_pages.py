"""The respondent's pages: their questionnaires, answering, the done page and the class code."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.rooms.appointment_factories import make_student
from tests.screening.factories import open_campaign, participation_of, phq9_answers
from xinqiao.core.home_links import role_links
from xinqiao.screening.access import SESSION_KEY
from xinqiao.screening.models import Campaign, ClassCode, FollowUp, Participation, Response
from xinqiao.screening.services import (
    answers_of,
    answers_save,
    campaign_announce,
    opt_out,
    participation_submit,
)
from xinqiao.screening.views_taking import TRIES_PER_BROWSER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_wordings")]

ALL_MILD = phq9_answers(1, 1, 1, 1, 1, 0, 0, 0, 0)  # total 5: mild, no follow-up


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the class code's wrong tries are counted there
    yield
    cache.clear()


def _post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _classmate(cast, number=2, name="李小红"):
    student = make_student(cast.school, number, name=name)
    student.school_class = cast.school_class
    student.save()
    return student


# --- my questionnaires --------------------------------------------------------------------------
def test_a_student_sees_open_coming_opted_out_and_submitted_questionnaires(cast, signed_in):
    now = timezone.now()
    open_one = open_campaign(cast, title="秋季普查")
    coming = open_campaign(
        cast, title="春季普查", opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=9)
    )
    kept_out = open_campaign(cast, title="睡眠调查")
    opt_out(actor=cast.guardian, participation=participation_of(kept_out, cast.student_record))
    answered = open_campaign(cast, title="新生普查", supportive_message="谢谢你，祝你每天开心。")
    participation_submit(
        actor=cast.student,
        participation=participation_of(answered, cast.student_record),
        answers={"phq9": ALL_MILD},
    )

    page = signed_in(cast.student).get(reverse("screening:my_questionnaires"))

    assert page.status_code == 200
    body = page.content.decode()
    take_url = reverse("screening:take", args=[participation_of(open_one, cast.student_record).pk])
    assert take_url in body
    assert "春季普查" in body and timezone.localtime(coming.opens_at).strftime("%Y-%m-%d") in body
    assert "睡眠调查" in body and "家长" in body  # 你的家长已让你不参加
    assert "谢谢你，祝你每天开心。" in body
    assert "轻度" not in body  # the campaign does not show scores
    # The workbench's tile counts the open one only (issue 17): what the page lists as open.
    from xinqiao.screening.selectors import questionnaires_to_fill

    open_participation = participation_of(open_one, cast.student_record)
    assert list(questionnaires_to_fill(cast.student)) == [open_participation]
    home = signed_in(cast.student).get(reverse("core:home")).content.decode()
    assert 'data-testid="tile-questionnaires" data-count="1"' in home


def test_scores_and_band_show_only_when_the_campaign_allows_it(cast, signed_in):
    campaign = open_campaign(cast, respondents_see_scores=True)
    participation_submit(
        actor=cast.student,
        participation=participation_of(campaign, cast.student_record),
        answers={"phq9": ALL_MILD},
    )
    body = signed_in(cast.student).get(reverse("screening:my_questionnaires")).content.decode()
    assert "轻度" in body and "不是诊断" in body


def test_a_scale_the_counselor_sent_during_a_case_is_listed_and_taken(cast, signed_in):
    from tests.cases.factories import case_at
    from xinqiao.screening.services import case_scale_give

    case = case_at(cast, "active")
    sent = case_scale_give(actor=cast.counselor, case=case, scale="who5@1.0", via="account")
    on_screen = case_scale_give(actor=cast.counselor, case=case, scale="phq9@1.0", via="counselor")
    client = signed_in(cast.student)

    body = client.get(reverse("screening:my_questionnaires")).content.decode()
    page = client.get(reverse("screening:take", args=[sent.pk]))

    assert "心理老师发给你的问卷" in body
    assert reverse("screening:take", args=[sent.pk]) in body
    assert reverse("screening:take", args=[on_screen.pk]) not in body  # answered with them
    assert page.status_code == 200 and "WHO-5" in page.content.decode()


def test_the_list_costs_the_same_queries_with_more_questionnaires(cast, signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(cast.student)
    url = reverse("screening:my_questionnaires")

    def answered(title):
        campaign = open_campaign(cast, title=title, respondents_see_scores=True)
        participation_submit(
            actor=cast.student,
            participation=participation_of(campaign, cast.student_record),
            answers={"phq9": ALL_MILD},
        )

    answered("一")
    client.get(url)  # the session and the caches settle
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    answered("二")
    answered("三")
    open_campaign(cast, title="四")
    with CaptureQueriesContext(connection) as four:
        page = client.get(url)
    assert page.content.decode().count("轻度") == 3
    assert len(four) == len(one)


def test_a_teacher_sees_a_teachers_campaign_and_a_class_teacher_none_of_the_students(
    cast, signed_in
):
    from xinqiao.people.models import Staff

    open_campaign(cast, title="学生普查")
    Staff.objects.create(school=cast.school, user=cast.class_teacher, name="王老师")
    teachers = open_campaign(cast, title="教师心理健康调查", audience="teachers", classes=[])
    own = Participation.objects.get(campaign=teachers, teacher__user=cast.class_teacher)

    body = (
        signed_in(cast.class_teacher).get(reverse("screening:my_questionnaires")).content.decode()
    )

    assert reverse("screening:take", args=[own.pk]) in body
    assert "学生普查" not in body  # their class's students' participations are not theirs


def test_the_student_home_page_leads_to_my_questionnaires(cast, signed_in):
    assert any(link.url_name == "screening:my_questionnaires" for link in role_links("student"))
    body = signed_in(cast.student).get(reverse("core:home")).content.decode()
    assert reverse("screening:my_questionnaires") in body


# --- the questionnaire ---------------------------------------------------------------------------
def test_the_questionnaire_shows_the_scale_its_wording_licence_and_the_not_a_diagnosis_note(
    cast, signed_in
):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    answers_save(participation=participation, scale_id="phq9", answers={"q1": 2}, seq=3)

    page = signed_in(cast.student).get(reverse("screening:take", args=[participation.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert "在过去两周里" in body and "做事时提不起劲或没有兴趣" in body and "几乎每天" in body
    assert "Pfizer" in body and "不是诊断" in body
    assert 'name="phq9:q1" value="2" checked' in body  # the server's saved answer
    assert page.context["saved"] == {"phq9": {"answers": {"q1": 2}, "seq": 3}}
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "<script>" not in body  # no inline script: the data travel as JSON
    participation.refresh_from_db()
    assert participation.state == Participation.State.STARTED


def test_another_students_questionnaire_is_not_found(cast, signed_in):
    campaign = open_campaign(cast, announce=False)
    classmate = _classmate(cast)
    campaign = campaign_announce(actor=cast.director, campaign=campaign)
    theirs = participation_of(campaign, classmate)
    client = signed_in(cast.student)

    assert client.get(reverse("screening:take", args=[theirs.pk])).status_code == 404
    saving = _post_json(
        client,
        reverse("screening:save", args=[theirs.pk]),
        {"scale": "phq9", "answers": {"q1": 3}, "seq": 1},
    )
    submitting = _post_json(
        client, reverse("screening:submit", args=[theirs.pk]), {"answers": {"phq9": ALL_MILD}}
    )
    assert (saving.status_code, submitting.status_code) == (404, 404)
    assert client.get(reverse("screening:done", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == Participation.State.INVITED
    assert not Response.objects.filter(participation=theirs).exists()


def test_an_autosave_with_an_older_seq_changes_nothing(cast, signed_in):
    participation = participation_of(open_campaign(cast), cast.student_record)
    client = signed_in(cast.student)
    url = reverse("screening:save", args=[participation.pk])

    newer = _post_json(client, url, {"scale": "phq9", "answers": {"q1": 1, "q2": 3}, "seq": 5})
    older = _post_json(client, url, {"scale": "phq9", "answers": {"q1": 0}, "seq": 4})

    assert newer.json() == {"ok": True, "seq": 5} and older.status_code == 200
    response = Response.objects.get(participation=participation)
    assert (answers_of(response), response.seq) == ({"q1": 1, "q2": 3}, 5)


def test_a_bad_save_is_refused_with_a_message_and_nothing_is_stored(cast, signed_in):
    participation = participation_of(open_campaign(cast), cast.student_record)
    client = signed_in(cast.student)
    url = reverse("screening:save", args=[participation.pk])

    wrong_choice = _post_json(client, url, {"scale": "phq9", "answers": {"q1": 9}, "seq": 1})
    not_json = client.post(url, "{", content_type="application/json")

    assert wrong_choice.status_code == 400 and wrong_choice.json()["errors"]
    assert not_json.status_code == 400
    assert not Response.objects.filter(participation=participation).exists()


def test_submitting_twice_stores_one_result(cast, signed_in):
    participation = participation_of(open_campaign(cast), cast.student_record)
    client = signed_in(cast.student)
    url = reverse("screening:submit", args=[participation.pk])
    answers = {"answers": {"phq9": phq9_answers(2, 2, 2, 2, 1, 1, 1, 1, 0)}}

    first = _post_json(client, url, answers)
    again = _post_json(client, url, answers)  # the answer to the first was lost on the way

    done = reverse("screening:done", args=[participation.pk])
    assert first.json() == again.json() == {"ok": True, "next": done}
    assert Response.objects.filter(participation=participation).count() == 1
    assert FollowUp.objects.filter(participation=participation).count() == 1
    # Once submitted, the questionnaire leads to the thank-you page.
    assert client.get(reverse("screening:take", args=[participation.pk])).url == done


def test_an_unfinished_submit_says_which_scale_and_submits_nothing(cast, signed_in):
    participation = participation_of(open_campaign(cast), cast.student_record)
    client = signed_in(cast.student)

    refused = _post_json(
        client,
        reverse("screening:submit", args=[participation.pk]),
        {"answers": {"phq9": {"q1": 1}}},
    )

    assert refused.status_code == 400
    assert "PHQ-9" in " ".join(refused.json()["errors"])
    participation.refresh_from_db()
    assert participation.state != Participation.State.SUBMITTED


def test_without_script_the_plain_form_submits_and_keeps_answers_when_refused(cast, signed_in):
    participation = participation_of(open_campaign(cast), cast.student_record)
    client = signed_in(cast.student)
    url = reverse("screening:submit", args=[participation.pk])

    refused = client.post(url, {"phq9:q1": "2", "phq9:q2": "1"}, follow=True)
    assert 'name="phq9:q1" value="2" checked' in refused.content.decode()
    assert "还有题目没有回答" in refused.content.decode()

    fields = {f"phq9:q{i}": "0" for i in range(1, 10)}
    sent = client.post(url, fields)
    assert sent.url == reverse("screening:done", args=[participation.pk])
    participation.refresh_from_db()
    assert participation.state == Participation.State.SUBMITTED


def test_an_opted_out_child_is_refused_and_nothing_is_saved(cast, signed_in):
    participation = participation_of(open_campaign(cast), cast.student_record)
    opt_out(actor=cast.guardian, participation=participation)
    client = signed_in(cast.student)

    page = client.get(reverse("screening:take", args=[participation.pk]))
    saving = _post_json(
        client,
        reverse("screening:save", args=[participation.pk]),
        {"scale": "phq9", "answers": {"q1": 1}, "seq": 1},
    )
    submitting = _post_json(
        client,
        reverse("screening:submit", args=[participation.pk]),
        {"answers": {"phq9": ALL_MILD}},
    )

    assert page.status_code == 403 and "家长" in page.content.decode()
    assert saving.status_code == submitting.status_code == 400
    assert not Response.objects.filter(participation=participation).exists()
    participation.refresh_from_db()
    assert participation.state == Participation.State.OPTED_OUT


def test_a_closed_questionnaire_is_refused(cast, signed_in):
    participation = participation_of(open_campaign(cast), cast.student_record)
    Campaign.objects.filter(pk=participation.campaign_id).update(state=Campaign.State.CLOSED)

    page = signed_in(cast.student).get(reverse("screening:take", args=[participation.pk]))

    assert page.status_code == 403 and "已结束" in page.content.decode()
    participation.refresh_from_db()
    assert participation.state == Participation.State.INVITED


def test_the_done_page_shows_the_message_and_help_but_no_scores_unless_allowed(cast, signed_in):
    participation = participation_of(open_campaign(cast), cast.student_record)
    participation_submit(
        actor=cast.student, participation=participation, answers={"phq9": ALL_MILD}
    )

    page = signed_in(cast.student).get(reverse("screening:done", args=[participation.pk]))

    body = page.content.decode()
    assert "心理咨询室随时欢迎你" in body and "学校心理咨询室向每一位同学开放" in body
    assert "轻度" not in body and page.context["scores"] == []


# --- the class code ------------------------------------------------------------------------------
def _code(campaign) -> str:
    return ClassCode.objects.get(campaign=campaign).code


def _enter(client, code, number="2026070101", name="何小明"):
    return client.post(
        reverse("screening:class_code"), {"code": code, "student_number": number, "name": name}
    )


def test_the_class_code_opens_the_students_questionnaire_on_a_shared_computer(cast):
    participation = participation_of(open_campaign(cast), cast.student_record)
    computer = Client()

    entered = _enter(computer, _code(participation.campaign).lower())

    assert entered.url == reverse("screening:take", args=[participation.pk])
    page = computer.get(entered.url)
    assert page.status_code == 200 and "共用电脑" in page.content.decode()
    participation.refresh_from_db()
    assert participation.via == Participation.Via.CLASS_CODE


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("wrong", "班级码、学号或姓名不对"),
        ("not_yet", "这个班级码要到"),
        ("expired", "这个班级码已过期"),
        ("submitted", "你已经提交过这份问卷"),
    ],
)
def test_a_refused_class_code_says_why_and_keeps_what_was_typed(cast, when, message):
    now = timezone.now()
    window = {}
    if when == "not_yet":
        window = {"opens_at": now + timedelta(days=1), "closes_at": now + timedelta(days=2)}
    campaign = open_campaign(cast, **window)
    participation = participation_of(campaign, cast.student_record)
    code = _code(campaign)
    if when == "wrong":
        code = "ZZZZZZ"
    if when == "expired":
        Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.CLOSED)
    if when == "submitted":
        participation_submit(
            actor=cast.student, participation=participation, answers={"phq9": ALL_MILD}
        )
    before = Participation.objects.get(pk=participation.pk)
    computer = Client()

    refused = _enter(computer, code)

    body = refused.content.decode()
    assert refused.status_code == 400
    assert message in body
    assert f'value="{code}"' in body and 'value="2026070101"' in body and 'value="何小明"' in body
    assert SESSION_KEY not in computer.session
    after = Participation.objects.get(pk=participation.pk)
    assert (after.state, after.via, after.started_at) == (
        before.state,
        before.via,
        before.started_at,
    )


def test_a_wrong_name_is_refused_like_a_wrong_code(cast):
    campaign = open_campaign(cast)
    refused = _enter(Client(), _code(campaign), name="何小红")
    assert refused.status_code == 400 and "班级码、学号或姓名不对" in refused.content.decode()
    assert participation_of(campaign, cast.student_record).state == Participation.State.INVITED


def test_too_many_wrong_codes_are_answered_429_even_with_the_right_one(cast):
    campaign = open_campaign(cast)
    computer = Client()
    for _try in range(TRIES_PER_BROWSER):
        assert _enter(computer, "ZZZZZZ").status_code == 400

    locked = _enter(computer, _code(campaign))

    assert locked.status_code == 429
    assert "次数太多" in locked.content.decode() and 'value="何小明"' in locked.content.decode()
    assert participation_of(campaign, cast.student_record).state == Participation.State.INVITED


def test_the_shared_computer_forgets_the_student_after_submit(cast):
    campaign = open_campaign(cast)
    participation = participation_of(campaign, cast.student_record)
    computer = Client()
    _enter(computer, _code(campaign))
    take = reverse("screening:take", args=[participation.pk])
    submit = reverse("screening:submit", args=[participation.pk])

    sent = _post_json(computer, submit, {"answers": {"phq9": ALL_MILD}})
    again = _post_json(computer, submit, {"answers": {"phq9": ALL_MILD}})  # a retry: safe

    done = reverse("screening:done", args=[participation.pk])
    assert sent.json() == again.json() == {"ok": True, "next": done}
    assert Response.objects.filter(participation=participation).count() == 1
    thanks = computer.get(done)
    assert thanks.status_code == 200
    assert (
        "关闭浏览器" in thanks.content.decode()
        and "心理咨询室随时欢迎你" in thanks.content.decode()
    )
    # The next student at this computer cannot open, change or read it.
    assert SESSION_KEY not in computer.session
    assert computer.get(take).status_code == 302  # to sign in
    saving = _post_json(
        computer,
        reverse("screening:save", args=[participation.pk]),
        {"scale": "phq9", "answers": {"q1": 3}, "seq": 99},
    )
    assert saving.status_code == 302
    assert answers_of(Response.objects.get(participation=participation))["q1"] == 1


def test_a_class_code_session_opens_only_its_own_participation(cast):
    campaign = open_campaign(cast, announce=False)
    classmate = _classmate(cast)
    campaign = campaign_announce(actor=cast.director, campaign=campaign)
    computer = Client()
    _enter(computer, _code(campaign))
    theirs = participation_of(campaign, classmate)

    assert computer.get(reverse("screening:take", args=[theirs.pk])).status_code == 302
    assert (
        _post_json(
            computer,
            reverse("screening:submit", args=[theirs.pk]),
            {"answers": {"phq9": ALL_MILD}},
        ).status_code
        == 302
    )
    theirs.refresh_from_db()
    assert theirs.state == Participation.State.INVITED
