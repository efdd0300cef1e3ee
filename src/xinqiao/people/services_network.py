"""State changes of the leadership group (领导小组) and its working groups (002_714d38c47455f8e7.txt).

002 sets the group up with one head (组长, the principal), deputies (副组长) and members, and
working sub-groups "as the work needs" (根据工作需要,设立……工作小组). Services trust their
caller: who may manage a school's groups is decided by the getter and the view
(``people.manage_network``, docs/architecture.md). Each writes its change-history row in its own
transaction (``core.history.service``).
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xinqiao.core.history import service
from xinqiao.core.models import User
from xinqiao.people.models import School, WorkGroup, WorkGroupMember
from xinqiao.people.network import leadership_group_of, staff_users_of_school


def _history(*, actor: User, instance, action: int, changes: dict) -> None:
    LogEntry.objects.log_create(
        instance, force_log=True, action=action, changes=changes, actor=actor
    )


@service
def work_group_create(
    *,
    actor: User,
    school: School,
    name: str,
    kind: str = WorkGroup.Kind.WORKING,
    parent: WorkGroup | None = None,
    remit: str = "",
) -> WorkGroup:
    """Set up the leadership group (one per school) or a working group under it.

    A working group without ``parent`` goes under the school's leadership group.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the group a name.")})
    # Lock the school row: two managers creating groups at once are taken one at a time.
    School.objects.select_for_update().get(pk=school.pk)
    if kind == WorkGroup.Kind.LEADERSHIP:
        if parent is not None:
            raise ValidationError(_("The leadership group is not part of another group."))
        if leadership_group_of(school) is not None:
            raise ValidationError(_("The school already has a leadership group."))
    elif kind == WorkGroup.Kind.WORKING:
        parent = parent or leadership_group_of(school)
        if parent is None:
            raise ValidationError(
                _("Set up the leadership group first: working groups belong to it.")
            )
        if parent.school_id != school.pk or parent.kind != WorkGroup.Kind.LEADERSHIP:
            raise ValidationError(
                _("A working group belongs to the leadership group of its school.")
            )
    else:
        raise ValidationError(_("Unknown kind of group."))
    if WorkGroup.objects.filter(school=school, name=name).exists():
        raise ValidationError({"name": _("The school already has a group of that name.")})
    group = WorkGroup.objects.create(
        school=school, name=name, kind=kind, parent=parent, remit=remit.strip()
    )
    _history(
        actor=actor,
        instance=group,
        action=LogEntry.Action.CREATE,
        changes={"name": [None, name], "kind": [None, kind], "parent": [None, str(parent)]},
    )
    return group


@service
def work_group_member_add(
    *, actor: User, group: WorkGroup, user: User, position: str
) -> WorkGroupMember:
    """Put a staff member of the group's school into ``group`` at ``position``.

    A person sits in a group once; a group has one head (组长) at most.
    """
    if position not in WorkGroupMember.Position.values:
        raise ValidationError({"position": _("Choose a position.")})
    # Lock the group so that two heads cannot be added at the same moment.
    group = WorkGroup.objects.select_for_update().get(pk=group.pk)
    if not staff_users_of_school(group.school).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("Only the school's staff can join its groups.")})
    if group.members.filter(user=user).exists():
        raise ValidationError(
            {"user": _("%(name)s is already in this group.") % {"name": user.display_name}}
        )
    if position == WorkGroupMember.Position.LEADER:
        leader = group.members.filter(position=position).select_related("user").first()
        if leader is not None:
            raise ValidationError(
                {
                    "position": _("The group already has a head (%(name)s). Remove them first.")
                    % {"name": leader.user.display_name}
                }
            )
    member = WorkGroupMember.objects.create(group=group, user=user, position=position)
    _history(
        actor=actor,
        instance=member,
        action=LogEntry.Action.CREATE,
        changes={
            "group": [None, group.name],
            "user": [None, user.username],
            "position": [None, position],
        },
    )
    return member


@service
def work_group_member_remove(*, actor: User, member: WorkGroupMember) -> None:
    """Take a person out of a group (their other posts stay as they are)."""
    _history(
        actor=actor,
        instance=member,
        action=LogEntry.Action.DELETE,
        changes={
            "group": [member.group.name, None],
            "user": [member.user.username, None],
            "position": [member.position, None],
        },
    )
    member.delete()
