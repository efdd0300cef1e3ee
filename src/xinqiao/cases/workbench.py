"""The cases app's workbench tiles (core/workbench.py): each counts what its list shows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xinqiao.cases.access import cases_referred_by, measures_asked_of
from xinqiao.cases.models import AccessGrant, Case
from xinqiao.cases.selectors_stats import default_semester, headline_counts, service_figures
from xinqiao.cases.services_grants import grants_to_decide
from xinqiao.core.home_links import register_role_link
from xinqiao.core.roles import Role
from xinqiao.core.workbench import Tile, once_a_page, register_tile
from xinqiao.people.models import School

REFERRERS = (
    Role.CLASS_TEACHER,
    Role.GRADE_LEADER,
    Role.STUDENT_AFFAIRS,
    Role.PRINCIPAL,
    Role.VICE_PRINCIPAL,
)


def awaiting_approval(user, school_id) -> int:
    cases = Case.objects.for_user(user).filter(school_id=school_id)
    return cases.awaiting_approval().count()


def grants_waiting(user, school_id) -> int:
    return (
        grants_to_decide(user)
        .filter(school_id=school_id, state=AccessGrant.State.REQUESTED)
        .count()
    )


def my_open_cases(user, school_id) -> int:
    cases = Case.objects.for_user(user).open().filter(school_id=school_id)
    return cases.filter(counselors__user=user).count()


def my_grants_in_force(user, school_id) -> int:
    return AccessGrant.objects.for_user(user).held_by(user).count()


def _headline(user, school_id) -> dict[str, int]:
    return once_a_page(user, ("headline", school_id), lambda: headline_counts(school_id))


def _service(user, school_id):
    """The semester's figures for leadership's tiles; None when the school has no semester yet."""

    def figures():
        semester = default_semester(School.objects.get(pk=school_id))
        return service_figures(school_id, semester) if semester else None

    return once_a_page(user, ("service", school_id), figures)


def _figure(read):
    """A tile's count from the semester's figures (None, shown as "–", without a semester)."""

    def count(user, school_id):
        figures = _service(user, school_id)
        return None if figures is None else read(figures)

    return count


def register() -> None:
    register_role_link(Role.GUARDIAN, _("Raise a concern"), "cases:raise_concern")
    for role in REFERRERS:
        register_role_link(role, _("Refer a student"), "cases:refer_student")
    # The statistics page's headline figures: the director acts on them; leadership sees the
    # school's totals there too (never which cases).
    for key, title, icon, roles, order in (
        ("unassigned", _("Open cases without a counselor"), "user", [Role.DIRECTOR], 15),
        ("overdue", _("Overdue reviews and follow-ups"), "hourglass", [Role.DIRECTOR], 25),
        (
            "open_cases",
            _("Open cases in the school"),
            "chart-column",
            [Role.PRINCIPAL, Role.VICE_PRINCIPAL],
            5,
        ),
    ):
        register_tile(
            roles,
            Tile(
                key,
                title,
                icon,
                "cases:statistics",
                lambda user, school_id, key=key: _headline(user, school_id)[key],
                order=order,
            ),
        )
    # Leadership's semester figures (issue 17): figures to watch, not things waiting.
    for key, title, icon, read, order in (
        ("consultations", _("Consultations this semester"), "messages-square",
         lambda f: f.consultations, 6),
        ("room_hours", _("Counseling room hours this week (standard 10)"), "clock",
         lambda f: f.room.hours_this_week, 7),
        ("alerts_semester", _("Crisis alerts this semester"), "siren",
         lambda f: f.alerts.raised, 8),
        ("alert_response", _("Minutes to answer an alert (median)"), "timer",
         lambda f: f.alerts.median_minutes, 9),
    ):  # fmt: skip
        register_tile(
            [Role.PRINCIPAL, Role.VICE_PRINCIPAL],
            Tile(key, title, icon, "cases:statistics", _figure(read), order=order, figure=True),
        )
    register_tile(
        [Role.DIRECTOR],
        Tile(
            "cases_awaiting_approval",
            _("Plans and closures to approve"),
            "clipboard-list",
            "cases:case_list",
            awaiting_approval,
            order=10,
            query="state=awaiting_approval",
        ),
    )
    register_tile(
        [Role.DIRECTOR],
        Tile(
            "grants_waiting",
            _("Access requests to decide"),
            "key-round",
            "cases:grant_list",
            grants_waiting,
            order=20,
        ),
    )
    register_tile(
        [Role.COUNSELOR],
        Tile(
            "my_open_cases",
            _("My open cases"),
            "heart-handshake",
            "cases:case_list",
            my_open_cases,
            order=10,
            query="mine=1",
        ),
    )
    register_tile(
        [Role.DUTY],
        Tile(
            "my_grants",
            _("Access grants in force"),
            "key-round",
            "cases:grant_mine",
            my_grants_in_force,
            order=30,
            live=True,
        ),
    )
    register_tile(
        [*REFERRERS, Role.COUNSELOR],
        Tile(
            "measures_asked",
            _("Support tasks asked of me"),
            "list-todo",
            "cases:my_tasks",
            lambda user, school_id: measures_asked_of(user).count(),
            order=20,
        ),
    )
    for roles, title in (
        (REFERRERS, _("Students I referred")),
        ([Role.GUARDIAN], _("Concerns I raised")),
    ):
        register_tile(
            roles,
            Tile(
                "my_referrals",
                title,
                "user-check",
                "cases:my_referrals",
                lambda user, school_id: cases_referred_by(user).count(),
                order=30,
            ),
        )
