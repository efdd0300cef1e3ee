"""Intake from every channel: a counselor's new intake (from a duty call or visit, or after an
appointment), a teacher's referral and a guardian's concern, and what the referrer may know
afterwards (seed 003 受理). A referrer starts a case, never reads it (DESIGN.md principle 1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xinqiao.cases import forms, services_intake
from xinqiao.cases.access import cases_referred_by, refuse_unless
from xinqiao.cases.models import (
    Case,
)
from xinqiao.core.decorators import permission_required
from xinqiao.core.params import query_id
from xinqiao.core.views.common import form_page
from xinqiao.people.models import Student
from xinqiao.people.selectors import school_of
from xinqiao.rooms.access import get_appointment, get_intake
from xinqiao.rooms.appointments.services import topic_label
from xinqiao.rooms.models import Appointment


@permission_required("cases.open_case")
def case_open(request):
    """A new intake; from the duty person's call or visit (``?intake=``) it starts filled in."""
    school = school_of(request.user)
    duty_intake = None
    intake_id = query_id(request, "intake")
    if intake_id is not None:
        duty_intake = get_intake(request, intake_id)
        school = duty_intake.school
    initial = {}
    if duty_intake is not None:
        initial = {
            "student_number": getattr(duty_intake.student, "student_number", ""),
            "channel": Case.Channel.DUTY_PHONE,
            "brought_by": " · ".join(
                filter(None, [duty_intake.get_caller_kind_display(), duty_intake.caller_name])
            ),
            "problem": duty_intake.concern,
            "urgency": duty_intake.urgency,
        }
    appointment_id = query_id(request, "appointment")
    if appointment_id is not None:
        appointment = get_appointment(request, appointment_id)
        if appointment.student_id:
            initial = {
                "student_number": appointment.student.student_number,
                "channel": Case.Channel.APPOINTMENT,
                "problem": topic_label(appointment.topic),
            }
    form = forms.CaseOpenForm(request.POST or None, school=school, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services_intake.case_open(
                actor=request.user,
                student=form.student,
                channel=data["channel"],
                problem=data["problem"],
                background=data["background"],
                brought_by=data["brought_by"],
                urgency=data["urgency"],
                source_object=duty_intake,
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The intake is recorded as case %s.") % case.number)
            return redirect("cases:case_detail", pk=case.pk)
    return form_page(
        request,
        "cases/form_page.html",
        {"form": form, "title": _("New intake"), "testid": "case-open-form"},
        form,
    )


def _referral_form(request, *, students, channel: str, title: str, done_url: str):
    """One form for a teacher's referral and a guardian's concern: the case is theirs to start,
    never to read (DESIGN.md principle 1)."""
    form = forms.ReferStudentForm(request.POST or None, students=students)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = data["student"]
        perm = "cases.refer_this_student" if channel != Case.Channel.GUARDIAN else None
        if perm and not request.user.has_perm(perm, student):
            raise PermissionDenied
        try:
            services_intake.case_open(
                actor=request.user,
                student=student,
                channel=channel,
                problem=data["problem"],
                background=data["background"],
                brought_by=request.user.display_name,
                urgency=data["urgency"],
                referred_by=request.user,
                submission_key=data["submission_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Thank you. The counseling room has received it and will follow up.")
            )
            return redirect(done_url)
    return form_page(
        request,
        "cases/form_page.html",
        {"form": form, "title": title, "testid": "refer-form"},
        form,
    )


@permission_required("cases.refer_student")
def refer_student(request):
    students = Student.objects.for_user(request.user).filter(status=Student.Status.ENROLLED)
    allowed = [s.pk for s in students if request.user.has_perm("cases.refer_this_student", s)]
    return _referral_form(
        request,
        students=students.filter(pk__in=allowed).select_related("school_class__grade"),
        channel=Case.Channel.TEACHER_REFERRAL,
        title=_("Refer a student to the counseling room"),
        done_url="cases:my_referrals",
    )


@permission_required("cases.raise_concern")
def raise_concern(request):
    children = Student.objects.for_user(request.user).filter(
        guardian_links__guardian__user=request.user
    )
    return _referral_form(
        request,
        students=children,
        channel=Case.Channel.GUARDIAN,
        title=_("Tell the counseling room about a concern"),
        done_url="cases:my_referrals",
    )


@login_required
def my_referrals(request):
    """What a referring teacher or guardian may know: that the student is being supported."""
    if not (
        request.user.has_perm("cases.refer_student") or request.user.has_perm("cases.raise_concern")
    ):
        raise PermissionDenied
    referrals = cases_referred_by(request.user)
    page = Paginator(referrals.order_by("-opened_at"), 30).get_page(request.GET.get("page"))
    return render(request, "cases/my_referrals.html", {"page": page})


@login_required
def appointment_case(request, pk: int):
    """After an appointment: continue the student's open case with a record, or open one."""
    refuse_unless(request, "cases.open_case", Appointment, pk)
    appointment = get_appointment(request, pk)
    if appointment.student_id is None:
        raise PermissionDenied
    case = (
        Case.objects.for_user(request.user)
        .filter(student_id=appointment.student_id, state__in=Case.WORKING_STATES)
        .filter(counselors__user=request.user)
        .order_by("-opened_at")
        .first()
    )
    if case is not None:
        return redirect(f"{reverse('cases:record_create', args=[case.pk])}?appointment={pk}")
    return redirect(f"{reverse('cases:case_open')}?appointment={pk}")
