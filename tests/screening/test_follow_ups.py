"""The follow-up list, the interview, the answers page and scales given during a case.

Results are flags for a follow-up interview, never diagnoses: the counseling side sees why a
student is on the list; a class teacher sees only whom to send for a talk.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import case_at
from tests.conftest import sign_in
from tests.screening.factories import (
    MILD,
    MODERATE,
    SEVERE,
    classmate,
    flagged_follow_up,
    open_campaign,
    participation_of,
    submit,
)
from xinqiao.cases.models import Case
from xinqiao.core.models import AccessLog, Notification
from xinqiao.screening.models import FollowUp, Participation, Response
from xinqiao.screening.selectors import false_positive_shares
from xinqiao.screening.services import follow_up_assign, follow_up_conclude

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_wordings")]

NOT_A_DIAGNOSIS = "筛查结果只是约谈的提示，绝不是诊断"
YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def _conclude(cast, follow_up, conclusion):
    return follow_up_conclude(
        actor=cast.counselor,
        follow_up=follow_up,
        conclusion=conclusion,
        interviewed_on=timezone.localdate(),
    )


# --- the list ------------------------------------------------------------------------------------
def test_the_counselor_sees_why_each_student_is_flagged(client, cast):
    follow_up = flagged_follow_up(cast, answers=SEVERE)
    follow_up_assign(actor=cast.director, follow_up=follow_up, interviewer=cast.counselor)
    response = sign_in(client, cast.counselor).get(reverse("screening:follow_up_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert NOT_A_DIAGNOSIS in page
    assert "何小明" in page and "七年级1班" in page
    assert "患者健康问卷抑郁量表（PHQ-9）" in page and "重度" in page
    assert 'data-testid="critical"' in page
    assert cast.counselor.display_name in page


def test_a_class_teacher_sees_whom_to_send_and_never_why(client, cast):
    follow_up = flagged_follow_up(cast, answers=SEVERE)
    _conclude(cast, follow_up, FollowUp.Conclusion.CONFIRMED)
    response = sign_in(client, cast.class_teacher).get(reverse("screening:follow_up_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "何小明" in page and "七年级1班" in page
    assert "请送来与心理老师谈一谈" in page
    assert 'data-testid="interviewed">是<' in page
    assert NOT_A_DIAGNOSIS in page
    # The total (21) as the list would show it: a bare "21" also matches a factory user's name.
    for secret in ("PHQ", "患者健康问卷", "重度", ">21<", "确认有需要关注", "false-positives"):
        assert secret not in page, secret
    assert "risk-high" not in page


def test_a_class_teacher_does_not_see_a_campaign_that_keeps_follow_ups_from_them(client, cast):
    campaign = open_campaign(cast, class_teachers_see_follow_ups=False)
    flagged_follow_up(cast, campaign=campaign)
    page = sign_in(client, cast.class_teacher).get(reverse("screening:follow_up_list"))
    assert "何小明" not in page.content.decode()


def test_the_list_filters_by_conclusion_interviewer_and_mine(client, cast):
    other_student = classmate(cast, 2, "李小红")
    campaign = open_campaign(cast)
    mine = flagged_follow_up(cast, campaign=campaign)
    submit(participation_of(campaign, other_student), MODERATE)
    follow_up_assign(actor=cast.director, follow_up=mine, interviewer=cast.counselor)
    client = sign_in(client, cast.counselor)
    url = reverse("screening:follow_up_list")
    assert client.get(url).content.decode().count('data-testid="follow-up"') == 2
    page = client.get(url, {"mine": "1"}).content.decode()
    assert "何小明" in page and "李小红" not in page
    page = client.get(url, {"interviewer": cast.counselor.pk}).content.decode()
    assert "李小红" not in page
    _conclude(cast, mine, FollowUp.Conclusion.NO_CONCERN)
    page = client.get(url, {"conclusion": "pending"}).content.decode()
    assert "李小红" in page and "何小明" not in page
    page = client.get(url, {"campaign": campaign.pk, "class": cast.school_class.pk})
    assert page.content.decode().count('data-testid="follow-up"') == 2


def test_a_student_without_a_flag_is_not_on_the_list(cast):
    campaign = open_campaign(cast)
    submit(participation_of(campaign, cast.student_record), MILD, actor=cast.student)
    assert not FollowUp.objects.exists()


# --- false positives -----------------------------------------------------------------------------
def test_false_positive_shares_per_scale_and_band(cast):
    students = {number: classmate(cast, number) for number in (2, 3, 4)}
    campaign = open_campaign(cast)
    confirmed = flagged_follow_up(cast, campaign=campaign)  # moderate
    follow_ups = {}
    for number, answers in ((2, MODERATE), (3, SEVERE), (4, MODERATE)):
        participation = participation_of(campaign, students[number])
        submit(participation, answers)
        follow_ups[number] = FollowUp.objects.get(participation=participation)
    _conclude(cast, confirmed, FollowUp.Conclusion.CONFIRMED)
    _conclude(cast, follow_ups[2], FollowUp.Conclusion.NO_CONCERN)
    _conclude(cast, follow_ups[3], FollowUp.Conclusion.NO_CONCERN)
    # follow_ups[4] is still to be interviewed: not counted.

    (phq9,) = false_positive_shares(FollowUp.objects.for_user(cast.counselor))
    assert (phq9.scale, phq9.confirmed, phq9.no_concern) == ("phq9", 1, 2)
    assert phq9.share == Decimal(2) / Decimal(3) and phq9.percent == 67
    rows = {band.band: (band.confirmed, band.no_concern, band.share) for band in phq9.bands}
    assert rows == {"moderate": (1, 1, Decimal("0.5")), "severe": (0, 1, Decimal(1))}
    assert [band.band_label for band in phq9.bands] == ["中度", "重度"]


def test_the_list_shows_the_shares(client, cast):
    _conclude(cast, flagged_follow_up(cast), FollowUp.Conclusion.NO_CONCERN)
    page = sign_in(client, cast.director).get(reverse("screening:follow_up_list"))
    assert 'data-testid="share">100%<' in page.content.decode()


def test_shares_count_only_what_the_reader_sees(cast):
    _conclude(cast, flagged_follow_up(cast), FollowUp.Conclusion.NO_CONCERN)
    assert false_positive_shares(FollowUp.objects.for_user(cast.outsider)) == []


# --- the interview -------------------------------------------------------------------------------
def test_the_detail_shows_the_results_and_is_recorded_in_the_access_log(client, cast):
    follow_up = flagged_follow_up(cast, answers=SEVERE)
    response = sign_in(client, cast.counselor).get(
        reverse("screening:follow_up_detail", args=[follow_up.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert NOT_A_DIAGNOSIS in page
    assert 'data-testid="total">21<' in page and "重度" in page
    assert "q9" in page  # the critical item
    assert reverse("screening:result_detail", args=[follow_up.participation_id]) in page
    assert AccessLog.objects.filter(
        action="read", object_type="screening.FollowUp", object_id=str(follow_up.pk)
    ).exists()


def test_a_confirmed_concern_opens_a_case_linked_to_the_follow_up(client, cast):
    follow_up = flagged_follow_up(cast)
    response = sign_in(client, cast.counselor).post(
        reverse("screening:follow_up_detail", args=[follow_up.pk]),
        {"interviewed_on": YESTERDAY, "conclusion": "confirmed", "notes": "情绪低落两周，同意咨询"},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    case = Case.objects.get(student=cast.student_record)
    assert (follow_up.conclusion, follow_up.case_id) == ("confirmed", case.pk)
    assert follow_up.notes == "情绪低落两周，同意咨询"
    assert case.channel == Case.Channel.SCREENING
    page = client.get(response.url).content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) in page


def test_no_concern_closes_the_follow_up_without_a_case(client, cast):
    follow_up = flagged_follow_up(cast)
    sign_in(client, cast.counselor).post(
        reverse("screening:follow_up_detail", args=[follow_up.pk]),
        {"interviewed_on": YESTERDAY, "conclusion": "no_concern"},
    )
    follow_up.refresh_from_db()
    assert follow_up.conclusion == "no_concern" and follow_up.case_id is None
    assert not Case.objects.exists()


def test_the_interview_is_recorded_once(client, cast):
    follow_up = flagged_follow_up(cast)
    client = sign_in(client, cast.counselor)
    url = reverse("screening:follow_up_detail", args=[follow_up.pk])
    client.post(url, {"interviewed_on": YESTERDAY, "conclusion": "no_concern", "notes": "第一次"})
    response = client.post(
        url, {"interviewed_on": YESTERDAY, "conclusion": "confirmed", "notes": "第二次"}
    )
    assert response.status_code == 400
    assert "已经记录过" in response.content.decode()
    follow_up.refresh_from_db()
    assert (follow_up.conclusion, follow_up.notes) == ("no_concern", "第一次")
    assert not Case.objects.exists()


def test_a_bad_interview_keeps_what_was_typed_and_changes_nothing(client, cast):
    follow_up = flagged_follow_up(cast)
    response = sign_in(client, cast.counselor).post(
        reverse("screening:follow_up_detail", args=[follow_up.pk]),
        {"interviewed_on": "", "notes": "学生说最近睡不好"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "学生说最近睡不好" in page
    assert "请填写约谈日期" in page and "请选择约谈的结论" in page
    follow_up.refresh_from_db()
    assert (follow_up.conclusion, follow_up.notes) == ("pending", "")


def test_a_class_teacher_cannot_open_or_record_an_interview(client, cast):
    follow_up = flagged_follow_up(cast)
    client = sign_in(client, cast.class_teacher)
    url = reverse("screening:follow_up_detail", args=[follow_up.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"interviewed_on": YESTERDAY, "conclusion": "no_concern"})
    assert response.status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.conclusion == "pending"
    assert AccessLog.objects.filter(action="denied", actor_id=cast.class_teacher.pk).count() == 2


# --- assigning -----------------------------------------------------------------------------------
def test_the_director_assigns_a_counselor_who_is_told(client, cast):
    follow_up = flagged_follow_up(cast)
    client = sign_in(client, cast.director)
    url = reverse("screening:assign", args=[follow_up.pk])
    page = client.get(url).content.decode()
    assert "请选择…" in page and cast.counselor.display_name in page
    assert cast.class_teacher.display_name not in page
    response = client.post(url, {"interviewer": cast.counselor.pk})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.assigned_to == cast.counselor
    assert Notification.objects.filter(recipient=cast.counselor).exists()


def test_assigning_someone_who_is_no_counselor_is_refused(client, cast):
    follow_up = flagged_follow_up(cast)
    response = sign_in(client, cast.director).post(
        reverse("screening:assign", args=[follow_up.pk]), {"interviewer": cast.class_teacher.pk}
    )
    assert response.status_code == 400
    follow_up.refresh_from_db()
    assert follow_up.assigned_to is None


def test_a_counselor_cannot_assign(client, cast):
    follow_up = flagged_follow_up(cast)
    response = sign_in(client, cast.counselor).post(
        reverse("screening:assign", args=[follow_up.pk]), {"interviewer": cast.counselor.pk}
    )
    assert response.status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.assigned_to is None


# --- every answer --------------------------------------------------------------------------------
def test_the_answers_page_shows_wording_labels_and_the_version(client, cast):
    follow_up = flagged_follow_up(cast, answers=SEVERE)
    response = sign_in(client, cast.counselor).get(
        reverse("screening:result_detail", args=[follow_up.participation_id])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert NOT_A_DIAGNOSIS in page
    assert "有不如死掉或用某种方式伤害自己的念头" in page  # item 9's wording
    assert "几乎每天" in page and "有几天" in page  # option labels
    assert "1.0" in page and 'data-testid="total">21<' in page
    assert page.count('data-testid="answer"') == 9
    assert AccessLog.objects.filter(
        action="read",
        object_type="screening.Participation",
        object_id=str(follow_up.participation_id),
    ).exists()


def test_the_respondent_and_the_class_teacher_cannot_open_the_answers_page(client, cast):
    follow_up = flagged_follow_up(cast)
    url = reverse("screening:result_detail", args=[follow_up.participation_id])
    for user in (cast.student, cast.class_teacher, cast.guardian):
        assert sign_in(client, user).get(url).status_code in (403, 404)
        assert AccessLog.objects.filter(action="denied", actor_id=user.pk).exists()


# --- scales in case work -------------------------------------------------------------------------
def test_a_scale_given_on_the_counselors_screen_shows_on_the_case_page(client, cast):
    case = case_at(cast, "active")
    client = sign_in(client, cast.counselor)
    page = client.get(reverse("screening:give_scale", args=[case.pk])).content.decode()
    assert "请选择…" in page and "phq9@1.0" in page
    response = client.post(
        reverse("screening:give_scale", args=[case.pk]), {"scale": "phq9@1.0", "via": "counselor"}
    )
    participation = Participation.objects.get(case=case)
    assert response.status_code == 302
    assert response.url == reverse("screening:take", args=[participation.pk])
    pending = client.get(reverse("screening:case_results", args=[case.pk])).content.decode()
    assert "患者健康问卷抑郁量表（PHQ-9） (在心理老师的电脑上)" in pending
    assert reverse("screening:take", args=[participation.pk]) in pending
    # The student answers on the counselor's screen: the counselor's session submits.
    submitted = client.post(
        reverse("screening:submit", args=[participation.pk]),
        json.dumps({"answers": {"phq9": MODERATE}}),
        content_type="application/json",
    )
    assert submitted.status_code == 200, submitted.content
    participation.refresh_from_db()
    assert participation.state == Participation.State.SUBMITTED
    assert participation.via == Participation.Via.COUNSELOR
    result = Response.objects.get(participation=participation)
    assert result.total == 12
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    results_url = reverse("screening:case_results", args=[case.pk])
    assert 'data-testid="scale-results-loading"' in page and results_url in page
    page = client.get(results_url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="scale-results"' in page and "患者健康问卷抑郁量表（PHQ-9）" in page
    assert 'data-testid="total">12<' in page and NOT_A_DIAGNOSIS in page
    assert f"?screening_result={result.pk}" in page
    # Chosen for the effect evaluation: the form starts with the scale and its total.
    form = client.get(
        reverse("cases:evaluation_create", args=[case.pk]), {"screening_result": result.pk}
    ).content.decode()
    assert 'value="患者健康问卷抑郁量表（PHQ-9）"' in form and 'value="12.00"' in form
    # A scale given during a case is followed up in the case, not on the list.
    assert not FollowUp.objects.exists()


def test_a_scale_sent_to_the_students_account_notifies_the_student(client, cast):
    case = case_at(cast, "active")
    response = sign_in(client, cast.counselor).post(
        reverse("screening:give_scale", args=[case.pk]), {"scale": "phq9@1.0", "via": "account"}
    )
    assert response.status_code == 302
    participation = Participation.objects.get(case=case)
    assert participation.via == Participation.Via.ACCOUNT
    assert Notification.objects.filter(recipient=cast.student).exists()
    # Not the counselor's to answer: only the student opens it.
    refused = client.post(
        reverse("screening:save", args=[participation.pk]),
        json.dumps({"scale": "phq9", "answers": {"q1": 1}, "seq": 1}),
        content_type="application/json",
    )
    assert refused.status_code in (403, 404)
    assert not Response.objects.exists()


def test_another_counselor_cannot_answer_a_scale_given_on_the_first_ones_screen(client, cast):
    case = case_at(cast, "active")
    sign_in(client, cast.counselor).post(
        reverse("screening:give_scale", args=[case.pk]), {"scale": "phq9@1.0", "via": "counselor"}
    )
    participation = Participation.objects.get(case=case)
    response = sign_in(client, cast.second_counselor).post(
        reverse("screening:submit", args=[participation.pk]),
        json.dumps({"answers": {"phq9": MODERATE}}),
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    participation.refresh_from_db()
    assert participation.state == Participation.State.INVITED
    assert not Response.objects.exists()


def test_giving_a_scale_is_refused_outside_the_case_and_changes_nothing(client, cast):
    case = case_at(cast, "active")
    for user in (cast.second_counselor, cast.class_teacher, cast.outsider):
        response = sign_in(client, user).post(
            reverse("screening:give_scale", args=[case.pk]),
            {"scale": "phq9@1.0", "via": "counselor"},
        )
        assert response.status_code in (403, 404)
    assert not Participation.objects.exists()


def test_giving_a_scale_without_a_choice_keeps_the_form(client, cast):
    case = case_at(cast, "active")
    response = sign_in(client, cast.counselor).post(
        reverse("screening:give_scale", args=[case.pk]), {"via": "account"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择量表。" in page
    assert re.search(r'value="account"[^>]*checked', page)
    assert not Participation.objects.exists()


def test_the_director_sees_the_campaign_result_in_the_case_and_others_do_not(client, cast):
    case = case_at(cast, "active")
    flagged_follow_up(cast)
    url = reverse("screening:case_results", args=[case.pk])
    page = sign_in(client, cast.director).get(url).content.decode()
    assert "患者健康问卷抑郁量表（PHQ-9）" in page and "2026年秋季新生心理普查" in page
    for user in (cast.second_counselor, cast.class_teacher, cast.outsider):
        response = sign_in(client, user).get(url)
        assert response.status_code == 404
        assert AccessLog.objects.filter(action="denied", actor_id=user.pk).exists()


def test_the_student_file_shows_the_students_scale_results_to_its_readers(client, cast):
    """Issue 15 item 7: a result goes into the student's file (一人一档), read when the reader
    reaches it and logged; a counselor who holds no case of the student reads nothing."""
    case_at(cast, "active")
    flagged_follow_up(cast)
    client = sign_in(client, cast.counselor)
    file_page = client.get(reverse("cases:student_file", args=[cast.student_record.pk]))
    url = reverse("screening:file_results", args=[cast.student_record.pk])
    assert url in file_page.content.decode()
    before = AccessLog.objects.filter(actor_id=cast.counselor.pk, action="read").count()
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="file-scale-results"' in page and "<html" not in page
    assert "患者健康问卷抑郁量表（PHQ-9）" in page and "2026年秋季新生心理普查" in page
    assert 'data-testid="total">12<' in page  # MODERATE: PHQ-9 total 12
    assert NOT_A_DIAGNOSIS in page
    assert AccessLog.objects.filter(actor_id=cast.counselor.pk, action="read").count() == before + 1
    for user in (cast.second_counselor, cast.class_teacher, cast.outsider):
        assert sign_in(client, user).get(url).status_code in (403, 404)
        assert AccessLog.objects.filter(action="denied", actor_id=user.pk).exists()
        file_page = client.get(reverse("cases:student_file", args=[cast.student_record.pk]))
        assert url not in file_page.content.decode()


def test_the_list_does_not_grow_with_its_rows(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    students = [classmate(cast, number) for number in range(2, 8)]
    campaign = open_campaign(cast)
    client = sign_in(client, cast.counselor)
    url = reverse("screening:follow_up_list")

    def queries() -> int:
        client.get(url)  # warm what every page shares
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for student in students[:2]:
        submit(participation_of(campaign, student), MODERATE)
    few = queries()
    for student in students[2:]:
        submit(participation_of(campaign, student), SEVERE)
    _conclude(cast, FollowUp.objects.first(), FollowUp.Conclusion.NO_CONCERN)
    assert queries() == few


def test_a_prorated_total_says_so_with_the_unanswered_question(client, cast):
    answers = {**MODERATE}
    del answers["q3"]  # one unanswered: PHQ-9 prorates up to two
    follow_up = flagged_follow_up(cast, answers=answers)
    page = (
        sign_in(client, cast.counselor)
        .get(reverse("screening:result_detail", args=[follow_up.participation_id]))
        .content.decode()
    )
    assert 'data-testid="prorated"' in page and "q3" in page
    assert "未作答" in page
