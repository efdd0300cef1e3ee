"""Issuing accounts from the roster: the class list, the printed sheet, a lost password's reset.

The initial passwords appear only in the response to the POST that creates them; those
responses are marked ``no-store`` so that no browser or proxy keeps a copy.
"""

from __future__ import annotations

import secrets

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from xinqiao.core.decorators import permission_required
from xinqiao.core.exports import download
from xinqiao.core.params import parse_id, query_id
from xinqiao.core.xlsx import XLSX_CONTENT_TYPE
from xinqiao.people import accounts
from xinqiao.people.models import School, SchoolClass

PERMISSION = "people.issue_accounts"
REISSUE_SESSION_KEY = "xinqiao_reissue_confirmation"
LIST_KINDS = (
    ("", _("Everyone")),
    (accounts.HolderKind.STUDENT, _("Students")),
    (accounts.HolderKind.GUARDIAN, _("Guardians")),
    (accounts.HolderKind.STAFF, _("Staff")),
)


class AccountIssueForm(forms.Form):
    """Which accounts to issue: classes (students and/or guardians) and/or the staff."""

    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"), queryset=SchoolClass.objects.none(), required=False
    )
    kinds = forms.MultipleChoiceField(
        label=_("For"),
        choices=[
            (accounts.HolderKind.STUDENT, _("students")),
            (accounts.HolderKind.GUARDIAN, _("guardians")),
        ],
        required=False,
    )
    staff = forms.BooleanField(label=_("Staff of the school"), required=False)
    reissue = forms.BooleanField(label=_("Re-issue"), required=False)
    excel = forms.BooleanField(label=_("Download as Excel"), required=False)
    # The one-time token of the re-issue confirmation page (see account_sheet).
    confirmation = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, user, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["classes"].queryset = (
            SchoolClass.objects.for_user(user)
            .filter(school=school, graduated=False)
            .select_related("grade")
        )
        self.holders: list[accounts.AccountHolder] = []

    def clean(self):
        data = super().clean()
        classes, kinds = data.get("classes") or [], data.get("kinds") or []
        if self.errors:
            return data
        if not classes and not data.get("staff"):
            raise forms.ValidationError(_("Choose at least one class, or the staff."))
        if classes and not kinds:
            self.add_error("kinds", _("Choose students, guardians or both."))
            return data
        self.holders = accounts.account_holders(
            school=self.school,
            classes=classes,
            kinds=kinds,
            include_staff=data.get("staff", False),
            include_issued=data.get("reissue", False),
        )
        if not self.holders:
            raise forms.ValidationError(
                _(
                    "Everyone chosen already has an account. Tick “re-issue” to give them new "
                    "passwords."
                )
            )
        if len(self.holders) > accounts.MAX_ACCOUNTS_PER_REQUEST:
            raise forms.ValidationError(
                _(
                    "That is %(count)s accounts; issue at most %(max)s at a time: choose fewer "
                    "classes."
                )
                % {"count": len(self.holders), "max": accounts.MAX_ACCOUNTS_PER_REQUEST}
            )
        return data


def _school(request, value: str) -> School | None:
    """The school chosen in ``value``, among those the admin may see; the first one by default.

    None only when the installation has no school yet.
    """
    schools = School.objects.for_user(request.user)
    pk = parse_id(value)
    if pk is not None:
        return get_object_or_404(schools, pk=pk)
    return schools.first()


def _school_or_404(request, value: str) -> School:
    school = _school(request, value)
    if school is None:
        raise Http404
    return school


def _issue_page(request, school: School, form: AccountIssueForm) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(LIST_KINDS) else ""
    class_id = query_id(request, "class")
    shown = accounts.class_account_counts(school=school, class_id=class_id)
    page = Paginator(shown, 30).get_page(request.GET.get("page"))
    selected = {str(v) for v in (form["classes"].value() or [])}
    context = {
        "schools": School.objects.for_user(request.user),
        "school": school,
        "kind": kind,
        "kinds": LIST_KINDS,
        "class_id": str(class_id or ""),
        "filter_classes": form.fields["classes"].queryset,
        "page": page,
        "staff_counts": accounts.staff_account_counts(school=school),
        "form": form,
        "selected_classes": selected,
        "selected_kinds": set(form["kinds"].value() or []),
    }
    return render(request, "people/account_issue.html", context)


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, ...
    return response


