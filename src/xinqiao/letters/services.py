"""Sending and answering letters, and reading replies with a pickup code.

Anonymity (a signed-in pupil may choose it; nobody, staff or administrator, may then link the
letter to the account): the letter keeps no writer and only its day; its change history is not
kept and the changes it causes (an alert, its flags) are recorded without an author; the pickup
code is derived from the form's one-time key with the server's secret and only a keyed hash of
it is stored, so the same form sent twice shows the same code and the database alone cannot
give it back. Writing needs a signed-in pupil: a letterbox open to anyone on a shared computer
could be flooded with false alarms that bury a real one, and raise alerts about no pupil of the
school at all. The daily limit per account is counted in the cache, never in the database.
"""

from __future__ import annotations

import datetime
import secrets
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta

from auditlog.context import auditlog_value
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xinqiao.core.history import service
from xinqiao.core.models import Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role
from xinqiao.crisis.models import Alert
from xinqiao.crisis.phrases import flag_danger
from xinqiao.letters.models import Letter, LetterReply
from xinqiao.people.models import School, Student
from xinqiao.people.selectors import holders_of

MAX_LETTER_LENGTH = 5000
LETTERS_A_DAY = 5
# 32 letters and digits (no 0/O, 1/I): 12 of them are 60 bits, beyond guessing.
PICKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PICKUP_LENGTH = 12
PICKUP_TRIES = 10
PICKUP_LOCK_SECONDS = 15 * 60


class TooManyGuesses(Exception):
    """Too many wrong pickup codes from one address: answered 429 for a quarter of an hour."""


@dataclass(frozen=True)
class Sent:
    letter: Letter
    pickup_code: str | None
    alert: Alert | None


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def _keyed(purpose: str, value: str) -> str:
    return salted_hmac(f"xinqiao.letters.{purpose}", value, algorithm="sha256").hexdigest()


def pickup_code_for(submission_key: str) -> str:
    digest = salted_hmac("xinqiao.letters.pickup", submission_key, algorithm="sha256").digest()
    code = "".join(PICKUP_ALPHABET[byte % len(PICKUP_ALPHABET)] for byte in digest[:PICKUP_LENGTH])
    return "-".join(code[i : i + 4] for i in range(0, PICKUP_LENGTH, 4))


