"""Issuing the roster's accounts: initial passwords, printed slips, resets of lost passwords.

Every roster person already has an account the import made inactive and without a usable
password. The administrator issues them in bulk, class by class: each gets a random initial
password that exists only in the one response showing it (a printable sheet or an Excel file).
It is never stored in clear — not in the database, the session or a log — and the person must
change it at the first sign-in (core.two_factor's "password" step).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from axes.models import AccessAttempt
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from xinqiao.core.models import SecurityEvent, User
from xinqiao.core.services import account_unlock, security_event_record, user_sign_out_everywhere
from xinqiao.people.models import Guardian, GuardianLink, School, SchoolClass, Staff, Student

# Lower-case letters and digits type without the shift key on a phone; the characters that
# read alike in print (0/O/o, 1/l/I) are left out. 32 symbols, 12 of them: 60 bits.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105 (symbols, not a password)
PASSWORD_LENGTH = 12
# Hashing costs about 0.1 s an account (Argon2): one request stays well inside the server's
# 60-second limit. Larger schools issue a few classes at a time.
MAX_ACCOUNTS_PER_REQUEST = 250
SEARCH_LIMIT = 200  # per kind of person


class HolderKind(models.TextChoices):
    STUDENT = "student", _("students")
    GUARDIAN = "guardian", _("guardians")
    STAFF = "staff", _("staff")


STAFF_GROUP = "staff"


@dataclass(frozen=True)
class AccountHolder:
    """A roster person as a slip names them: whose account, in which class (or the staff)."""

    user: User
    kind: str
    name: str
    school_name: str
    group_key: str  # "class-<pk>" or "staff": one sheet page (and one Excel sheet) each
    group_label: str
    note: str = ""

    @property
    def issued(self) -> bool:
        return is_issued(self.user)

    @property
    def kind_label(self) -> str:
        return {
            HolderKind.STUDENT: gettext("student"),
            HolderKind.GUARDIAN: gettext("guardian"),
            HolderKind.STAFF: gettext("staff member"),
        }[self.kind]


@dataclass(frozen=True)
class IssuedAccount:
    user: User
    password: str = field(repr=False)  # shown once, never stored
    reissued: bool = False  # the account had been issued before: its old password is void


@dataclass(frozen=True)
class Slip:
    holder: AccountHolder
    password: str = field(repr=False)


@dataclass
class SheetGroup:
    key: str
    label: str
    school_name: str
    slips: list[Slip] = field(default_factory=list)


# --- reads ---------------------------------------------------------------------------------------
def is_issued(user: User) -> bool:
    """Issued means the person could sign in once: active, or given a usable password."""
    return user.is_active or user.has_usable_password()


def issued_q(prefix: str = "") -> Q:
    """``is_issued`` as a database condition on the user reached through ``prefix``."""
    return Q(**{f"{prefix}is_active": True}) | ~Q(
        **{f"{prefix}password__startswith": UNUSABLE_PASSWORD_PREFIX}
    )


def class_account_counts(*, school: School, class_id: int | None = None) -> models.QuerySet:
    """The school's classes (not graduated), each with issued and not-yet-issued counts.

    Students are the enrolled ones; guardians are those of enrolled students.
    """
    enrolled = Q(students__status=Student.Status.ENROLLED)
    guardian = "students__guardian_links__guardian"
    classes = SchoolClass.objects.filter(school=school, graduated=False)
    if class_id is not None:
        classes = classes.filter(pk=class_id)
    return (
        classes.select_related("grade")
        .annotate(
            students_total=Count("students", filter=enrolled, distinct=True),
            students_issued=Count(
                "students", filter=enrolled & issued_q("students__user__"), distinct=True
            ),
            guardians_total=Count(guardian, filter=enrolled, distinct=True),
            guardians_issued=Count(
                guardian, filter=enrolled & issued_q(f"{guardian}__user__"), distinct=True
            ),
        )
        .annotate(
            students_pending=F("students_total") - F("students_issued"),
            guardians_pending=F("guardians_total") - F("guardians_issued"),
        )
        .order_by("grade__level", "number")
    )


def staff_account_counts(*, school: School) -> dict[str, int]:
    """Staff in service: how many, how many issued, how many not yet."""
    counts = Staff.objects.filter(school=school, is_active=True).aggregate(
        total=Count("pk"), issued=Count("pk", filter=issued_q("user__"))
    )
    counts["pending"] = counts["total"] - counts["issued"]
    return counts


def accounts_not_issued(school_ids: Iterable[int] | None = None) -> int:
    """The account issue page's "not yet issued", added up over the schools (all of them for
    the installation's administrator): enrolled students, their guardians, staff in service.
    A person counts once, however many children or classes they have."""
    not_issued = ~issued_q()
    enrolled = Student.objects.filter(status=Student.Status.ENROLLED)
    staff = Staff.objects.filter(is_active=True)
    if school_ids is not None:
        enrolled = enrolled.filter(school_id__in=school_ids)
        staff = staff.filter(school_id__in=school_ids)
    holders = (
        Q(pk__in=enrolled.values("user_id"))
        | Q(pk__in=Guardian.objects.filter(links__student__in=enrolled).values("user_id"))
        | Q(pk__in=staff.values("user_id"))
    )
    return User.objects.filter(holders).filter(not_issued).count()


def _student_holder(student: Student, school_name: str) -> AccountHolder:
    school_class = student.school_class
    return AccountHolder(
        user=student.user,
        kind=HolderKind.STUDENT,
        name=student.name,
        school_name=school_name,
        group_key=f"class-{school_class.pk}" if school_class else "no-class",
        group_label=school_class.name if school_class else gettext("Without a class"),
        note=student.student_number,
    )


def _guardian_holder(
    guardian: Guardian, school_class: SchoolClass | None, children: list[str], school_name: str
) -> AccountHolder:
    return AccountHolder(
        user=guardian.user,
        kind=HolderKind.GUARDIAN,
        name=guardian.name,
        school_name=school_name,
        group_key=f"class-{school_class.pk}" if school_class else "guardians",
        group_label=school_class.name if school_class else gettext("Guardians"),
        note=gettext("guardian of %(children)s") % {"children": "、".join(children)},
    )


def _staff_holder(staff: Staff, school_name: str) -> AccountHolder:
    return AccountHolder(
        user=staff.user,
        kind=HolderKind.STAFF,
        name=staff.name,
        school_name=school_name,
        group_key=STAFF_GROUP,
        group_label=gettext("Staff"),
        note=staff.job_title,
    )


def account_holders(
    *,
    school: School,
    classes: Iterable[SchoolClass] = (),
    kinds: Iterable[str] = (),
    include_staff: bool = False,
    include_issued: bool = False,
) -> list[AccountHolder]:
    """The people whose accounts a selection covers, in sheet order: class by class, students
    then guardians, the staff last. A guardian of children in several classes comes once,
    under the first class. Without ``include_issued`` only accounts never issued are listed.

    The caller has checked that the actor may see ``school`` (School.objects.for_user).
    """
    kinds = set(kinds)
    classes = sorted(classes, key=lambda c: (c.grade.level, c.number))
    students = Student.objects.filter(
        school=school, school_class__in=classes, status=Student.Status.ENROLLED
    )
    by_class: dict[int, list[AccountHolder]] = {c.pk: [] for c in classes}
    if HolderKind.STUDENT in kinds:
        for pk, holder in _student_holders(students, school, include_issued):
            by_class[pk].append(holder)
    if HolderKind.GUARDIAN in kinds:
        for pk, holder in _guardian_holders(students, classes, school, include_issued):
            by_class[pk].append(holder)
    candidates = [holder for c in classes for holder in by_class[c.pk]]
    if include_staff:
        staff = Staff.objects.filter(school=school, is_active=True).select_related("user")
        if not include_issued:
            staff = staff.exclude(issued_q("user__"))
        candidates += [
            _staff_holder(member, school.name) for member in staff.order_by("staff_number")
        ]
    holders, seen = [], set()
    for holder in candidates:
        if holder.user.pk not in seen:
            seen.add(holder.user.pk)
            holders.append(holder)
    return holders


def _student_holders(
    students, school: School, include_issued: bool
) -> list[tuple[int, AccountHolder]]:
    """(class id, holder) for each of the students."""
    if not include_issued:
        students = students.exclude(issued_q("user__"))
    students = students.select_related("user", "school_class__grade").order_by("student_number")
    return [(s.school_class_id, _student_holder(s, school.name)) for s in students]


def _guardian_holders(
    students, classes: list[SchoolClass], school: School, include_issued: bool
) -> list[tuple[int, AccountHolder]]:
    """(class id, holder) for each guardian of the students, once per class of their children."""
    links = (
        GuardianLink.objects.filter(student__in=students, guardian__school=school)
        .select_related("guardian__user", "student")
        .order_by("guardian__name", "guardian_id", "student__student_number")
    )
    if not include_issued:
        links = links.exclude(issued_q("guardian__user__"))
    children: dict[tuple[int, int], list[str]] = {}
    guardians: dict[tuple[int, int], Guardian] = {}
    for link in links:
        key = (link.student.school_class_id, link.guardian_id)
        guardians[key] = link.guardian
        children.setdefault(key, []).append(link.student.name)
    class_by_pk = {c.pk: c for c in classes}
    holders = []
    for (class_pk, guardian_pk), guardian in guardians.items():
        names = children[(class_pk, guardian_pk)]
        holders.append(
            (class_pk, _guardian_holder(guardian, class_by_pk[class_pk], names, school.name))
        )
    return holders


def account_holder_search(*, school: School, query: str) -> list[AccountHolder]:
    """Roster people of ``school`` whose name or account name contains ``query``."""
    query = query.strip()
    if not query:
        return []
    match = Q(name__icontains=query) | Q(user__username__icontains=query)
    students = (
        Student.objects.filter(match | Q(student_number__startswith=query), school=school)
        .enrolled()
        .select_related("user", "school_class__grade")
        .order_by("name", "student_number")[:SEARCH_LIMIT]
    )
    guardians = (
        Guardian.objects.filter(match | Q(phone__startswith=query), school=school)
        .select_related("user")
        .prefetch_related("links__student__school_class__grade")
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )
    staff = (
        Staff.objects.filter(match | Q(staff_number__startswith=query), school=school)
        .filter(is_active=True)
        .select_related("user")
        .order_by("name", "staff_number")[:SEARCH_LIMIT]
    )
    holders = [_student_holder(s, school.name) for s in students]
    holders += [_guardian_of_any_class(g, school.name) for g in guardians]
    holders += [_staff_holder(s, school.name) for s in staff]
    return holders


def _guardian_of_any_class(guardian: Guardian, school_name: str) -> AccountHolder:
    links = sorted(guardian.links.all(), key=lambda link: link.student.student_number)
    first_class = next((link.student.school_class for link in links), None)
    return _guardian_holder(
        guardian, first_class, [link.student.name for link in links], school_name
    )


def account_holder_for_user(*, actor: User, user_id: int) -> AccountHolder:
    """The roster person holding account ``user_id``, in a school ``actor`` may see; else 404.

    Only roster accounts (enrolled students, guardians, staff in service) are issued here;
    other accounts, an administrator's say, are not.
    """
    schools = School.objects.for_user(actor)
    student = (
        Student.objects.enrolled()
        .filter(user_id=user_id, school__in=schools)
        .select_related("user", "school", "school_class__grade")
        .first()
    )
    if student is not None:
        return _student_holder(student, student.school.name)
    guardian = (
        Guardian.objects.filter(user_id=user_id, school__in=schools)
        .select_related("user", "school")
        .prefetch_related("links__student__school_class__grade")
        .first()
    )
    if guardian is not None:
        return _guardian_of_any_class(guardian, guardian.school.name)
    staff = (
        Staff.objects.filter(user_id=user_id, school__in=schools, is_active=True)
        .select_related("user", "school")
        .first()
    )
    if staff is not None:
        return _staff_holder(staff, staff.school.name)
    raise Http404


def sheet_groups(
    holders: Iterable[AccountHolder], issued: Iterable[IssuedAccount]
) -> list[SheetGroup]:
    """Slips grouped as printed: one group (one page, one Excel sheet) per class, in order."""
    passwords = {account.user.pk: account.password for account in issued}
    groups: dict[str, SheetGroup] = {}
    for holder in holders:
        password = passwords.get(holder.user.pk)
        if password is None:  # skipped by the service: issued meanwhile by someone else
            continue
        group = groups.setdefault(
            holder.group_key, SheetGroup(holder.group_key, holder.group_label, holder.school_name)
        )
        group.slips.append(Slip(holder=holder, password=password))
    return list(groups.values())


XLSX_HEADERS = (
    pgettext_lazy("account sheet", "School"),
    pgettext_lazy("account sheet", "Class"),
    pgettext_lazy("account sheet", "Kind"),
    pgettext_lazy("account sheet", "Name"),
    pgettext_lazy("account sheet", "Username"),
    pgettext_lazy("account sheet", "Initial password"),
    pgettext_lazy("account sheet", "Note"),
    pgettext_lazy("account sheet", "Hint"),
)
XLSX_HINT = _("Change the password at the first sign-in.")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@sensitive_variables()
def sheet_workbook(groups: Iterable[SheetGroup]) -> bytes:
    """The sheet as an Excel workbook (.xlsx): one worksheet per class."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from xinqiao.core.xlsx import workbook_bytes

    workbook = Workbook()
    workbook.remove(workbook.active)
    titles: set[str] = set()
    for group in groups:
        title = _SHEET_TITLE_FORBIDDEN.sub("-", group.label)[:31] or "-"
        base, n = title, 2
        while title in titles:
            suffix = f" ({n})"
            title, n = base[: 31 - len(suffix)] + suffix, n + 1
        titles.add(title)
        sheet = workbook.create_sheet(title)
        sheet.append([str(heading) for heading in XLSX_HEADERS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for slip in group.slips:
            holder = slip.holder
            sheet.append(
                (
                    holder.school_name,
                    holder.group_label,
                    holder.kind_label,
                    holder.name,
                    holder.user.username,
                    slip.password,
                    holder.note,
                    str(XLSX_HINT),
                )
            )
        for column, width in zip("ABCDEFGH", (18, 14, 8, 12, 16, 16, 22, 20), strict=True):
            sheet.column_dimensions[column].width = width
        for cell in sheet["F"][1:]:
            cell.font = Font(name="Consolas")
        sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)


# --- writes --------------------------------------------------------------------------------------
def generate_initial_password(length: int = PASSWORD_LENGTH) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


@sensitive_variables("passwords", "hashes")
def accounts_issue(
    *, actor: User, users: Iterable[User], reissue: bool = False, request=None
) -> list[IssuedAccount]:
    """Give each account a new initial password, activate it, require a change at sign-in.

    Accounts already issued are left alone unless ``reissue``: then their old password stops
    working and their sessions and API tokens end. The rule is checked again under the row lock,
    so a form sent twice issues nobody twice. One security event per account, in one transaction.
    """
    unique = list({user.pk: user for user in users}.values())
    passwords = {user.pk: generate_initial_password() for user in unique}
    # Argon2 is slow on purpose: hash before the transaction, not while holding the write lock.
    hashes = {pk: make_password(password) for pk, password in passwords.items()}
    issued: list[IssuedAccount] = []
    with transaction.atomic():
        locked = User.objects.select_for_update().in_bulk(list(passwords))
        for pk in passwords:
            user = locked.get(pk)
            if user is None:
                continue
            already = is_issued(user)
            if already and not reissue:
                continue
            user.password = hashes[pk]
            user.is_active = True
            user.must_change_password = True
            user.save(update_fields=["password", "is_active", "must_change_password"])
            security_event_record(
                kind=SecurityEvent.Kind.ACCOUNT_ISSUED, user=user, actor=actor, request=request
            )
            if already:
                user_sign_out_everywhere(user=user, actor=actor, request=request)
            issued.append(IssuedAccount(user=user, password=passwords[pk], reissued=already))
    return issued


@sensitive_variables("issued")
def account_reset(*, actor: User, user: User, request=None) -> IssuedAccount:
    """A lost password: a new initial password, every session ended, any lockout lifted."""
    with transaction.atomic():
        # An account issued before has its sessions and tokens ended by accounts_issue; one
        # never issued has none.
        (issued,) = accounts_issue(actor=actor, users=[user], reissue=True, request=request)
        if AccessAttempt.objects.filter(username=user.username).exists():
            account_unlock(actor=actor, username=user.username, request=request)
    return issued
