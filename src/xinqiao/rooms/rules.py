"""Who may do what with rooms, the duty roster, leave, duty logs, intake and appointments.

Seed 000: duty staff answer calls, register appointments and keep the day's duty record; leave
is approved by the room's head (the director); duty staff never read stored material. The
supervision group (DESIGN.md) checks that records exist and are complete, never their
confidential content.

Object rules resolve the school of any rooms object through core/rules.py (a leave request or a
duty log through its shift, an opening period through its room: ``school_parent`` on the model),
so a role counts only in the object's school.
"""

from __future__ import annotations

import rules

from xinqiao.core.roles import INSTALLATION_ROLES, PUPIL_AND_FAMILY_ROLES, Role
from xinqiao.core.rules import has_role, is_admin, is_director
from xinqiao.rooms.models import DUTY_HOLDER_ROLES

# Roles held by the school's own staff (not pupils, families, or installation-wide roles).
SCHOOL_STAFF_ROLES = frozenset(
    role.value
    for role in Role
    if role.value not in PUPIL_AND_FAMILY_ROLES and role.value not in INSTALLATION_ROLES
)


@rules.predicate
def holds_the_shift(user, shift=None) -> bool:
    """Without a shift: nothing to hold yet (the role rule decides); with one: it is theirs."""
    return shift is None or (shift.user_id is not None and shift.user_id == user.pk)


@rules.predicate
def wrote_the_log(user, log=None) -> bool:
    return log is not None and log.written_by_id == user.pk


@rules.predicate
def received_the_intake(user, intake=None) -> bool:
    """Without an intake: the role rule decides; with one: the user recorded it."""
    return intake is None or intake.received_by_id == user.pk


is_supervisor = has_role(Role.SUPERVISOR)
duty_holder = has_role(*DUTY_HOLDER_ROLES)
counseling_side = has_role(Role.DIRECTOR, Role.COUNSELOR)
school_staff = has_role(*SCHOOL_STAFF_ROLES)

# --- rooms and opening hours --------------------------------------------------------------------
rules.add_perm("rooms.view_rooms", is_admin | school_staff)
rules.add_perm("rooms.manage_rooms", is_admin | is_director)

# --- the duty roster ----------------------------------------------------------------------------
rules.add_perm("rooms.manage_roster", is_director)
# The published roster (page, .xlsx for the door, the API's shift list) for those on it.
rules.add_perm("rooms.view_roster", duty_holder)
rules.add_perm("rooms.view_own_duties", duty_holder)

# --- leave (seed 000: approved by the room's head before it takes effect) -----------------------
rules.add_perm("rooms.request_leave", duty_holder & holds_the_shift)
rules.add_perm("rooms.decide_leave", is_director)

# --- the duty log (值班记录) ---------------------------------------------------------------------
rules.add_perm("rooms.write_duty_log", duty_holder & holds_the_shift)
# Lists of logs and of missing logs: the director, and the supervision group (completeness).
rules.add_perm("rooms.view_duty_logs", is_director | is_supervisor)
# One log: those who see the lists, and the person who wrote it.
rules.add_perm("rooms.view_duty_log", is_director | is_supervisor | wrote_the_log)
# The encrypted "anything unusual" text: the director only (not the supervisor, not the writer
# once stored: seed 000 forbids duty staff to read stored material).
rules.add_perm("rooms.view_duty_log_unusual", is_director)

# --- intake and appointments (names fixed here; the views live in the appointments area) --------
rules.add_perm("rooms.record_intake", duty_holder)
intake_reader = counseling_side | (has_role(Role.DUTY) & received_the_intake)
rules.add_perm("rooms.view_intakes", intake_reader)
# Booking the caller of one intake or raising its alert: a duty holder who may read it.
rules.add_perm("rooms.act_on_intake", intake_reader & duty_holder)
rules.add_perm("rooms.book_for_others", duty_holder)
rules.add_perm("rooms.book_own", has_role(Role.STUDENT))
rules.add_perm("rooms.view_slots", has_role(Role.STUDENT, *DUTY_HOLDER_ROLES))
rules.add_perm("rooms.manage_slots", counseling_side)
rules.add_perm("rooms.view_calendar", counseling_side)
rules.add_perm("rooms.check_in", duty_holder)

# appointments
# (The appointments engineer adds further predicates and permissions below this line.
#  rooms.view_roster is defined in the roster section above.)


@rules.predicate
def is_the_booked_person(user, appointment=None) -> bool:
    """The appointment is for the user (the student, or a guardian about their child) or the
    user booked it."""
    if appointment is None:
        return False
    if appointment.booked_by_id == user.pk:
        return True
    student = appointment.student
    if student is None:
        return False
    if appointment.for_kind == "student":
        return student.user_id == user.pk
    if appointment.for_kind == "guardian":
        return student.guardian_links.filter(guardian__user_id=user.pk).exists()
    return False


@rules.predicate
def offers_the_slot(user, slot=None) -> bool:
    return slot is not None and slot.counselor_id == user.pk


# Booking a slot: a student for themself, the duty holders for someone else.
rules.add_perm("rooms.book_appointment", has_role(Role.STUDENT) | duty_holder)
# The school's appointment book (registration at the door, check-in).
rules.add_perm("rooms.view_appointments", duty_holder)
# Cancel or move a booking: the person it is for (or who booked it), and the duty holders.
rules.add_perm("rooms.change_appointment", duty_holder | is_the_booked_person)
# Withdraw a published slot: the counselor who offers it, or the director.
rules.add_perm("rooms.withdraw_slot", is_director | (counseling_side & offers_the_slot))