def pickup_code_hash(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return _keyed("pickup-hash", normalised)


@contextmanager
def _unattributed():
    """Changes made inside name no author and no address in the change history, whoever the
    request belongs to (django-auditlog's middleware otherwise stamps the signed-in user)."""
    token = auditlog_value.set({"signal_duid": ("letters.anonymous", time.monotonic())})
    try:
        yield
    finally:
        auditlog_value.reset(token)


def daily_count_key(writer: User) -> str:
    return "letters:sent:" + _keyed("daily", f"{writer.pk}:{timezone.localdate()}")


def letter_send(
    *, writer: User, school: School, body: str, anonymous: bool, submission_key: str
) -> Sent:
    """Send a letter; a danger phrase in it raises an alert at once (crisis/phrases.py).

    Anonymous letters are sent without an actor: the alert, its flags and the access log name
    no one. The same form sent twice (same ``submission_key``) stores one letter.
    """
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your letter first.")})
    if len(body) > MAX_LETTER_LENGTH:
        raise ValidationError(
            {"body": _("A letter has at most %(n)s characters.") % {"n": MAX_LETTER_LENGTH}}
        )
    if not submission_key:
        raise ValidationError(_("The form has expired; open it again."))
    submission_hash = _keyed("submission", submission_key)
    existing = Letter.objects.filter(submission_hash=submission_hash).first()
    if existing is not None:
        return _sent_again(existing, writer, submission_key)
    if cache.get(daily_count_key(writer), 0) >= LETTERS_A_DAY:
        raise ValidationError(
            _("You have sent %(n)s letters today; write again tomorrow, or come to the room.")
            % {"n": LETTERS_A_DAY}
        )
    code = pickup_code_for(submission_key) if anonymous else None
    try:
        with _unattributed() if anonymous else nullcontext(), transaction.atomic():
            letter = Letter.objects.create(
                school=school,
                writer=None if anonymous else writer,
                body=body,
                pickup_code_hash=pickup_code_hash(code) if code else None,
                submission_hash=submission_hash,
            )
            alert = _check(letter, writer=None if anonymous else writer)
    except IntegrityError:
        existing = Letter.objects.filter(submission_hash=submission_hash).first()
        if existing is None:
            raise
        return _sent_again(existing, writer, submission_key)
    cache.add(daily_count_key(writer), 0, timeout=24 * 3600)
    cache.incr(daily_count_key(writer))
    return Sent(letter, code, alert)


def _sent_again(letter: Letter, writer: User, submission_key: str) -> Sent:
    if not letter.is_anonymous and letter.writer_id != writer.pk:
        raise PermissionDenied
    code = pickup_code_for(submission_key) if letter.is_anonymous else None
    return Sent(letter, code, None)


def _check(letter: Letter, *, writer: User | None) -> Alert | None:
    student = None
    if writer is not None:
        student = Student.objects.filter(user=writer, school_id=letter.school_id).first()
    if student is not None:
        description = ""
    elif writer is None:
        description = _("Anonymous letter #%(number)s") % {"number": letter.pk}
    else:
        description = _("%(name)s (letter #%(number)s)") % {
            "name": writer.display_name,
            "number": letter.pk,
        }
    alert = flag_danger(
        actor=writer,
        school=letter.school,
        text=letter.body,
        source=Alert.Source.LETTER,
        source_object=letter,
        student=student,
        person_description=description,
    )
    if alert is not None:
        letter.flag_level = alert.risk_level
        letter.save(update_fields=["flag_level"])
    return alert


@service
def letter_reply(*, actor: User, letter: Letter, body: str) -> LetterReply:
    """Answer a letter. A named writer is told that a reply is there (never what it says); an
    anonymous writer reads it with the pickup code."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the reply first.")})
    if len(body) > MAX_LETTER_LENGTH:
        raise ValidationError(
            {"body": _("A reply has at most %(n)s characters.") % {"n": MAX_LETTER_LENGTH}}
        )
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    reply = LetterReply.objects.create(letter=letter, body=body, author=actor)
    if letter.answered_at is None:
        letter.answered_at = reply.sent_at
        letter.save(update_fields=["answered_at"])
    if letter.writer is not None:
        notify(
            recipients=[letter.writer],
            title=_("The counseling room has answered your letter"),
            url=reverse("letters:detail", args=[letter.pk]),
            level=Notification.Level.INFO,
            school_id=letter.school_id,
        )
    return reply


def _guess_key(address: str) -> str:
    return "letters:pickup-misses:" + _keyed("address", address or "-")


def letter_for_pickup_code(code: str, *, address: str) -> Letter | None:
    """The anonymous letter whose pickup code this is; after ``PICKUP_TRIES`` wrong codes from
    one address within a quarter of an hour, ``TooManyGuesses``."""
    key = _guess_key(address)
    if cache.get(key, 0) >= PICKUP_TRIES:
        raise TooManyGuesses
    letter = Letter.objects.filter(pickup_code_hash=pickup_code_hash(code)).first()
    if letter is None:
        cache.add(key, 0, timeout=PICKUP_LOCK_SECONDS)
        cache.incr(key)
    return letter


def overdue_cutoff():
    """Letters are handled weekly (seed 000: 心理咨询信件每周处理一次): one sent on or before
    this day and still unanswered is overdue."""
    return timezone.localdate() - timedelta(days=7)


def overdue_letters_remind(*, today: datetime.date | None = None) -> int:
    """The weekly round (seed 000: 每周处理一次): each school's directors are told how many
    letters have waited more than a week for a reply, once a week (a rerun tells no one
    again). The notice names a number and the letterbox, never a letter's words."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=7)
    week_start = today - timedelta(days=today.weekday())
    url = reverse("letters:letterbox") + "?shown=overdue"
    waiting = (
        Letter.objects.filter(answered_at__isnull=True, sent_on__lte=cutoff)
        .values("school_id")
        .annotate(count=Count("pk"))
    )
    told = 0
    for row in waiting:
        already = Notification.objects.filter(
            school_id=row["school_id"], url=url, created_at__date__gte=week_start
        ).values_list("recipient_id", flat=True)
        recipients = holders_of(row["school_id"], Role.DIRECTOR).exclude(pk__in=list(already))
        told += len(
            notify(
                recipients=recipients,
                title=ngettext(
                    "%(n)s letter has waited more than a week for a reply",
                    "%(n)s letters have waited more than a week for a reply",
                    row["count"],
                )
                % {"n": row["count"]},
                url=url,
                level=Notification.Level.ACTION,
                school_id=row["school_id"],
            )
        )
    return told
