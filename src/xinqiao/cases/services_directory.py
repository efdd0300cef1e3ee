"""The school's directory of outside services (hospitals, clinics, community services) that a
case may be referred to (issue 6 item 7).

Services trust their caller: the getter and the view or API have decided that the actor may
do this (cases/access.py, cases/rules.py). Each service that takes an ``actor`` is a
``@service`` (core/history.py): one transaction, the actor recorded as the author in the change
history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xinqiao.cases.models import OutsideService
from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.people.models import School


@service
def service_save(
    *,
    actor: User,
    school: School,
    name: str,
    kind: str,
    address: str = "",
    phone: str = "",
    handles: str = "",
    is_active: bool = True,
    service: OutsideService | None = None,
) -> OutsideService:
    """Add a hospital, clinic or community service to the school's directory, or edit one."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the name of the service.")})
    if kind not in OutsideService.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of service it is.")})
    if service is not None and service.school_id != school.pk:
        raise ValidationError(_("Unknown service."))
    clash = OutsideService.objects.filter(school=school, name=name)
    if service is not None:
        clash = clash.exclude(pk=service.pk)
    if clash.exists():
        raise ValidationError({"name": _("The directory already has a service of this name.")})
    service = service or OutsideService(school=school)
    service.name, service.kind = name, kind
    service.address, service.phone = address.strip(), phone.strip()
    service.handles, service.is_active = handles.strip(), is_active
    service.save()
    return service


@service
def service_deactivate(*, actor: User, service: OutsideService) -> OutsideService:
    """Take a service out of use: past referrals keep it, new ones cannot choose it."""
    if service.is_active:
        service.is_active = False
        service.save(update_fields=["is_active"])
    return service
