"""The access kernel: who sees which rows, one getter, and where refusals are written.

No model is visible by default (DESIGN.md, cross-cutting invariants; docs/architecture.md).
Every concrete model with a school or an encrypted field subclasses ``ProtectedModel`` and
declares either

- ``visibility_q(user)``: a classmethod returning the ``Q`` of the rows ``user`` may see, or
- ``scope_parent = "<foreign key>"``: it is visible exactly when that parent is (a session
  record is visible when its case is).

``Model.objects.for_user(user)`` applies the declaration. Views, htmx fragments, the API and
exports reach one object through ``get_or_refuse``: "not found" for missing and not-yours
alike, 403 for an object the user sees but may not act on, every refusal of confidential
material (``confidential = True`` on the model or its scope parent) written to the access log,
and the read itself recorded when the caller asks for it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NOTHING = Q(pk__in=[])
# One answer for missing and not-yours alike: it must not tell which.
NOT_FOUND = "Not found."


def is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class ProtectedQuerySet(models.QuerySet):
    def for_user(self, user) -> ProtectedQuerySet:
        """The rows ``user`` may see under the model's declaration (none when signed out)."""
        if not is_active_user(user):
            return self.none()
        return self.filter(self.model.visibility_q(user))


class ProtectedModel(models.Model):
    """Base of every model whose rows are not everybody's to see."""

    # The foreign key whose visibility this model takes (instead of its own visibility_q).
    scope_parent: ClassVar[str | None] = None
    # Case or note material: refusals are written to the access log (seed 000: duty staff must
    # not read stored material, and the director sees who tried).
    confidential: ClassVar[bool] = False

    objects = ProtectedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def parent_model(cls) -> type[ProtectedModel] | None:
        if cls.scope_parent is None:
            return None
        return cls._meta.get_field(cls.scope_parent).related_model

    @classmethod
    def visibility_q(cls, user) -> Q:
        """Visible when the scope parent is; a model without a declaration shows nothing."""
        parent = cls.parent_model()
        if parent is None:
            raise ImproperlyConfigured(
                f"{cls._meta.label} declares neither visibility_q nor scope_parent "
                "(see docs/architecture.md)."
            )
        return Q(**{f"{cls.scope_parent}__in": parent._default_manager.for_user(user).values("pk")})

    @classmethod
    def is_confidential(cls) -> bool:
        parent = cls.parent_model()
        return cls.confidential or bool(parent is not None and parent.is_confidential())


def declares_visibility(model: type[models.Model]) -> bool:
    """True when ``model`` says who sees it (the architecture test asks this of every model)."""
    if not issubclass(model, ProtectedModel):
        return False
    if model.scope_parent is not None:
        return True
    return any(
        "visibility_q" in vars(klass)
        for klass in model.__mro__
        if klass is not ProtectedModel and issubclass(klass, ProtectedModel)
    )


def school_members_q(user) -> Q:
    """Rows of every school the user holds a role in: organisational data, never confidential."""
    return Q(school_id__in=user.school_ids)


def require(user, perm: str, obj=None) -> None:
    """Refuse (403) unless ``perm`` allows it; the API answers the same status as the pages."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(f"refused: {perm}")


def school_lookup(model: type[models.Model]) -> str | None:
    """The lookup from ``model`` to its school's id: its own school, else its school parent's
    or scope parent's (a referral through its case, a measure through its plan)."""
    if any(field.name == "school" for field in model._meta.concrete_fields):
        return "school_id"
    parent = getattr(model, "school_parent", None) or getattr(model, "scope_parent", None)
    if parent is None:
        return None
    inner = school_lookup(model._meta.get_field(parent).related_model)
    return f"{parent}__{inner}" if inner else None


class TooManyRefusals(Exception):
    """More refusals a minute than ``settings.REFUSALS_PER_MINUTE``: answered 429
    (core/protection.py), and not written to the log row by row."""


def limit_refusals(request) -> None:
    """Refuse a person who is probing: a student once wrote 627 refusal rows in 4.5 s by
    asking for made-up case ids (issue 12). Past the limit the answer is 429 and the director
    of the person's school is told, once a day."""
    from xinqiao.core.models import AccessLog

    user = request.user
    if not is_active_user(user):
        return  # a signed-out caller is sent to sign in before any getter
    since = timezone.now() - timedelta(minutes=1)
    refused = AccessLog.objects.filter(actor_id=user.pk, action="denied", created_at__gte=since)
    if refused.count() < settings.REFUSALS_PER_MINUTE:
        return
    _tell_directors_of_probing(user)
    raise TooManyRefusals


