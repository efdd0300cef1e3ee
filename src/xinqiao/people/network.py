"""Reads of the school's mental-health work network (002_714d38c47455f8e7.txt).

The network has three levels (school, grade or department, class) and a fourth, the
dormitories, in schools that have them (002: 四级联动体系). ``network_for_school`` builds the
whole tree of one school in a fixed handful of queries, whatever the number of classes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from xinqiao.core.models import User
from xinqiao.core.roles import INSTALLATION_ROLES, PUPIL_AND_FAMILY_ROLES, Role
from xinqiao.people.models import (
    Dormitory,
    Grade,
    RoleAssignment,
    School,
    SchoolClass,
    Semester,
    WorkGroup,
    WorkGroupMember,
)

# The posts the tree shows, and the roles a school's staff hold (anyone but pupils and families).
NETWORK_ROLES = (
    Role.DIRECTOR,
    Role.COUNSELOR,
    Role.GRADE_LEADER,
    Role.CLASS_TEACHER,
    Role.COMMITTEE_MEMBER,
    Role.DORM_LIAISON,
)
STAFF_ROLES = tuple(
    role.value
    for role in Role
    if role not in PUPIL_AND_FAMILY_ROLES and role not in INSTALLATION_ROLES
)
POSITION_ORDER = {
    WorkGroupMember.Position.LEADER: 0,
    WorkGroupMember.Position.DEPUTY: 1,
    WorkGroupMember.Position.MEMBER: 2,
}


@dataclass(frozen=True)
class Holder:
    """A person holding a post, as the tree names them."""

    user_id: int
    name: str


@dataclass
class GroupNode:
    group: WorkGroup
    leaders: list[Holder] = field(default_factory=list)
    deputies: list[Holder] = field(default_factory=list)
    members: list[Holder] = field(default_factory=list)
    sub_groups: list[GroupNode] = field(default_factory=list)

    @property
    def empty_posts(self) -> int:
        return (0 if self.leaders else 1) + sum(g.empty_posts for g in self.sub_groups)


@dataclass
class ClassNode:
    school_class: SchoolClass
    class_teachers: list[Holder] = field(default_factory=list)
    committee_members: list[Holder] = field(default_factory=list)

    @property
    def empty_posts(self) -> int:
        return (0 if self.class_teachers else 1) + (0 if self.committee_members else 1)


@dataclass
class GradeNode:
    grade: Grade
    leaders: list[Holder] = field(default_factory=list)
    classes: list[ClassNode] = field(default_factory=list)

    @property
    def empty_posts(self) -> int:
        return (0 if self.leaders else 1) + sum(c.empty_posts for c in self.classes)


@dataclass
class DormNode:
    dormitory: Dormitory
    liaisons: list[Holder] = field(default_factory=list)

    @property
    def empty_posts(self) -> int:
        return 0 if self.liaisons else 1


@dataclass
class BuildingNode:
    name: str
    dormitories: list[DormNode]

    @property
    def empty_posts(self) -> int:
        return sum(d.empty_posts for d in self.dormitories)


@dataclass
class Network:
    school: School
    semester: Semester | None
    leadership: GroupNode | None
    # Working groups not under the leadership group (the model allows them).
    other_groups: list[GroupNode]
    directors: list[Holder]
    counselors: list[Holder]
    grades: list[GradeNode]
    dormitories: list[DormNode]

    @property
    def levels(self) -> int:
        """3 (school, grade, class), or 4 when the school has dormitories (002)."""
        return 4 if self.dormitories else 3

    @property
    def buildings(self) -> list[BuildingNode]:
        """The dormitories by building, in their order."""
        buildings: dict[str, BuildingNode] = {}
        for node in self.dormitories:
            building = node.dormitory.building
            buildings.setdefault(building, BuildingNode(name=building, dormitories=[]))
            buildings[building].dormitories.append(node)
        return list(buildings.values())

    @property
    def school_empty_posts(self) -> int:
        # A missing leadership group counts as its missing head (组长).
        leadership = self.leadership.empty_posts if self.leadership else 1
        groups = sum(g.empty_posts for g in self.other_groups)
        return leadership + groups + (0 if self.directors else 1)

    @property
    def empty_posts(self) -> int:
        return (
            self.school_empty_posts
            + sum(g.empty_posts for g in self.grades)
            + sum(d.empty_posts for d in self.dormitories)
        )


def _holder(user: User) -> Holder:
    return Holder(user_id=user.pk, name=user.display_name)


def _unique(holders: list[Holder]) -> list[Holder]:
    seen: set[int] = set()
    result = []
    for holder in holders:
        if holder.user_id not in seen:
            seen.add(holder.user_id)
            result.append(holder)
    return result


def posts_q(semester: Semester | None) -> Q:
    """Posts of ``semester`` plus standing ones (no semester); standing only without one."""
    if semester is None:
        return Q(semester__isnull=True)
    return Q(semester=semester) | Q(semester__isnull=True)


def _group_nodes(school: School) -> tuple[GroupNode | None, list[GroupNode]]:
    members = WorkGroupMember.objects.select_related("user")
    groups = list(
        WorkGroup.objects.filter(school=school)
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("kind", "name", "pk")
    )
    nodes: dict[int, GroupNode] = {}
    for group in groups:
        node = GroupNode(group=group)
        ordered = sorted(
            group.members.all(), key=lambda m: (POSITION_ORDER[m.position], m.user.display_name)
        )
        for member in ordered:
            bucket = {
                WorkGroupMember.Position.LEADER: node.leaders,
                WorkGroupMember.Position.DEPUTY: node.deputies,
            }.get(member.position, node.members)
            bucket.append(_holder(member.user))
        nodes[group.pk] = node
    leadership = next(
        (n for n in nodes.values() if n.group.kind == WorkGroup.Kind.LEADERSHIP), None
    )
    others = []
    for node in nodes.values():
        if node.group.kind == WorkGroup.Kind.LEADERSHIP:
            continue
        if leadership is not None and node.group.parent_id == leadership.group.pk:
            leadership.sub_groups.append(node)
        else:
            others.append(node)
    return leadership, others


def network_for_school(*, school: School, semester: Semester | None) -> Network:
    """The whole network tree of ``school``: whoever holds each post in ``semester``.

    The organisation (grades, classes that have not graduated, dormitories) is today's; the
    semester picks which semester-bound posts are shown. Seven queries in all.
    """
    leadership, other_groups = _group_nodes(school)

    by_unit: dict[tuple[str, int | None], list[Holder]] = defaultdict(list)
    assignments = (
        RoleAssignment.objects.filter(school=school, role__in=NETWORK_ROLES)
        .filter(posts_q(semester))
        .select_related("user")
        .order_by("user__full_name", "user__username")
    )
    for a in assignments:
        unit = a.school_class_id or a.grade_id or a.dormitory_id
        by_unit[(a.role, unit)].append(_holder(a.user))

    grades = {
        grade.pk: GradeNode(grade=grade, leaders=_unique(by_unit[(Role.GRADE_LEADER, grade.pk)]))
        for grade in Grade.objects.filter(school=school).order_by("level")
    }
    classes = SchoolClass.objects.filter(school=school, graduated=False).order_by("number")
    for school_class in classes:
        grade_node = grades.get(school_class.grade_id)
        if grade_node is None:  # a class of another school's grade cannot exist; be safe
            continue
        school_class.grade = grade_node.grade  # no extra query for its name
        grade_node.classes.append(
            ClassNode(
                school_class=school_class,
                class_teachers=_unique(by_unit[(Role.CLASS_TEACHER, school_class.pk)]),
                committee_members=_unique(by_unit[(Role.COMMITTEE_MEMBER, school_class.pk)]),
            )
        )
    dormitories = [
        DormNode(dormitory=dorm, liaisons=_unique(by_unit[(Role.DORM_LIAISON, dorm.pk)]))
        for dorm in Dormitory.objects.filter(school=school).order_by("building", "room")
    ]
    return Network(
        school=school,
        semester=semester,
        leadership=leadership,
        other_groups=other_groups,
        directors=_unique(by_unit[(Role.DIRECTOR, None)]),
        counselors=_unique(by_unit[(Role.COUNSELOR, None)]),
        grades=list(grades.values()),
        dormitories=dormitories,
    )


# --- scope and lookups -------------------------------------------------------------------------
def _staff_school_ids(user) -> list[int]:
    return [
        school_id
        for school_id, roles in user.role_map.items()
        if school_id is not None and roles - PUPIL_AND_FAMILY_ROLES
    ]


def schools_for_network(user) -> QuerySet[School]:
    """The schools whose network ``user`` may see (STYLE.md 3: the school scope).

    Within ``School.objects.for_user``: every school for the administrator, the district's for
    a district center, otherwise the schools where the user holds a staff role (a teacher who
    is also a parent at another school sees only their own school's network).
    """
    schools = School.objects.for_user(user).order_by("name", "pk")
    if not getattr(user, "is_authenticated", False) or user.has_role(Role.ADMIN):
        return schools
    scope = Q(pk__in=_staff_school_ids(user))
    if user.has_role(Role.DISTRICT):
        scope |= Q(district_id__in=user.district_ids)
    return schools.filter(scope)


def semester_for_network(
    semesters: list[Semester], semester_id: str | int | None
) -> Semester | None:
    """The chosen one of a school's ``semesters``; the current one (else the latest) by default."""
    if semester_id not in (None, ""):
        chosen = next((s for s in semesters if str(s.pk) == str(semester_id)), None)
        if chosen is None:
            raise Http404
        return chosen
    return next((s for s in semesters if s.is_current), semesters[0] if semesters else None)


def has_several_network_schools(user) -> bool:
    """Whether to offer another school (no query: the role map is already loaded)."""
    if user.has_role(Role.ADMIN, Role.DISTRICT):
        return True
    return len(_staff_school_ids(user)) > 1


def leadership_group_of(school: School) -> WorkGroup | None:
    return (
        WorkGroup.objects.filter(school=school, kind=WorkGroup.Kind.LEADERSHIP)
        .order_by("pk")
        .first()
    )


def staff_users_of_school(school: School) -> QuerySet[User]:
    """People who may sit in a work group: a staff role in force at the school."""
    staff_ids = (
        RoleAssignment.objects.in_force()
        .filter(school=school, role__in=STAFF_ROLES)
        .values("user_id")
    )
    return User.objects.filter(pk__in=staff_ids).order_by("full_name", "username")


def group_members(group: WorkGroup) -> list[WorkGroupMember]:
    """Members of ``group``, the head first, then deputies, then members by name."""
    members = group.members.select_related("user")
    return sorted(members, key=lambda m: (POSITION_ORDER[m.position], m.user.display_name))


def post_holders(*, school: School, role: str) -> QuerySet[User]:
    """Who holds ``role`` at ``school`` now, each with their posts in force (``posts``)."""
    in_force = (
        RoleAssignment.objects.in_force()
        .filter(school=school, role=role)
        .select_related("school_class__grade", "grade", "dormitory")
        .order_by("grade__level", "school_class__grade__level", "school_class__number", "pk")
    )
    return (
        User.objects.filter(pk__in=in_force.values("user_id"))
        .prefetch_related(Prefetch("role_assignments", queryset=in_force, to_attr="posts"))
        .order_by("full_name", "username")
    )
