from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from xinqiao.core.access import ProtectedModel
from xinqiao.core.fields import EncryptedTextField
from xinqiao.core.roles import COUNSELING_ROLES, PUPIL_AND_FAMILY_ROLES, Role


def _new_salt() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    """A person who signs in. Schools and roles come from people.RoleAssignment."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Changing the salt ends every session and token of the account ("sign out everywhere").
    session_salt = models.CharField(max_length=32, default=_new_salt, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "xinqiao.core.User.session",
            f"{self.password}:{self.session_salt}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    # --- roles (cached per instance, i.e. per request) ---
    @property
    def role_map(self) -> dict[int | None, frozenset[str]]:
        """{school_id or None (installation-wide): roles held there}."""
        cached = getattr(self, "_role_map", None)
        if cached is None:
            from xinqiao.core import directory

            cached = directory.roles().role_map(self)
            self._role_map = cached
        return cached

    def forget_roles(self) -> None:
        self.__dict__.pop("_role_map", None)
        self.__dict__.pop("_district_ids", None)

    @property
    def district_ids(self) -> frozenset[int]:
        _ = self.role_map  # computing the map fills the districts too
        return getattr(self, "_district_ids", frozenset())

    @property
    def roles(self) -> frozenset[str]:
        return frozenset().union(*self.role_map.values()) if self.role_map else frozenset()

    def has_role(self, *roles: str, school_id: int | None = None) -> bool:
        if not self.is_authenticated or not self.is_active:
            return False
        if school_id is None:
            return bool(self.roles.intersection(roles))
        return bool(self.role_map.get(school_id, frozenset()).intersection(roles))

    @property
    def school_ids(self) -> frozenset[int]:
        return frozenset(k for k in self.role_map if k is not None)

    def school_ids_with(self, *roles: str) -> frozenset[int]:
        """The schools where the user holds one of ``roles`` (the kernel's building block)."""
        wanted = set(roles)
        return frozenset(
            school_id
            for school_id, held in self.role_map.items()
            if school_id is not None and held & wanted
        )

    @property
    def is_pupil_or_family(self) -> bool:
        """True when every role is a student's or a guardian's (no staff role at all)."""
        roles = self.roles
        return bool(roles) and roles <= PUPIL_AND_FAMILY_ROLES

    @property
    def reads_confidential(self) -> bool:
        return bool(self.roles & COUNSELING_ROLES)

    @property
    def is_system_admin(self) -> bool:
        return Role.ADMIN in self.roles


class AccessLog(models.Model):
    """Append-only record of every read, export or refusal of confidential material.

    Rows are chained by a keyed hash (``row_hash``, an HMAC of the row and the previous row's
    hash under the audit key kept outside the database), the database refuses UPDATE and DELETE
    by trigger, and the newest head is also kept in a signed file (core/access_log.py);
    ``xinqiao verify-audit`` checks all three.
    Foreign keys are not used: identifiers are copied so the record survives any deletion.
    """

    class Action(models.TextChoices):
        READ = "read", _("read")
        EXPORT = "export", _("export")
        PRINT = "print", _("print")
        DENIED = "denied", _("refused")
        EMERGENCY = "emergency", _("emergency access")
        DISCLOSE = "disclose", _("disclosure")

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    school_id = models.BigIntegerField(null=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    basis = models.CharField(_("grant or reason"), max_length=300, blank=True)
    # Whose file the read concerns and the access grant it rests on (issue 16): the director
    # filters the log by student and by grant. Rows written before them hold NULL, and the
    # chain hashes them only when set (core/access_log.py), so old rows verify unchanged.
    student_id = models.BigIntegerField(null=True, blank=True)
    grant_id = models.BigIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # Keyset pages of one person's, one student's or one grant's reads, newest first.
            models.Index(fields=["actor_id", "seq"], name="core_accesslog_actor_seq"),
            models.Index(fields=["student_id", "seq"], name="core_accesslog_student_seq"),
            models.Index(fields=["grant_id", "seq"], name="core_accesslog_grant_seq"),
        ]


class AccessLogHead(models.Model):
    """The last sequence number and hash, so that deleting the newest rows is detected too;
    and where the chain starts once its oldest rows were pruned after their retention period
    (``first_*``, signed with the audit key: core/access_log.py ``prune_access_log``)."""

    seq = models.PositiveBigIntegerField(default=0)
    row_hash = models.CharField(max_length=64, default="0" * 64)
    first_seq = models.PositiveBigIntegerField(default=1)
    first_prev_hash = models.CharField(max_length=64, default="0" * 64)
    first_mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("access log head")
        verbose_name_plural = _("access log heads")


class SecurityEvent(models.Model):
    """Sign-in events an administrator needs to see: failures, lockouts, unlocks, sign-outs."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("sign-in failed")
        SIGN_IN_THROTTLED = (
            "sign_in_throttled",
            _("sign-in refused: too many failures from the address"),
        )
        LOCKED_OUT = "locked_out", _("account locked")
        UNLOCKED = "unlocked", _("account unlocked")
        SECOND_FACTOR_FAILED = "otp_failed", _("wrong verification code")
        SECOND_FACTOR_ENROLLED = "otp_enrolled", _("two-factor sign-in set up")
        SIGNED_OUT = "signed_out", _("signed out")
        SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", _("signed out everywhere")
        IDLE_TIMEOUT = "idle_timeout", _("signed out after inactivity")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        ACCOUNT_ISSUED = "account_issued", _("account issued")
        DEACTIVATED = "deactivated", _("account disabled")
        KEYS_EXPORTED = "keys_exported", _("keys exported")
        KEYS_EXPORT_REFUSED = "keys_export_refused", _("key export refused: wrong password")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ip", "created_at"])]  # the address throttle's count
        verbose_name = _("security event")
        verbose_name_plural = _("security events")


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(
            revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True
        )


def api_token_expiry() -> datetime:
    """When a token made now ends (XINQIAO_API_TOKEN_DAYS)."""
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=api_token_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def awaiting_acknowledgement(self):
        return self.filter(requires_acknowledgement=True, acknowledged_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one person. It says what to do and where, never confidential text."""

    class Level(models.TextChoices):
        INFO = "info", _("information")
        ACTION = "action", _("action needed")
        URGENT = "urgent", _("urgent")

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    school_id = models.BigIntegerField(null=True, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("text"), max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Urgent notices count as delivered only once the person acknowledged them (issue 14);
    # until then they go out on the school's other channels (core/delivery.py).
    requires_acknowledgement = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_via = models.CharField(max_length=10, blank=True)
    # What the notice is about (model label and id, as in PendingStep): an app's
    # acknowledgement handler finds its own object by them; core imports no app.
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    @property
    def awaits_acknowledgement(self) -> bool:
        return self.requires_acknowledgement and self.acknowledged_at is None


class PendingStep(ProtectedModel):
    """A step that waits for one person to act (待办): a plan to approve, a closure to confirm,
    a leave request to decide, a conference to attend. Each app opens and closes its steps
    through ``core.steps``; the object waited on is named by its model label and id, since
    core imports no app. It holds a neutral title and a link, never confidential text."""

    kind = models.CharField(max_length=40)
    object_type = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    assignee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    school_id = models.BigIntegerField()
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    # The notice that told the assignee: read once the step is done, by whoever did it.
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("step waiting")
        verbose_name_plural = _("steps waiting")
        constraints = [
            # A step tells each person once, also when the same form is sent twice at once;
            # led by the object, it is also the index step_done looks steps up by.
            models.UniqueConstraint(
                fields=["object_type", "object_id", "kind", "assignee"],
                name="core_one_pending_step",
            )
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """One's own steps, at the schools where one still holds a role."""
        return Q(assignee_id=user.pk, school_id__in=user.school_ids)

    @property
    def waited_days(self) -> int:
        """Whole days since the step started (0 on its first day)."""
        return (timezone.localdate() - timezone.localdate(self.created_at)).days


class BackupRun(ProtectedModel):
    """One backup (its file, size and verification) or one export of the keys: what the
    administrator's page lists. Never any content of the school."""

    class Kind(models.TextChoices):
        BACKUP = "backup", _("backup")
        KEY_EXPORT = "key_export", _("key export")

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        VERIFIED = "verified", _("written and verified")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.BACKUP)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    requested_by_name = models.CharField(max_length=150, blank=True)
    file_name = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    rows = models.PositiveBigIntegerField(null=True, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("backup run")
        verbose_name_plural = _("backup runs")

    @property
    def file_basename(self) -> str:
        """The file's name without its folder (the page names the folders once)."""
        return Path(self.file_name).name

    @classmethod
    def visibility_q(cls, user) -> models.Q:
        """Installation data: the administrator's only."""
        return models.Q() if user.has_role(Role.ADMIN) else models.Q(pk__in=[])


class RetentionPolicy(ProtectedModel):
    """A school's own retention period for one record type of core/retention.py (in years);
    without a row the type's documented default holds."""

    school_id = models.BigIntegerField()
    record_type = models.CharField(max_length=60)
    years = models.PositiveSmallIntegerField(_("years"))
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        constraints = [
            models.UniqueConstraint(
                fields=["school_id", "record_type"], name="core_one_retention_policy"
            )
        ]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The directors of the school decide the periods."""
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR))


class RetentionRun(ProtectedModel):
    """That records past their period were deleted or anonymised: which type, how many, under
    which period, when and who decided, and why. Never the content, nor whose records."""

    class Action(models.TextChoices):
        DELETED = "deleted", _("deleted")
        ANONYMISED = "anonymised", _("anonymised")

    school_id = models.BigIntegerField(db_index=True)
    record_type = models.CharField(max_length=60)
    action = models.CharField(max_length=20, choices=Action.choices)
    count = models.PositiveIntegerField()
    years = models.PositiveSmallIntegerField()
    ended_before = models.DateField()
    reason = models.CharField(_("reason"), max_length=300)
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(max_length=150)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("retention deletion")
        verbose_name_plural = _("retention deletions")

    @classmethod
    def visibility_q(cls, user) -> Q:
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR))


class BackupIncident(ProtectedModel):
    """A time without a good backup, told once to the administrator and the directors: it
    starts at the last verified backup (or the installation), so the database, not a timer,
    keeps a failing or missing backup from being told again every hour."""

    class Kind(models.TextChoices):
        FAILED = "failed", _("the backup failed")
        MISSING = "missing", _("no backup for more than a day")

    since = models.DateTimeField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    told_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-since"]
        verbose_name = _("backup incident")
        verbose_name_plural = _("backup incidents")

    @classmethod
    def visibility_q(cls, user) -> models.Q:
        return BackupRun.visibility_q(user)


class DeliveryChannel(ProtectedModel):
    """An outside channel of one school that urgent notices go to when nobody acknowledged
    them in the app within ``after_minutes`` (issue 14): the person's e-mail, or a WeCom or
    DingTalk group robot. The robot's address holds its key, so it is encrypted like the
    signing secret, and neither is ever shown back."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("e-mail to the person")
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    school_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(_("channel"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    after_minutes = models.PositiveIntegerField(
        _("minutes without acknowledgement before this channel"),
        help_text=_("Counted from the notice; channels are tried in this order."),
    )
    webhook_url = EncryptedTextField(_("robot address (webhook)"), blank=True)
    secret = EncryptedTextField(_("signing secret"), blank=True)
    mention_mobiles = models.BooleanField(
        _("mention the person by mobile number"),
        default=True,
        help_text=_("WeCom then sends text instead of markdown (only text can mention)."),
    )
    enabled = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["school_id", "after_minutes", "id"]
        verbose_name = _("delivery channel")
        verbose_name_plural = _("delivery channels")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The administrator's (who sees every school, as people.School says)."""
        return Q() if user.has_role(Role.ADMIN) else Q(pk__in=[])


class Delivery(ProtectedModel):
    """One notice on one outside channel: sent at most once there (the unique constraint),
    claimed by one worker at a time under a lease, retried with backoff."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("not needed: acknowledged")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.ForeignKey(DeliveryChannel, on_delete=models.CASCADE, related_name="+")
    school_id = models.BigIntegerField(db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker owns the delivery until then; one killed mid-flight leaves it to the next.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-next_attempt_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="core_one_delivery_per_channel"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    @classmethod
    def visibility_q(cls, user) -> Q:
        """The director of the school and the administrator see how notices went out: titles
        and errors, never more (notices carry no confidential text)."""
        if user.has_role(Role.ADMIN):
            return Q()
        return Q(school_id__in=user.school_ids_with(Role.DIRECTOR))
