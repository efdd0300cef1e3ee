"""State changes of the privacy app: the scan that writes flags, and the director's review."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinqiao.core import directory
from xinqiao.core.access import probing_told
from xinqiao.core.history import service
from xinqiao.core.models import AccessLogHead, Notification, User
from xinqiao.core.notifications import notify
from xinqiao.core.roles import Role
from xinqiao.privacy.detectors import DETECTORS, Finding, Scan
from xinqiao.privacy.models import AccessFlag, FlagScan

# Rows one scan reads at most: a first scan of a long log catches up over several runs (the
# scan holds the write lock of SQLite while it runs: a few thousand rows take milliseconds).
SCAN_ROWS = 10_000


def flags_scan(*, rows: int = SCAN_ROWS) -> list[AccessFlag]:
    """Run every detector over the rows written since the last scan and write what they find,
    each flag once, its director told once. Returns the flags written now."""
    with transaction.atomic():
        mark, _created = FlagScan.objects.select_for_update().get_or_create(pk=1)
        head = AccessLogHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
        upto = min(head, mark.seq + rows)
        written = []
        if upto > mark.seq:
            scan = Scan(after_seq=mark.seq, upto_seq=upto)
            for detector in DETECTORS:
                for finding in detector(scan):
                    flag = _flag_write(finding)
                    if flag is not None:
                        written.append(flag)
        mark.seq, mark.ran_at = max(mark.seq, upto), timezone.now()
        mark.save(update_fields=["seq", "ran_at"])
    return written


def _flag_write(finding: Finding) -> AccessFlag | None:
    """The flag, and its notice to the directors of the school; None when it was written
    before (the constraint decides, whichever scan came first)."""
    try:
        with transaction.atomic():
            flag = AccessFlag.objects.create(**finding.__dict__)
    except IntegrityError:
        return None
    if finding.kind == AccessFlag.Kind.REFUSALS and probing_told(
        finding.actor_username, since=finding.started_at
    ):
        return flag  # the access kernel told the director at once (core/access.py)
    person = User.objects.filter(pk=flag.actor_id).first()
    name = person.display_name if person else flag.actor_username
    notify(
        recipients=directory.roles().holders(flag.school_id, Role.DIRECTOR),
        title=_("A reading pattern to review: %(pattern)s") % {"pattern": flag.get_kind_display()},
        body=_("%(name)s (%(username)s): %(count)s between %(start)s and %(end)s.")
        % {
            "name": name,
            "username": flag.actor_username,
            "count": flag.count,
            "start": timezone.localtime(flag.started_at).strftime("%Y-%m-%d %H:%M"),
            "end": timezone.localtime(flag.ended_at).strftime("%H:%M"),
        },
        url=reverse("privacy:flag_detail", args=[flag.pk]),
        level=Notification.Level.ACTION,
        school_id=flag.school_id,
    )
    return flag


@service
def flag_review(*, actor: User, flag: AccessFlag, note: str) -> AccessFlag:
    """The director marks a flag reviewed, with a note (encrypted; its change is in the
    history, its text is not). A flag is reviewed once."""
    note = note.strip()
    if not note:
        raise ValidationError(_("Write what you found."))
    locked = AccessFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.reviewed_at is not None:
        raise ValidationError(_("This flag was reviewed already."))
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.review_note = note
    locked.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    return locked