def _tell_directors_of_probing(user) -> None:
    from xinqiao.core import directory
    from xinqiao.core.models import AccessLogHead, Notification
    from xinqiao.core.notifications import notify
    from xinqiao.core.roles import Role

    marker = f"({user.username})"
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        # The access log's lock: several server processes tell the director once between them.
        AccessLogHead.objects.select_for_update().get_or_create(pk=1)
        if probing_told(user.username, since=today):
            return
        for school_id in sorted(user.school_ids) or [None]:
            if school_id is None:
                recipients = directory.roles().holders(None, Role.ADMIN)
            else:
                recipients = directory.roles().holders(school_id, Role.DIRECTOR)
            notify(
                recipients=recipients,
                title=str(PROBING_TITLE),
                body=_(
                    "%(name)s %(marker)s was refused more than %(limit)s times within a minute, "
                    "asking for records they may not open; further attempts are turned away."
                )
                % {
                    "name": user.full_name or user.username,
                    "marker": marker,
                    "limit": settings.REFUSALS_PER_MINUTE,
                },
                level=Notification.Level.URGENT,
                school_id=school_id,
            )


PROBING_TITLE = gettext_lazy("Someone is probing for confidential records")


def probing_told(username: str, *, since) -> bool:
    """Whether the directors were told since ``since`` that ``username`` was probing (the
    privacy app's refusals flag asks it too, so the director is not told twice)."""
    from xinqiao.core.models import Notification

    titles = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            titles.add(str(PROBING_TITLE))
    told = Notification.objects.filter(body__contains=f"({username})", created_at__gte=since)
    return told.filter(title__in=titles).exists()


def record_refusal(request, model: type[models.Model], pk, perm: str, *, school_id=None) -> None:
    """Write a refused attempt to the log, with the school of what was asked for: the
    director of that school sees who tried to open what. Past the limit of refusals a minute
    nothing is written and the answer is 429 (``limit_refusals``)."""
    from xinqiao.core.access_log import record_access

    limit_refusals(request)
    lookup = school_lookup(model)
    if school_id is None and lookup is not None:
        school_id = model._default_manager.filter(pk=pk).values_list(lookup, flat=True).first()
    record_access(
        actor=request.user,
        action="denied",
        object_type=model._meta.label,
        object_id=pk,
        school_id=school_id,
        basis=f"refused: {perm}",
        request=request,
    )


def record_read(
    request, obj: models.Model, *, basis: str, action: str = "read", school_id=None
) -> None:
    """A read (print, export) of confidential material, with the rule or grant that allowed it."""
    from xinqiao.core.access_log import record_access

    record_access(
        actor=request.user,
        action=action,
        obj=obj,
        basis=basis,
        school_id=school_id,
        request=request,
    )


def _related(obj, path: str):
    for name in filter(None, path.split(".")):
        obj = getattr(obj, name)
    return obj


def get_or_refuse(
    request,
    queryset: models.QuerySet | type[models.Model],
    pk,
    perm: str | None = None,
    *,
    perm_on: str = "",
    lookup: str = "pk",
    confidential: bool | None = None,
):
    """The one getter for pages, fragments, the API and exports.

    The object when the user's scope holds it and ``perm`` (if given) allows it, asked of the
    object or of the related object ``perm_on`` names ("case", "plan.case"). Otherwise, for a
    confidential model (or on a route that is: ``confidential=True``) the attempt is written
    to the access log; the answer is 404 when the object is missing or not the user's to see,
    403 when they see it but may not do this.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    model = queryset.model
    user = request.user
    obj = queryset.for_user(user).filter(**{lookup: pk}).first()
    if obj is not None and (perm is None or user.has_perm(perm, _related(obj, perm_on))):
        return obj
    if model.is_confidential() if confidential is None else confidential:
        school_id = getattr(obj, "school_id", None) if obj is not None else None
        record_refusal(request, model, pk, perm or "view", school_id=school_id)
    if obj is None:
        raise Http404(NOT_FOUND)
    raise PermissionDenied(f"refused: {perm}")
