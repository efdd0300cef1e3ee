"""The letterbox: anonymous and named letters, danger phrases, replies, pickup codes, the
weekly round, and that nothing links an anonymous letter to its writer."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.access import ALL_ROLES
from tests.conftest import sign_in
from tests.letters.factories import send_letter
from xinqiao.core.models import AccessLog, Notification
from xinqiao.crisis.models import Alert, PhraseFlag
from xinqiao.letters import services
from xinqiao.letters.models import Letter
from xinqiao.letters.selectors import board_queue

pytestmark = pytest.mark.django_db

COUNSELING = {"director", "counselor"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def write(client, body: str, *, anonymous: bool):
    form = client.get(reverse("letters:write"))
    key = form.context["form"].initial["submission_key"]
    data = {"body": body, "submission_key": key}
    if anonymous:
        data["anonymous"] = "on"
    return client.post(reverse("letters:write"), data), data


def test_the_must_show_line(cast, signed_in):
    """An anonymous letter '我不想活了' becomes a 危机 alert at once (within the request), '我不想
    死' does not; its reply reaches the writer through the pickup code; nobody outside the
    counseling side can open it."""
    client = signed_in(cast.student)
    response, _data = write(client, "我不想活了，每天都很难受。", anonymous=True)
    assert response.status_code == 200
    code = response.context["code"]
    letter = Letter.objects.get()
    alert = Alert.objects.get()
    assert alert.risk_level == Alert.RiskLevel.CRISIS
    assert alert.source == Alert.Source.LETTER and alert.student is None
    assert alert.person_description == f"匿名来信 #{letter.pk}"
    assert Notification.objects.filter(
        recipient=cast.director, url=reverse("crisis:alert_detail", args=[alert.pk])
    ).exists()
    assert letter.flag_level == Alert.RiskLevel.CRISIS

    safe, _data = write(client, "我不想死，只是想找人聊聊。", anonymous=True)
    assert safe.status_code == 200
    assert Alert.objects.count() == 1 and Letter.objects.count() == 2

    # Nobody outside the counseling side opens the letter, on a page or through the API.
    for role in sorted(ALL_ROLES):
        other = sign_in(Client(), getattr(cast, role))
        page = other.get(reverse("letters:detail", args=[letter.pk]))
        api = other.get(f"/api/letters/{letter.pk}")
        if role in COUNSELING:
            assert page.status_code == 200 and api.status_code == 200, role
            assert "我不想活了" in page.content.decode()
        else:
            assert page.status_code == 404 and api.status_code == 404, role
            assert "我不想活了" not in page.content.decode() + api.content.decode()
    for outsider in (cast.foreign_director, cast.foreign_counselor):
        assert (
            sign_in(Client(), outsider).get(reverse("letters:detail", args=[letter.pk])).status_code
            == 404
        )

    counselor = signed_in(cast.counselor)
    alert_page = counselor.get(reverse("crisis:alert_detail", args=[alert.pk]))
    assert reverse("letters:detail", args=[letter.pk]) in alert_page.content.decode()
    replied = counselor.post(
        reverse("letters:reply", args=[letter.pk]),
        {"body": "谢谢你愿意写下来。明天中午来咨询室好吗？"},
    )
    assert replied.status_code == 302

    # The writer, signed out on another computer, reads the reply with the code, and nothing else.
    reader = Client()
    pickup = reader.post(reverse("letters:pickup"), {"code": code.lower().replace("-", " ")})
    assert pickup.status_code == 200
    content = pickup.content.decode()
    assert "明天中午来咨询室好吗" in content
    assert "我不想活了" not in content


def test_an_anonymous_letter_is_linked_to_no_account(cast, signed_in):
    client = signed_in(cast.student)
    response, data = write(client, "我想死", anonymous=True)
    code = response.context["code"]
    letter = Letter.objects.get()
    assert letter.writer is None
    assert letter.pickup_code_hash and code not in letter.pickup_code_hash
    assert letter.sent_on == timezone.localdate()
    alert = Alert.objects.get()
    assert alert.raised_by is None
    assert not alert.events.exclude(actor=None).exists()
    for entry in LogEntry.objects.all():
        assert entry.actor_id is None, entry
        assert not entry.remote_addr, entry
    assert not AccessLog.objects.filter(actor_username="student").exists()
    assert not Notification.objects.filter(recipient=cast.student).exists()
    # The writer's own list does not hold it either (their account would give it away).
    mine = client.get(reverse("letters:mine"))
    assert f"/letters/{letter.pk}/" not in mine.content.decode()
    # The same form sent twice: one letter, the same code shown again.
    again = client.post(reverse("letters:write"), data)
    assert again.context["code"] == code
    assert Letter.objects.count() == 1 and Alert.objects.count() == 1


def test_a_named_letter_is_answered_in_the_writers_account_without_content_in_the_notice(
    cast, signed_in
):
    client = signed_in(cast.student)
    response, _data = write(client, "我和同桌吵架了，不知道怎么和好。", anonymous=False)
    letter = Letter.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "letters:detail", args=[letter.pk]
    )
    assert letter.writer == cast.student
    signed_in(cast.director).post(
        reverse("letters:reply", args=[letter.pk]), {"body": "可以先写一张小纸条给他。"}
    )
    notice = Notification.objects.get(recipient=cast.student)
    assert notice.url == reverse("letters:detail", args=[letter.pk])
    assert "纸条" not in notice.title + notice.body and "同桌" not in notice.title + notice.body
    page = signed_in(cast.student).get(reverse("letters:detail", args=[letter.pk]))
    assert "可以先写一张小纸条给他" in page.content.decode()
    assert (
        f"/letters/{letter.pk}/"
        in signed_in(cast.student).get(reverse("letters:mine")).content.decode()
    )


def test_a_named_letter_with_a_danger_phrase_raises_an_alert_about_the_student(cast):
    sent = send_letter(cast.student, body="活着没意思")
    assert sent.alert.student == cast.student_record
    assert sent.alert.risk_level == Alert.RiskLevel.HIGH
    assert sent.alert.raised_by == cast.student


def test_every_read_of_a_letter_by_staff_is_recorded(cast, signed_in):
    letter = send_letter(cast.student, body="最近睡不好。", anonymous=True).letter
    signed_in(cast.counselor).get(reverse("letters:detail", args=[letter.pk]))
    signed_in(cast.director).get(f"/api/letters/{letter.pk}")
    reads = AccessLog.objects.filter(
        action="read", object_type="letters.Letter", object_id=str(letter.pk)
    )
    assert set(reads.values_list("actor_username", flat=True)) == {"counselor", "director"}


def test_a_refused_reply_changes_nothing_and_a_bad_one_keeps_what_was_typed(cast, signed_in):
    letter = send_letter(cast.student, body="最近睡不好。", anonymous=True).letter
    refused = signed_in(cast.class_teacher).post(
        reverse("letters:reply", args=[letter.pk]), {"body": "我是班主任"}
    )
    assert refused.status_code == 404
    assert not letter.replies.exists()
    assert AccessLog.objects.filter(action="denied", actor_username="class_teacher").exists()
    bad = signed_in(cast.counselor).post(reverse("letters:reply", args=[letter.pk]), {"body": " "})
    assert bad.status_code == 400
    letter.refresh_from_db()
    assert letter.answered_at is None and not letter.replies.exists()


def test_an_empty_letter_is_refused_and_keeps_the_choice(cast, signed_in):
    client = signed_in(cast.student)
    response, _data = write(client, "   ", anonymous=True)
    assert response.status_code == 400
    assert 'name="anonymous" data-testid="letter-anonymous" checked' in response.content.decode()
    assert not Letter.objects.exists()


def test_a_pupil_sends_at_most_five_letters_a_day(cast):
    for number in range(services.LETTERS_A_DAY):
        services.letter_send(
            writer=cast.student,
            school=cast.school,
            body=f"第{number}封信",
            anonymous=True,
            submission_key=f"key-{number}",
        )
    with pytest.raises(ValidationError):
        services.letter_send(
            writer=cast.student,
            school=cast.school,
            body="再一封",
            anonymous=True,
            submission_key="key-x",
        )
    assert Letter.objects.count() == services.LETTERS_A_DAY


def test_guessing_pickup_codes_is_locked_after_ten_misses(cast):
    sent = send_letter(cast.student, body="想找人聊聊", anonymous=True)
    client = Client()
    for _ in range(services.PICKUP_TRIES):
        assert client.post(reverse("letters:pickup"), {"code": "AAAA-AAAA-AAAA"}).status_code == 400
    locked = client.post(reverse("letters:pickup"), {"code": sent.pickup_code})
    assert locked.status_code == 429
    assert "pickup" in locked.templates[0].name  # the page again, with the message on the field
    assert locked.context["form"].errors["code"]


def test_the_director_sees_letters_unanswered_after_a_week(cast, signed_in):
    old = send_letter(cast.student, body="上周的信", anonymous=True).letter
    Letter.objects.filter(pk=old.pk).update(
        sent_on=timezone.localdate() - datetime.timedelta(days=8)
    )
    send_letter(cast.student, body="今天的信", anonymous=True)
    flagged = send_letter(cast.student, body="我想死", anonymous=True).letter
    page = signed_in(cast.director).get(reverse("letters:letterbox") + "?shown=overdue")
    assert [letter.pk for letter in page.context["page"]] == [old.pk]
    queue = board_queue(cast.director)
    assert queue["unanswered"] == 3 and queue["overdue"] == 1
    assert [letter.pk for letter in queue["flagged"]] == [flagged.pk]
    assert board_queue(cast.class_teacher)["unanswered"] == 0
    board = signed_in(cast.director).get(reverse("crisis:board")).content.decode()
    assert 'data-testid="board-letters-overdue"' in board
    assert reverse("letters:detail", args=[flagged.pk]) in board


def test_a_flag_is_dismissed_with_a_reason_on_the_letter(cast, signed_in):
    letter = send_letter(cast.student, body="歌词：我想死在你怀里", anonymous=True).letter
    flag = PhraseFlag.objects.get()
    url = reverse("letters:flag_dismiss", args=[letter.pk, flag.pk])
    bad = signed_in(cast.counselor).post(url, {"reason": ""})
    assert bad.status_code == 400
    flag.refresh_from_db()
    assert flag.dismissed_at is None
    assert signed_in(cast.counselor).post(url, {"reason": "引用歌词"}).status_code == 302
    flag.refresh_from_db()
    assert flag.dismissed_at is not None and flag.alert.state == Alert.State.DISMISSED


def test_api_send_and_reply(cast, signed_in):
    client = signed_in(cast.student)
    sent = client.post(
        "/api/letters",
        {"body": "我不想活了", "anonymous": True, "submission_key": "api-key-0123456789"},
        content_type="application/json",
    )
    assert sent.status_code == 201
    code = sent.json()["pickup_code"]
    letter_id = sent.json()["id"]
    assert Alert.objects.get().risk_level == Alert.RiskLevel.CRISIS
    staff = signed_in(cast.counselor)
    listed = staff.get("/api/letters").json()
    assert [item["id"] for item in listed["items"]] == [letter_id]
    assert "body" not in listed["items"][0]
    replied = staff.post(
        f"/api/letters/{letter_id}/replies",
        {"body": "我们在这里。"},
        content_type="application/json",
    )
    assert replied.status_code == 201
    picked = Client().post(reverse("letters:pickup"), {"code": code})
    assert "我们在这里" in picked.content.decode()


def test_a_teachers_referral_that_says_a_danger_phrase_raises_an_alert(cast):
    from xinqiao.cases.models import Case
    from xinqiao.cases.services_intake import case_open

    case = case_open(
        actor=cast.class_teacher,
        student=cast.student_record,
        channel=Case.Channel.TEACHER_REFERRAL,
        problem="作文里写想死，最近上课总是发呆。",
        referred_by=cast.class_teacher,
    )
    alert = Alert.objects.get()
    assert alert.source == Alert.Source.TEACHER and alert.student == cast.student_record
    assert alert.risk_level == Alert.RiskLevel.CRISIS
    assert alert.source_id == str(case.pk)


def test_a_concern_taken_on_the_phone_that_says_a_danger_phrase_raises_an_alert(cast):
    from xinqiao.rooms.intake.services import intake_record, intake_to_alert
    from xinqiao.rooms.models import Intake

    intake = intake_record(
        actor=cast.duty,
        school=cast.school,
        channel=Intake.Channel.PHONE,
        caller_kind=Intake.CallerKind.GUARDIAN,
        concern="孩子说活着没意思，把自己关在房间里。",
        student=cast.student_record,
    )
    alert = Alert.objects.get()
    assert alert.source == Alert.Source.DUTY_PHONE and alert.risk_level == Alert.RiskLevel.HIGH
    intake.refresh_from_db()
    assert intake.outcome == Intake.Outcome.ALERT
    # The duty person's own "turn into an alert" finds the same alert.
    assert intake_to_alert(actor=cast.duty, intake=intake, risk_level="crisis") == alert


def test_the_directors_are_told_weekly_of_letters_waiting_more_than_a_week(cast):
    old = send_letter(cast.student, body="上周的信", anonymous=True).letter
    send_letter(cast.student, body="今天的信", anonymous=True)
    today = timezone.localdate()
    Letter.objects.filter(pk=old.pk).update(sent_on=today - datetime.timedelta(days=8))
    assert services.overdue_letters_remind(today=today) == 1
    notice = Notification.objects.get(recipient=cast.director)
    assert notice.title == "1 封来信超过一周未回复"
    assert notice.url == reverse("letters:letterbox") + "?shown=overdue"
    assert services.overdue_letters_remind(today=today) == 0  # once a week
    assert not Notification.objects.filter(recipient=cast.counselor).exists()


@pytest.mark.parametrize("letters", [2, 12])
def test_the_letterbox_and_a_letter_cost_the_same_queries_however_many_letters(
    cast, client, django_assert_max_num_queries, letters
):
    for number in range(letters):
        send_letter(cast.student, body=f"第{number}封信", anonymous=number % 2 == 0)
    sign_in(client, cast.director)
    client.get(reverse("letters:letterbox"))
    with django_assert_max_num_queries(6):
        assert client.get(reverse("letters:letterbox") + "?shown=all").status_code == 200
    letter = Letter.objects.first()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("letters:detail", args=[letter.pk])).status_code == 200


def test_a_case_opened_from_a_checked_intake_raises_no_second_alert(cast):
    from xinqiao.cases.models import Case
    from xinqiao.cases.services_intake import case_open
    from xinqiao.rooms.intake.services import intake_record
    from xinqiao.rooms.models import Intake

    intake = intake_record(
        actor=cast.duty,
        school=cast.school,
        channel=Intake.Channel.PHONE,
        caller_kind=Intake.CallerKind.STUDENT,
        concern="我想死",
        student=cast.student_record,
    )
    case_open(
        actor=cast.counselor,
        student=cast.student_record,
        channel=Case.Channel.DUTY_PHONE,
        problem=intake.concern,
        source_object=intake,
    )
    assert Alert.objects.count() == 1