@permission_required(PERMISSION)
def account_issue(request):
    school = _school(request, request.GET.get("school", ""))
    if school is None:
        return render(request, "people/account_issue.html", {"school": None})
    kind = request.GET.get("kind", "")
    by_class = (accounts.HolderKind.STUDENT, accounts.HolderKind.GUARDIAN)
    initial_kinds = [kind] if kind in by_class else [accounts.HolderKind.STUDENT]
    form = AccountIssueForm(
        user=request.user,
        school=school,
        initial={"kinds": initial_kinds, "staff": kind == accounts.HolderKind.STAFF},
    )
    return _issue_page(request, school, form)


@permission_required(PERMISSION)
@require_POST
@sensitive_variables()
def account_sheet(request):
    """Issue the chosen accounts; answer with the printable sheet (or the Excel file)."""
    school = _school_or_404(request, request.POST.get("school", ""))
    form = AccountIssueForm(request.POST, user=request.user, school=school)
    if not form.is_valid():
        return _issue_page(request, school, form)
    if form.cleaned_data["reissue"] and not _confirmed(request, form.cleaned_data["confirmation"]):
        return _confirmation_page(request, school, form)
    issued = accounts.accounts_issue(
        actor=request.user,
        users=[holder.user for holder in form.holders],
        reissue=form.cleaned_data["reissue"],
        request=request,
    )
    groups = accounts.sheet_groups(form.holders, issued)
    if form.cleaned_data["excel"]:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return download(
            accounts.sheet_workbook(groups),
            content_type=XLSX_CONTENT_TYPE,
            filename=_("Accounts-%(stamp)s.xlsx") % {"stamp": stamp},
        )
    return _no_store(_sheet(request, groups))


def _confirmed(request, token: str) -> bool:
    """Whether ``token`` is the one the confirmation page just gave; each token works once,
    so reloading the sheet (which resends the form) asks again instead of resetting again."""
    expected = request.session.pop(REISSUE_SESSION_KEY, "")
    return bool(token and expected) and secrets.compare_digest(token, expected)


def _confirmation_page(request, school: School, form: AccountIssueForm) -> HttpResponse:
    token = secrets.token_urlsafe(16)
    request.session[REISSUE_SESSION_KEY] = token
    reissued = sum(1 for holder in form.holders if holder.issued)
    context = {
        "form": form,
        "school": school,
        "token": token,
        "total": len(form.holders),
        "reissued": reissued,
    }
    return render(request, "people/account_confirm.html", context)


def _sheet(request, groups: list[accounts.SheetGroup], reset: bool = False) -> HttpResponse:
    return render(
        request,
        "people/account_sheet.html",
        {
            "groups": groups,
            "reset": reset,
            "sign_in_url": request.build_absolute_uri("/"),
            "count": sum(len(group.slips) for group in groups),
        },
    )


@permission_required(PERMISSION)
def account_search(request):
    """Find one person (by name, account, student or staff number) to reset a lost password."""
    school = _school_or_404(request, request.GET.get("school", ""))
    query = request.GET.get("q", "").strip()[:50]
    results = accounts.account_holder_search(school=school, query=query)
    page = Paginator(results, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "people/account_search.html",
        {"school": school, "q": query, "page": page},
    )


@permission_required(PERMISSION)
@require_POST
@sensitive_variables()
def account_reset(request, pk: int):
    """A lost password: a new initial password on a one-person slip."""
    holder = accounts.account_holder_for_user(actor=request.user, user_id=pk)
    issued = accounts.account_reset(actor=request.user, user=holder.user, request=request)
    return _no_store(_sheet(request, accounts.sheet_groups([holder], [issued]), reset=True))
