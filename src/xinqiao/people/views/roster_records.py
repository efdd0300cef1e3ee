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


def _saved(form: forms.Form, run) -> object | None:
    """Run the service; on its ValidationError, show it on the form and return None."""
    try:
        return run()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


def _form_page(request, form, title: str, **context):
    return render(
        request,
        "people/roster_record_form.html",
        {"form": form, "title": title, **context},
        status=400 if form.errors else 200,
    )


# --- students ------------------------------------------------------------------------------------
@permission_required(PERMISSION)
def roster_student_add(request):
    form = StudentForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        student = _saved(form, lambda: records.student_add(actor=request.user, **form.cleaned_data))
        if student is not None:
            messages.success(request, _("The student is added to the roster."))
            return redirect("people:roster_student", pk=student.pk)
    return _form_page(request, form, _("Add a student"))


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
    form = StudentForm(_posted(request), user=request.user, student=student, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _saved(
            form,
            lambda: records.student_update(
                actor=request.user, student=student, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("The record is corrected."))
            return redirect("people:roster_student", pk=student.pk)
    return _form_page(request, form, _("Correct the record"), student=student)


@permission_required(PERMISSION)
def roster_student_leave(request, pk: int):
    student = access.get_student(request, pk, perm=PERMISSION)
    form = LeaveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        done = _saved(
            form,
            lambda: records.student_leave(actor=request.user, student=student, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, _("The student is recorded as having left."))
            return redirect("people:roster_student", pk=student.pk)
    return _form_page(request, form, _("Transfer out or mark as left"), student=student)


@permission_required(PERMISSION)
def roster_student_transfer_in(request, pk: int):
    student = access.get_student(request, pk, perm=PERMISSION)
    form = TransferInForm(_posted(request), user=request.user, student=student)
    if request.method == "POST" and form.is_valid():
        done = _saved(
            form,
            lambda: records.student_transfer_in(
                actor=request.user, student=student, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("The student is enrolled again."))
            return redirect("people:roster_student", pk=student.pk)
    return _form_page(request, form, _("Transfer in"), student=student)


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
    form = StaffForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        staff = _saved(form, lambda: records.staff_add(actor=request.user, **form.cleaned_data))
        if staff is not None:
            messages.success(request, _("The staff member is added to the roster."))
            return redirect("people:roster_staff", pk=staff.pk)
    return _form_page(request, form, _("Add a staff member"))


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
    form = StaffForm(_posted(request), user=request.user, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _saved(
            form,
            lambda: records.staff_update(actor=request.user, staff=staff, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, _("The record is corrected."))
            return redirect("people:roster_staff", pk=staff.pk)
    return _form_page(request, form, _("Correct the record"), staff=staff)


@permission_required(PERMISSION)
def roster_staff_leave(request, pk: int):
    staff = access.get_staff(request, pk, perm=PERMISSION)
    form = forms.Form(_posted(request))
    if request.method == "POST" and form.is_valid():
        done = _saved(form, lambda: records.staff_leave(actor=request.user, staff=staff))
        if done is not None:
            messages.success(request, _("The staff member is recorded as having left."))
            return redirect("people:roster_staff", pk=staff.pk)
    return _form_page(request, form, _("Mark as left"), staff=staff)
