"""The work network (002): the tree of a school, the post duties, the leadership group."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import sign_in
from tests.factories import SchoolFactory, make_user
from tests.people.factories import (
    DormitoryFactory,
    SchoolClassFactory,
    SemesterFactory,
    WorkGroupFactory,
    WorkGroupMemberFactory,
    build_school,
    make_person,
)
from xinqiao.core.roles import Role
from xinqiao.people.duties import POST_DUTIES
from xinqiao.people.models import RoleAssignment, WorkGroup, WorkGroupMember
from xinqiao.people.network import network_for_school
from xinqiao.people.services_network import (
    work_group_create,
    work_group_member_add,
    work_group_member_remove,
)

pytestmark = pytest.mark.django_db

NETWORK = reverse("people:network")


def empty_posts_in(html: str) -> int:
    return html.count('data-testid="empty-post"')


def summary_count(html: str) -> int:
    return int(re.search(r'data-empty-posts="(\d+)"', html).group(1))


def class_node(html: str, class_pk: int) -> str:
    """The markup of one class of the tree."""
    start = html.index(f'data-class="{class_pk}"')
    ends = [html.find(marker, start + 1) for marker in ('data-testid="class-node"', "</details>")]
    return html[start : min(end for end in ends if end != -1)]


# --- the tree ---------------------------------------------------------------------------------
def test_the_network_shows_every_level_with_its_people(client):
    school = SchoolFactory(name="第三中学", code="school-three")
    built = build_school(school, grades=2, classes_per_grade=2, dormitories=2)
    WorkGroupMemberFactory(
        group=built["group"],
        user=make_person("vp", "王副校长", Role.VICE_PRINCIPAL, school=school),
        position="deputy",
    )
    working = WorkGroupFactory(
        school=school, name="心理咨询与辅导小组", kind="working", parent=built["group"]
    )
    WorkGroupMemberFactory(group=working, user=built["principal"], position="leader")
    make_person("c1", "赵老师", Role.COUNSELOR, school=school)
    sign_in(client, built["principal"])

    html = client.get(NETWORK).content.decode()

    for name in [
        "心理健康教育工作领导小组",
        "张校长",
        "王副校长",
        "心理咨询与辅导小组",
        "李主任",
        "赵老师",
        "七年级组长",
        "八年级组长",
        "班主任0-1",
        "心理委员1-2",
        "联络员1",
        "1号楼",
    ]:
        assert name in html, name
    assert 'data-levels="4"' in html
    assert summary_count(html) == 0
    assert empty_posts_in(html) == 0
    first_class = built["classes"][0]
    assert "班主任0-1" in class_node(html, first_class.pk)
    assert "心理委员0-1" in class_node(html, first_class.pk)


def test_an_empty_post_is_highlighted_and_counted(client):
    school = SchoolFactory(code="school-gaps")
    built = build_school(school, grades=1, classes_per_grade=2)
    second = built["classes"][1]
    RoleAssignment.objects.filter(school_class=second, role=Role.COMMITTEE_MEMBER).delete()
    sign_in(client, built["principal"])

    html = client.get(NETWORK).content.decode()

    assert summary_count(html) == 1
    assert empty_posts_in(html) == 1
    assert 'data-testid="empty-post"' in class_node(html, second.pk)
    assert 'data-testid="empty-post"' not in class_node(html, built["classes"][0].pk)
    assert 'data-levels="3"' in html  # no dormitory: the three-level network


def test_every_kind_of_empty_post_counts(cast):
    DormitoryFactory(school=cast.school)
    network = network_for_school(school=cast.school, semester=cast.semester)
    # No leadership group (its head), no grade leader for 七年级, no committee member for
    # 七年级1班, no liaison for the dormitory; the director and the class teacher are there.
    assert network.directors and network.grades[0].classes[0].class_teachers
    assert network.leadership is None
    assert network.empty_posts == 4
    assert network.levels == 4


def test_a_group_without_a_head_is_an_empty_post(cast):
    group = WorkGroupFactory(school=cast.school)
    WorkGroupMemberFactory(group=group, user=cast.vice_principal, position="deputy")
    network = network_for_school(school=cast.school, semester=cast.semester)
    assert [h.name for h in network.leadership.deputies] == [cast.vice_principal.display_name]
    assert network.leadership.empty_posts == 1


def test_the_tree_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    school = SchoolFactory(code="school-big")
    built = build_school(school, grades=3, classes_per_grade=8, dormitories=6)
    assert len(built["classes"]) == 24
    with django_assert_max_num_queries(7):
        network = network_for_school(school=school, semester=built["semester"])
        assert network.empty_posts == 0


def page_queries(client, django_assert_max_num_queries, classes_per_grade: int) -> int:
    school = SchoolFactory(code=f"school-{classes_per_grade}")
    built = build_school(school, grades=3, classes_per_grade=classes_per_grade, dormitories=6)
    sign_in(client, built["principal"])
    client.get(NETWORK)  # session and caches warmed up as for any later page
    # 16: the platform's own (session, user, roles, second-factor devices, menu permissions,
    # unread notifications) and eight for the school, its semesters and the tree.
    with django_assert_max_num_queries(16) as captured:
        response = client.get(NETWORK)
    assert response.status_code == 200
    assert f"班主任2-{classes_per_grade}" in response.content.decode()
    return len(captured)


def test_the_network_page_takes_as_many_queries_for_24_classes_as_for_48(
    client, django_assert_max_num_queries
):
    assert page_queries(client, django_assert_max_num_queries, 8) == page_queries(
        client, django_assert_max_num_queries, 16
    )


def test_another_semester_shows_the_posts_of_that_semester(client, cast):
    last_term = SemesterFactory(school=cast.school, school_year=2025, term=2, is_current=False)
    make_person(
        "old_teacher",
        "去年班主任",
        Role.CLASS_TEACHER,
        school=cast.school,
        semester=last_term,
        school_class=cast.school_class,
    )
    sign_in(client, cast.principal)
    now = client.get(NETWORK).content.decode()
    then = client.get(NETWORK, {"semester": last_term.pk}).content.decode()
    assert cast.class_teacher.display_name in class_node(now, cast.school_class.pk)
    assert "去年班主任" not in now
    assert "去年班主任" in class_node(then, cast.school_class.pk)
    assert cast.class_teacher.display_name not in class_node(then, cast.school_class.pk)


def test_graduated_classes_are_not_in_the_tree(client, cast):
    gone = SchoolClassFactory(
        school=cast.school, grade=cast.grade, number=9, cohort_year=2020, graduated=True
    )
    sign_in(client, cast.principal)
    assert f'data-class="{gone.pk}"' not in client.get(NETWORK).content.decode()


def test_a_network_of_another_school_is_not_found(client, cast):
    sign_in(client, cast.principal)
    assert client.get(NETWORK, {"school": cast.other_school.pk}).status_code == 404
    # A value that is no id is a bad request (core/params.py, issue 12 item 14).
    assert client.get(NETWORK, {"school": "x"}).status_code == 400
    foreign_term = SemesterFactory(school=cast.other_school)
    assert client.get(NETWORK, {"semester": foreign_term.pk}).status_code == 404
    assert client.get(NETWORK, {"semester": "x"}).status_code == 404


def test_an_admin_chooses_among_the_schools(client, cast):
    sign_in(client, cast.admin)
    choice = client.get(NETWORK)
    assert choice.context["page"].paginator.count == 2
    assert "第一中学" in choice.content.decode()
    chosen = client.get(NETWORK, {"school": cast.school.pk})
    assert chosen.context["network"].school == cast.school


def test_a_teacher_who_is_a_parent_elsewhere_sees_only_the_school_where_they_teach(client, cast):
    parent_role = RoleAssignment.objects.create(
        user=cast.class_teacher, role=Role.GUARDIAN, school=cast.other_school
    )
    assert parent_role.pk
    sign_in(client, cast.class_teacher)
    assert client.get(NETWORK).context["network"].school == cast.school
    assert client.get(NETWORK, {"school": cast.other_school.pk}).status_code == 404


@pytest.mark.parametrize("role", ["student", "guardian", "committee_member", "dorm_liaison"])
def test_pupils_and_families_do_not_see_the_network(client, cast, role):
    sign_in(client, getattr(cast, role))
    assert client.get(NETWORK).status_code == 403


# --- post duties ------------------------------------------------------------------------------
def test_every_role_has_its_duties_written_down():
    assert set(POST_DUTIES) == set(Role.values)
    assert all(POST_DUTIES[role] for role in Role.values)


@pytest.mark.parametrize("role", sorted(Role.values))
def test_the_duties_page_of_each_post(client, cast, role):
    sign_in(client, cast.counselor)
    response = client.get(reverse("people:post_duties", args=[role]))
    assert response.status_code == 200
    assert response.content.decode().count("<li>") >= len(POST_DUTIES[role])
    assert response.context["duties"] == POST_DUTIES[role]


def test_the_duties_page_names_who_holds_the_post(client, cast):
    sign_in(client, cast.principal)
    response = client.get(reverse("people:post_duties", args=["class_teacher"]))
    holders = response.context["holders"]
    assert [u.pk for u in holders] == [cast.class_teacher.pk]
    assert "七年级" in response.content.decode()


def test_a_student_reads_the_duties_but_not_who_holds_the_post(client, cast):
    sign_in(client, cast.student)
    response = client.get(reverse("people:post_duties", args=["counselor"]))
    assert response.status_code == 200
    assert response.context["holders"] is None
    assert cast.counselor.display_name not in response.content.decode()


def test_an_unknown_post_is_not_found(client, cast):
    sign_in(client, cast.principal)
    assert client.get(reverse("people:post_duties", args=["janitor"])).status_code == 404


def test_the_tree_links_each_post_to_its_duties(client, cast):
    sign_in(client, cast.principal)
    html = client.get(NETWORK).content.decode()
    duties_url = reverse("people:post_duties", args=["class_teacher"])
    assert f'href="{duties_url}?school={cast.school.pk}"' in html


# --- managing the leadership group ------------------------------------------------------------
def add_url(group: WorkGroup) -> str:
    return reverse("people:work_group_member_add", args=[group.pk])


def test_a_principal_adds_a_leadership_member(client, cast):
    group = WorkGroupFactory(school=cast.school)
    sign_in(client, cast.principal)
    response = client.post(add_url(group), {"user": cast.director.pk, "position": "member"})
    assert response.status_code == 302
    assert WorkGroupMember.objects.filter(group=group, user=cast.director).exists()
    entry = LogEntry.objects.get(content_type__model="workgroupmember", actor=cast.principal)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes["user"] == [None, cast.director.username]


def test_a_class_teacher_cannot_add_a_leadership_member(client, cast):
    group = WorkGroupFactory(school=cast.school)
    sign_in(client, cast.class_teacher)
    response = client.post(add_url(group), {"user": cast.director.pk, "position": "member"})
    assert response.status_code == 403
    assert not group.members.exists()


def test_a_principal_of_another_school_gets_not_found(client, cast):
    group = WorkGroupFactory(school=cast.school)
    other_principal = make_user("principal", school=cast.other_school, username="p2")
    sign_in(client, other_principal)
    response = client.post(add_url(group), {"user": cast.director.pk, "position": "member"})
    assert response.status_code == 404


def test_a_group_has_one_head_and_the_form_keeps_what_was_typed(client, cast):
    group = WorkGroupFactory(school=cast.school)
    WorkGroupMemberFactory(group=group, user=cast.principal, position="leader")
    sign_in(client, cast.principal)
    response = client.post(add_url(group), {"user": cast.vice_principal.pk, "position": "leader"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["position"]
    assert form["user"].value() == str(cast.vice_principal.pk)
    assert f'<option value="{cast.vice_principal.pk}" selected>' in response.content.decode()
    assert group.members.count() == 1


def test_a_person_sits_in_a_group_once(client, cast):
    group = WorkGroupFactory(school=cast.school)
    WorkGroupMemberFactory(group=group, user=cast.director, position="member")
    sign_in(client, cast.principal)
    response = client.post(add_url(group), {"user": cast.director.pk, "position": "deputy"})
    assert response.status_code == 200
    assert response.context["form"].errors["user"]
    assert group.members.get().position == "member"


@pytest.mark.parametrize("who", ["student", "guardian", "outsider"])
def test_only_the_schools_staff_can_join(client, cast, who):
    group = WorkGroupFactory(school=cast.school)
    sign_in(client, cast.principal)
    response = client.post(add_url(group), {"user": getattr(cast, who).pk, "position": "member"})
    assert response.status_code == 200
    assert response.context["form"].errors["user"]
    assert not group.members.exists()


def test_the_service_refuses_a_second_head(cast):
    group = WorkGroupFactory(school=cast.school)
    work_group_member_add(actor=cast.principal, group=group, user=cast.director, position="leader")
    with pytest.raises(ValidationError, match="本小组已有组长"):
        work_group_member_add(
            actor=cast.principal, group=group, user=cast.counselor, position="leader"
        )
    assert list(group.members.values_list("user__username", "position")) == [("director", "leader")]


def test_a_class_teacher_may_not_add_members_and_nothing_changes(client, cast):
    """The page decides who manages the groups (services trust their caller)."""
    group = WorkGroupFactory(school=cast.school)
    sign_in(client, cast.class_teacher)
    url = reverse("people:work_group_member_add", args=[group.pk])
    response = client.post(url, {"user": cast.counselor.pk, "position": "member"})
    assert response.status_code == 403
    assert not group.members.exists()


def test_a_vice_principal_removes_a_member(client, cast):
    group = WorkGroupFactory(school=cast.school)
    member = WorkGroupMemberFactory(group=group, user=cast.director, position="member")
    sign_in(client, cast.vice_principal)
    url = reverse("people:work_group_member_remove", args=[group.pk, member.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not group.members.exists()
    assert LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, actor=cast.vice_principal
    ).exists()


def test_the_leadership_group_is_set_up_once_then_working_groups_go_under_it(client, cast):
    sign_in(client, cast.principal)
    create = reverse("people:work_group_create", args=[cast.school.pk])
    assert client.post(create, {"name": "心理健康教育工作领导小组"}).status_code == 302
    leadership = WorkGroup.objects.get(school=cast.school)
    assert leadership.kind == WorkGroup.Kind.LEADERSHIP
    response = client.post(create, {"name": "心理健康教育课程开发小组", "remit": "编写教材"})
    assert response.status_code == 302
    working = WorkGroup.objects.get(name="心理健康教育课程开发小组")
    assert (working.kind, working.parent, working.remit) == ("working", leadership, "编写教材")
    again = client.post(create, {"name": "心理健康教育课程开发小组"})
    assert again.status_code == 200
    assert again.context["form"].errors["name"]
    assert again.context["form"]["name"].value() == "心理健康教育课程开发小组"
    blank = client.post(create, {"name": ""})
    assert blank.context["form"].errors["name"]
    assert WorkGroup.objects.filter(school=cast.school).count() == 2


def test_the_service_keeps_one_leadership_group_per_school(cast):
    work_group_create(actor=cast.principal, school=cast.school, name="领导小组", kind="leadership")
    with pytest.raises(ValidationError, match="本校已有领导小组"):
        work_group_create(
            actor=cast.principal, school=cast.school, name="另一个", kind="leadership"
        )
    other = WorkGroupFactory(school=cast.other_school)
    with pytest.raises(ValidationError, match="工作小组须隶属于本校的领导小组"):
        work_group_create(
            actor=cast.principal, school=cast.school, name="外校小组", kind="working", parent=other
        )
    assert list(WorkGroup.objects.filter(school=cast.school).values_list("name", flat=True)) == [
        "领导小组"
    ]


def test_a_working_group_needs_the_leadership_group_first(cast):
    with pytest.raises(ValidationError, match="请先成立领导小组"):
        work_group_create(actor=cast.principal, school=cast.school, name="宣传与培训小组")
    assert not WorkGroup.objects.filter(school=cast.school).exists()


def test_the_management_pages_show_the_groups(client, cast):
    group = WorkGroupFactory(school=cast.school)
    WorkGroupMemberFactory(group=group, user=cast.director, position="leader")
    sign_in(client, cast.principal)
    listing = client.get(reverse("people:work_groups", args=[cast.school.pk]))
    assert "心理健康教育工作领导小组" in listing.content.decode()
    searched = client.get(reverse("people:work_groups", args=[cast.school.pk]), {"q": "宣传"})
    assert searched.context["page"].paginator.count == 0
    detail = client.get(reverse("people:work_group_detail", args=[group.pk])).content.decode()
    assert cast.director.display_name in detail
    assert 'data-testid="empty-post"' not in detail
    work_group_member_remove(actor=cast.principal, member=group.members.get())
    detail = client.get(reverse("people:work_group_detail", args=[group.pk])).content.decode()
    assert 'data-testid="empty-post"' in detail


def test_the_network_page_offers_management_to_managers_only(client, cast):
    sign_in(client, cast.principal)
    assert 'data-testid="manage-groups"' in client.get(NETWORK).content.decode()
    sign_in(client, cast.director)
    assert 'data-testid="manage-groups"' not in client.get(NETWORK).content.decode()
