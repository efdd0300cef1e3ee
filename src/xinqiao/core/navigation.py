"""The navigation: each role sees only what it may use (the same rules.py permissions).

The menu is computed on every page, so it must cost next to nothing: which entries a person
sees depends on their roles alone (every menu permission is an object-less rules.py predicate on
roles), so the entries are worked out once per process for each set of roles and reused; a
request only marks the entry of the page it is on. The predicates are asked about a stand-in
that holds the roles and nothing else (``RoleSet``): a menu permission that looked at anything
more would fail loudly instead of being cached wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import rules
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinqiao.core import two_factor
from xinqiao.core.models import User

#: The menu's sections, in order. A person with more than FLAT_MENU_LIMIT entries sees them by
#: section (a drop-down each); with fewer, one plain row.
NAV_GROUPS = {
    "school": _("Classes and network"),
    "room": _("Counseling room"),
    "cases": _("Case work"),
    "screening": _("Screening"),
    "privacy": _("Confidentiality"),
    "admin": _("Administration"),
}
FLAT_MENU_LIMIT = 7


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None  # None: every fully signed-in person
    group: str | None = None  # a key of NAV_GROUPS; None: always on the row itself


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home", None),
    NavItem(_("Classes"), "people:class_list", "people.view_class_list", "school"),
    NavItem(_("Students"), "people:student_list", "people.view_student_list", "school"),
    NavItem(_("Work network"), "people:network", "people.view_network", "school"),
    NavItem(_("Weekly report"), "crisis:report_mine", "crisis.write_weekly_report"),
    NavItem(_("Weekly reports"), "crisis:report_list", "crisis.view_weekly_report_list", "school"),
    NavItem(_("Weekly summary"), "crisis:report_summary", "crisis.view_weekly_summary", "school"),
    NavItem(_("Book an appointment"), "rooms:booking_start", "rooms.book_own", "room"),
    NavItem(_("My bookings"), "rooms:my_bookings", "rooms.book_own", "room"),
    NavItem(_("Record a call or visit"), "rooms:intake_create", "rooms.record_intake", "room"),
    NavItem(_("Intakes"), "rooms:intake_list", "rooms.view_intakes", "room"),
    NavItem(_("Appointments"), "rooms:appointment_list", "rooms.view_appointments", "room"),
    NavItem(_("My calendar"), "rooms:appointment_calendar", "rooms.view_calendar", "room"),
    NavItem(_("Appointment slots"), "rooms:slot_list", "rooms.manage_slots", "room"),
    NavItem(_("Rooms"), "rooms:room_list", "rooms.view_rooms", "room"),
    NavItem(_("Duty roster"), "rooms:roster", "rooms.view_roster", "room"),
    NavItem(_("My duties"), "rooms:my_duties", "rooms.view_own_duties", "room"),
    NavItem(_("Leave requests"), "rooms:leave_list", "rooms.request_leave", "room"),
    NavItem(_("Duty logs"), "rooms:duty_log_list", "rooms.view_duty_logs", "room"),
    NavItem(_("Write a letter"), "letters:write", "letters.send_letter", "room"),
    NavItem(_("My letters"), "letters:mine", "letters.send_letter", "room"),
    NavItem(
        _("My questionnaires"),
        "screening:my_questionnaires",
        "screening.take_questionnaires",
        "screening",
    ),
    NavItem(
        _("My children's questionnaires"),
        "screening:child_notices",
        "screening.view_child_notices",
        "screening",
    ),
    NavItem(
        _("Screening campaigns"),
        "screening:campaign_list",
        "screening.view_completion",
        "screening",
    ),
    NavItem(
        _("Screening follow-ups"),
        "screening:follow_up_list",
        "screening.view_follow_ups",
        "screening",
    ),
    NavItem(_("Screening reports"), "screening:reports", "screening.view_reports", "screening"),
    NavItem(_("Scale library"), "screening:scale_list", "screening.view_scales", "screening"),
    NavItem(_("Crisis board"), "crisis:board", "crisis.view_board", "cases"),
    NavItem(_("Alerts"), "crisis:alert_list", "crisis.view_alert", "cases"),
    NavItem(_("Asked of me"), "crisis:my_instructions", "crisis.view_instructions", "cases"),
    NavItem(_("Cases"), "cases:case_list", "cases.view_case_list", "cases"),
    NavItem(_("Referrals"), "cases:referral_list", "cases.view_case_list", "cases"),
    NavItem(
        _("Worried-about classmates"), "crisis:worried_list", "crisis.view_worry_list", "cases"
    ),
    NavItem(_("Letterbox"), "letters:letterbox", "letters.view_letterbox", "cases"),
    NavItem(_("Danger phrases"), "crisis:phrases", "crisis.edit_phrases", "cases"),
    NavItem(_("Archive"), "cases:archive", "cases.view_archive", "cases"),
    NavItem(_("Typical cases"), "cases:typical_list", "cases.view_typical_cases", "cases"),
    NavItem(_("Outside services"), "cases:service_list", "cases.view_services", "cases"),
    NavItem(_("Case statistics"), "cases:statistics", "cases.view_statistics", "cases"),
    NavItem(
        _("Emergency access to a student's file"),
        "crisis:emergency_access_open",
        "crisis.open_emergency_access",
        "cases",
    ),
    NavItem(
        _("Emergency accesses to review"),
        "crisis:emergency_access_review_list",
        "crisis.review_emergency_access",
        "cases",
    ),
    NavItem(_("Disclosure register"), "crisis:disclosure_list", "crisis.view_disclosures", "cases"),
    NavItem(_("Access log"), "privacy:log", "privacy.view_access_log", "privacy"),
    NavItem(_("Flags to review"), "privacy:flag_list", "privacy.view_access_flags", "privacy"),
    NavItem(_("Refer a student"), "cases:refer_student", "cases.refer_student", "cases"),
    NavItem(_("Raise a concern"), "cases:raise_concern", "cases.raise_concern", "cases"),
    # Where a guardian lands after raising a concern (issue 17): it has a menu entry of its own.
    NavItem(_("Concerns I raised"), "cases:my_referrals", "cases.raise_concern", "cases"),
    NavItem(_("Support tasks"), "cases:my_tasks", "cases.view_own_tasks", "cases"),
    # Access grants (issue 16 item 1): staff ask, the director decides.
    NavItem(_("Ask for access"), "cases:grant_request", "cases.request_access", "privacy"),
    NavItem(_("My access requests"), "cases:grant_mine", "cases.request_access", "privacy"),
    NavItem(_("Access grants"), "cases:grant_list", "cases.decide_grants", "privacy"),
    NavItem(_("Retention review"), "core:retention", "core.review_retention", "cases"),
    NavItem(
        _("Research exports"), "reports:research_list", "reports.make_research_export", "privacy"
    ),
    NavItem(_("Roster import"), "people:roster_import", "people.import_roster", "admin"),
    NavItem(_("Accounts"), "people:account_issue", "people.issue_accounts", "admin"),
    NavItem(_("Schools"), "people:school_list", "people.view_school_list", "admin"),
    NavItem(_("Locked accounts"), "core:lockouts", "core.unlock_account", "admin"),
    NavItem(_("Security events"), "core:security_events", "core.view_security_events", "admin"),
    NavItem(_("Backups"), "core:backups", "core.manage_backups", "admin"),
    NavItem(
        _("Outside channels"), "core:delivery_channels", "core.manage_delivery_channels", "admin"
    ),
    NavItem(_("Notices sent outside"), "core:deliveries", "core.view_deliveries", "admin"),
    # Issue 16 item 4: a guardian's request for their child's records (rights app).
    NavItem(_("Ask for your child's records"), "rights:ask", "rights.ask", "privacy"),
    NavItem(_("My record requests"), "rights:mine", "rights.ask", "privacy"),
    NavItem(
        _("Guardians' record requests"),
        "rights:request_list",
        "rights.view_request_list",
        "privacy",
    ),
]


class RoleSet:
    """A person as the menu's permissions see them: signed in, active or not, and their roles.

    ``has_role`` and ``is_pupil_or_family`` are User's own; asking for a role in one school (or
    for anything else a User has) fails, because the menu is decided without an object.
    """

    is_authenticated = True
    is_anonymous = False
    has_role = User.has_role
    is_pupil_or_family = User.is_pupil_or_family

    def __init__(self, roles: frozenset[str], is_active: bool) -> None:
        self.roles = roles
        self.is_active = is_active


@lru_cache(maxsize=512)
def _entries_for(
    roles: frozenset[str], is_active: bool, everything: bool, urlconf, script_prefix: str
) -> tuple[dict, ...]:
    """The entries of one set of roles (all of them for ``everything``), with their URLs."""
    person = RoleSet(roles, is_active)
    entries = []
    for item in NAV_ITEMS:
        if item.permission is None or everything or rules.has_perm(item.permission, person):
            try:
                url = reverse(item.url_name, urlconf=urlconf)
            except NoReverseMatch:  # an app that is not installed; tests check every entry
                continue
            entries.append({"label": item.label, "url": url, "group": item.group})
    return tuple(entries)


def navigation_for(request) -> list[dict]:
    """The entries ``request.user`` may use, in menu order (none before the second factor)."""
    user = getattr(request, "user", None)
    if user is None or not two_factor.is_fully_signed_in(request):
        return []
    # An active superuser has every permission (as User.has_perm says); there is none in use.
    everything = user.is_active and user.is_superuser
    entries = _entries_for(
        user.roles, user.is_active, everything, get_urlconf(), get_script_prefix()
    )
    current = request.path
    return [{**entry, "active": entry["url"] == current} for entry in entries]


def menu_sections(items: list[dict]) -> list[dict]:
    """The wide menu's row: entries without a section, then one drop-down per section.

    Few entries (a student's, a class teacher's) stay one plain row; a section holding a single
    entry shows that entry itself.
    """
    if len(items) <= FLAT_MENU_LIMIT:
        return [{"item": item} for item in items]
    row = [{"item": item} for item in items if item["group"] is None]
    for key, label in NAV_GROUPS.items():
        entries = [item for item in items if item["group"] == key]
        if len(entries) == 1:
            row.append({"item": entries[0]})
        elif entries:
            active = any(item["active"] for item in entries)
            row.append({"key": key, "label": label, "entries": entries, "active": active})
    return row
