"""A principal opens the school's work network from the menu (002: the network and its posts)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.journeys import follow_menu_link, sign_in
from tests.factories import SchoolFactory, make_user
from tests.people.factories import GradeFactory, SchoolClassFactory, SemesterFactory, make_person
from xinqiao.core.roles import Role


def school_with_classes():
    """第一中学: 七年级1班 with its class teacher 王老师; 七年级2班 without one."""
    school = SchoolFactory(name="第一中学", code="e2e-network")
    semester = SemesterFactory(school=school)
    grade = GradeFactory(school=school, level=7)
    first = SchoolClassFactory(school=school, grade=grade, number=1)
    second = SchoolClassFactory(school=school, grade=grade, number=2)
    make_person(
        "wang",
        "王老师",
        Role.CLASS_TEACHER,
        school=school,
        semester=semester,
        school_class=first,
    )
    principal = make_user("principal", school=school)
    return principal, first, second


@pytest.mark.django_db(transaction=True)
def test_principal_opens_the_network_and_sees_class_teachers_and_an_empty_post(page):
    principal, first, second = school_with_classes()
    sign_in(page, principal.username)

    follow_menu_link(page, reverse("people:network"))

    expect(page).to_have_url(re.compile(r"/network/$"))
    expect(page.get_by_test_id("network-summary")).to_have_attribute("data-levels", "3")
    expect(page.get_by_test_id("empty-count")).to_be_visible()
    first_class = page.locator(f'[data-class="{first.pk}"]')
    expect(first_class.locator('[data-post="class_teacher"]')).to_contain_text("王老师")
    second_teacher = page.locator(f'[data-class="{second.pk}"] [data-post="class_teacher"]')
    expect(second_teacher.get_by_test_id("empty-post")).to_be_visible()

    # The post's name leads to its duties, with who holds it at the school.
    first_class.locator('[data-post="class_teacher"] a').click()
    expect(page).to_have_url(re.compile(r"/network/posts/class_teacher/"))
    expect(page.get_by_test_id("holder")).to_contain_text("王老师")


@pytest.mark.django_db(transaction=True)
def test_the_network_reads_on_a_phone(page):
    principal, first, _second = school_with_classes()
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, principal.username)

    page.locator(".nav-menu summary").click()
    page.locator(f'.nav-menu a[href="{reverse("people:network")}"]').click()

    expect(page.locator(f'[data-class="{first.pk}"]')).to_contain_text("王老师")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
