"""The demo school's rooms: 心理咨询室, 关爱室 and 团体辅导室 of 心桥实验学校, their opening hours,
the semester's duty roster with a few leaves and substitutes, the duty logs so far, appointment
slots and bookings around today, and a few calls and visits taken by the duty teacher.

Everything is placed relative to the day the demo is loaded ("today"): the four weeks before it
are the recent history (duty logs with a few late arrivals and two missing, leave already taken,
appointments kept, missed or cancelled, calls answered), the two weeks after it what is coming
(free slots, bookings, the weekly group, leave waiting for the director). When today lies after
the semester, the duty history is its last four weeks; before it begins, no duty is over yet, so
there are no duty logs and only the leave still ahead. A fixed random seed picks the students, counts
and notes, so loads on the same day give the same data.

What happens now goes through the services a user's action calls: rooms, opening hours, the
weekly plan, generating and publishing the roster, leave, slots, bookings, intake and the alert.
Those services rightly refuse to back-date anything, so the history is written directly, as the
services would have left it and with its real dates, in a few bulk inserts.

Only issued (active) accounts can hold shifts or offer slots (``duty_staff_of`` in
roster/selectors.py), and the people demo issues one account per role: the roster is therefore
held by 赵国庆 (``duty``), 刘思远 (``counselor``) and 陈静怡 (``director``), which is also what a
visitor signs in as.
"""

from __future__ import annotations

from xinqiao.core.demo import DemoContext
from xinqiao.rooms.demo.builder import Builder


def build(context: DemoContext) -> None:
    builder = Builder(context)
    builder.rooms()
    builder.roster()
    builder.leaves()
    builder.past_intakes()
    builder.duty_logs()
    builder.appointments()
    builder.intakes()
    context.objects.update(rooms=list(builder.rooms_by_name.values()))
