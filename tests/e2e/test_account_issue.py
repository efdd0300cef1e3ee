"""The administrator issues a class's accounts; a student signs in with the printed password."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.journeys import follow_menu_link
from tests.factories import TEST_PASSWORD, SchoolFactory, make_user
from tests.people.roster_factories import GradeFactory, SchoolClassFactory, StudentFactory
from xinqiao.core.models import User


def sign_in(page, username: str, password: str) -> None:
    page.goto(reverse("core:login"))
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.mark.django_db(transaction=True)
def test_admin_issues_a_class_and_a_student_signs_in_with_the_printed_password(page):
    school = SchoolFactory(name="第一中学", code="e2e-accounts")
    grade = GradeFactory(school=school, level=7)
    school_class = SchoolClassFactory(school=school, grade=grade, number=1)
    other_class = SchoolClassFactory(school=school, grade=grade, number=2)
    students = [StudentFactory(school_class=school_class, name=n) for n in ("张三", "李四")]
    StudentFactory(school_class=other_class, name="王五")
    make_user("admin")

    sign_in(page, "admin", TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    follow_menu_link(page, reverse("people:account_issue"))
    expect(page.get_by_test_id("account-classes")).to_be_visible()
    row = page.get_by_test_id(f"class-row-{school_class.pk}")
    expect(row.get_by_test_id("students-pending")).to_have_text("2")
    row.get_by_test_id(f"class-checkbox-{school_class.pk}").check()
    expect(page.get_by_test_id("kind-student")).to_be_checked()
    page.get_by_test_id("issue-submit").click()

    slips = page.get_by_test_id("slip")
    expect(slips).to_have_count(2)
    expect(page.get_by_test_id("slip-name")).to_have_text(["张三", "李四"])
    expect(page.get_by_test_id("print-button")).to_be_visible()
    slip = slips.filter(has_text="张三")
    username = slip.get_by_test_id("slip-username").inner_text().strip()
    password = slip.get_by_test_id("slip-password").inner_text().strip()
    assert username == students[0].user.username
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))

    sign_in(page, username, password)
    expect(page).to_have_url(re.compile(reverse("core:password_change") + "$"))
    page.locator("input[name=old_password]").fill(password)
    page.locator("input[name=new_password1]").fill("my-own-secret-42")
    page.locator("input[name=new_password2]").fill("my-own-secret-42")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("account-link")).to_have_text("张三")
    assert not User.objects.get(pk=students[0].user_id).must_change_password
    assert not User.objects.get(student_record__name="王五").is_active
