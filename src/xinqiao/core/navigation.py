"""The navigation: each role sees only what it may use (the same rules.py permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinqiao.core import two_factor


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None  # None: every fully signed-in person

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# Apps append their entries here from their AppConfig.ready().
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home", None),
    NavItem(_("Classes"), "people:class_list", "people.view_class_list"),
    NavItem(_("Students"), "people:student_list", "people.view_student_list"),
    NavItem(_("Work network"), "people:network", "people.view_network"),
    NavItem(_("Book an appointment"), "rooms:booking_start", "rooms.book_own"),
    NavItem(_("My bookings"), "rooms:my_bookings", "rooms.book_own"),
    NavItem(_("Record a call or visit"), "rooms:intake_create", "rooms.record_intake"),
    NavItem(_("Intakes"), "rooms:intake_list", "rooms.view_intakes"),
    NavItem(_("Appointments"), "rooms:appointment_list", "rooms.view_appointments"),
    NavItem(_("My calendar"), "rooms:appointment_calendar", "rooms.view_calendar"),
    NavItem(_("Appointment slots"), "rooms:slot_list", "rooms.manage_slots"),
    NavItem(_("Alerts"), "crisis:alert_list", "crisis.view_alert"),
    NavItem(_("Cases"), "cases:case_list", "cases.view_case_list"),
    NavItem(_("Referrals"), "cases:referral_list", "cases.view_case_list"),
    NavItem(_("Archive"), "cases:archive", "cases.view_archive"),
    NavItem(_("Typical cases"), "cases:typical_list", "cases.view_typical_cases"),
    NavItem(_("Outside services"), "cases:service_list", "cases.view_services"),
    NavItem(_("Case statistics"), "cases:statistics", "cases.view_statistics"),
    NavItem(_("Refer a student"), "cases:refer_student", "cases.refer_student"),
    NavItem(_("Raise a concern"), "cases:raise_concern", "cases.raise_concern"),
    NavItem(_("Support tasks"), "cases:my_tasks", "cases.view_own_tasks"),
    NavItem(_("Rooms"), "rooms:room_list", "rooms.view_rooms"),
    NavItem(_("Duty roster"), "rooms:roster", "rooms.view_roster"),
    NavItem(_("My duties"), "rooms:my_duties", "rooms.view_own_duties"),
    NavItem(_("Leave requests"), "rooms:leave_list", "rooms.request_leave"),
    NavItem(_("Duty logs"), "rooms:duty_log_list", "rooms.view_duty_logs"),
    NavItem(_("Roster import"), "people:roster_import", "people.import_roster"),
    NavItem(_("Accounts"), "people:account_issue", "people.issue_accounts"),
    NavItem(_("Schools"), "people:school_list", "people.view_school_list"),
    NavItem(_("Locked accounts"), "core:lockouts", "core.unlock_account"),
    NavItem(_("Security events"), "core:security_events", "core.view_security_events"),
]


def navigation_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not two_factor.is_fully_signed_in(request):
        return []
    current = request.path
    items = []
    for item in NAV_ITEMS:
        if item.permission is None or user.has_perm(item.permission):
            try:
                url = item.url
            except NoReverseMatch:  # an app that is not installed; tests check every entry
                continue
            items.append({"label": item.label, "url": url, "active": current == url})
    return items
