import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role, is_staff_member

rules.add_perm("people.view_school_list", has_role(Role.ADMIN, Role.DISTRICT) | is_staff_member)
rules.add_perm("people.view_school", has_role(Role.ADMIN, Role.DISTRICT) | is_staff_member)
