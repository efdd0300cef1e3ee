"""One student or staff member at a time (issue 12 item 24): add, correct, transfer in and out,
mark as left, and each record's history. The work is in people.roster.records."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from xinqiao.core.decorators import permission_required
from xinqiao.people import access
from xinqiao.people.models import Gender, School, SchoolClass, Staff, Student
from xinqiao.people.roster import records
from xinqiao.people.roster.format import IDENTIFIER, MESSAGES

PERMISSION = records.PERMISSION


class DateInput(forms.DateInput):
    input_type = "date"


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SchoolClass) -> str:
        return f"{obj.school} · {obj.name}"


def _classes(user, school_id: int | None = None):
    classes = SchoolClass.objects.for_user(user).filter(graduated=False)
    classes = classes.select_related("grade", "school").order_by("school", "grade__level", "number")
    return classes.filter(school_id=school_id) if school_id is not None else classes


def _account_name(number: str) -> str:
    """A student or staff number names the person's account: the import's rule."""
    number = number.strip()
    if not IDENTIFIER.match(number):
        raise forms.ValidationError(MESSAGES["bad_identifier"])
    return number


class StudentForm(forms.Form):
    student_number = forms.CharField(label=_("Student number"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput)
    school_class = ClassChoiceField(label=_("Class"), queryset=SchoolClass.objects.none())
    transferred_in = forms.BooleanField(
        label=_("Transferred in from another school"), required=False
    )

    def __init__(self, *args, user, student: Student | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = _classes(user, student and student.school_id)
        if student is not None:  # a correction: the number names the account, it stays
            del self.fields["student_number"], self.fields["transferred_in"]

    def clean_student_number(self) -> str:
        return _account_name(self.cleaned_data["student_number"])


class LeaveForm(forms.Form):
    transferred = forms.TypedChoiceField(
        label=_("Why"),
        choices=[("1", _("Transferred to another school")), ("0", _("Left the school"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class TransferInForm(forms.Form):
    school_class = ClassChoiceField(label=_("Class"), queryset=SchoolClass.objects.none())

    def __init__(self, *args, user, student: Student, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = _classes(user, student.school_id)


class StaffForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none())
    staff_number = forms.CharField(label=_("Staff number"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    job_title = forms.CharField(label=_("Post"), max_length=50, required=False)

    def __init__(self, *args, user, staff: Staff | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.for_user(user)
        if staff is not None:
            del self.fields["school"], self.fields["staff_number"]

    def clean_staff_number(self) -> str:
        return _account_name(self.cleaned_data["staff_number"])


def _posted(request):
    """The form's data on a POST (an empty one too: it gets its messages), else unbound."""
    return request.POST if request.method == "POST" else None


def _show_refusal(form: forms.Form, error: ValidationError) -> None:
    """The service's refusal on the form: by field where it names one of the form's."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form_step(request, form, save, *, done: str, title: str, page: str, record=None, **context):
    """One roster form: on a valid POST ``save(cleaned_data)`` runs the service (its refusal
    shows on the form, status 400); done, the record's page (``record``, or what ``save``
    returned for a new one)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, done)
            return redirect(page, pk=(record or saved).pk)
    return render(
        request,
        "people/roster_record_form.html",
        {"form": form, "title": title, **context},
        status=400 if form.errors else 200,
    )


# --- students ------------------------------------------------------------------------------------
@permission_required(PERMISSION)
def roster_student_add(request):
    return _form_step(
        request,
        StudentForm(_posted(request), user=request.user),
        lambda data: records.student_add(actor=request.user, **data),
        done=_("The student is added to the roster."),
        title=_("Add a student"),
        page="people:roster_student",
    )


@permission_required(PERMISSION)
def roster_student(request, pk: int):
    student = access.get_student(request, pk, perm=PERMISSION)
    return render(
        request,
        "people/roster_record.html",
        {"student": student, "history": records.roster_history(student)},
    )


@permission_required(PERMISSION)
def roster_student_edit(request, pk: int):
    student = access.get_student(request, pk, perm=PERMISSION)
    initial = {
        "name": student.name,
        "gender": student.gender,
        "birth_date": student.birth_date,
        "school_class": student.school_class,
    }
    return _form_step(
        request,
        StudentForm(_posted(request), user=request.user, student=student, initial=initial),
        lambda data: records.student_update(actor=request.user, student=student, **data),
        done=_("The record is corrected."),
        title=_("Correct the record"),
        page="people:roster_student",
        record=student,
        student=student,
    )


@permission_required(PERMISSION)
def roster_student_leave(request, pk: int):
    student = access.get_student(request, pk, perm=PERMISSION)
    return _form_step(
        request,
        LeaveForm(_posted(request)),
        lambda data: records.student_leave(actor=request.user, student=student, **data),
        done=_("The student is recorded as having left."),
        title=_("Transfer out or mark as left"),
        page="people:roster_student",
        record=student,
        student=student,
    )


@permission_required(PERMISSION)
def roster_student_transfer_in(request, pk: int):
    student = access.get_student(request, pk, perm=PERMISSION)
    return _form_step(
        request,
        TransferInForm(_posted(request), user=request.user, student=student),
        lambda data: records.student_transfer_in(actor=request.user, student=student, **data),
        done=_("The student is enrolled again."),
        title=_("Transfer in"),
        page="people:roster_student",
        record=student,
        student=student,
    )


# --- staff ---------------------------------------------------------------------------------------
@permission_required(PERMISSION)
def roster_staff_list(request):
    staff = Staff.objects.for_user(request.user).select_related("school")
    query = request.GET.get("q", "").strip()
    if query:
        staff = staff.filter(Q(name__icontains=query) | Q(staff_number__startswith=query))
    page = Paginator(staff.order_by("school__name", "staff_number"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "people/roster_staff_list.html", {"page": page, "q": query})


@permission_required(PERMISSION)
def roster_staff_add(request):
    return _form_step(
        request,
        StaffForm(_posted(request), user=request.user),
        lambda data: records.staff_add(actor=request.user, **data),
        done=_("The staff member is added to the roster."),
        title=_("Add a staff member"),
        page="people:roster_staff",
    )


@permission_required(PERMISSION)
def roster_staff(request, pk: int):
    staff = access.get_staff(request, pk, perm=PERMISSION)
    return render(
        request,
        "people/roster_record.html",
        {"staff": staff, "history": records.roster_history(staff)},
    )


@permission_required(PERMISSION)
def roster_staff_edit(request, pk: int):
    staff = access.get_staff(request, pk, perm=PERMISSION)
    initial = {name: getattr(staff, name) for name in records.STAFF_FIELDS}
    return _form_step(
        request,
        StaffForm(_posted(request), user=request.user, staff=staff, initial=initial),
        lambda data: records.staff_update(actor=request.user, staff=staff, **data),
        done=_("The record is corrected."),
        title=_("Correct the record"),
        page="people:roster_staff",
        record=staff,
        staff=staff,
    )


@permission_required(PERMISSION)
def roster_staff_leave(request, pk: int):
    staff = access.get_staff(request, pk, perm=PERMISSION)
    return _form_step(
        request,
        forms.Form(_posted(request)),
        lambda data: records.staff_leave(actor=request.user, staff=staff),
        done=_("The staff member is recorded as having left."),
        title=_("Mark as left"),
        page="people:roster_staff",
        record=staff,
        staff=staff,
    )
