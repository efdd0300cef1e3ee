"""Who may write, read and answer letters (pages, the API, templates).

Students (and the student roles of the network) write; the counseling side of the school reads
and answers every letter of the school; the writer of a named letter reads it and its replies.
Nobody else opens a letter, whatever their role.
"""

import rules

from xinqiao.core.roles import Role
from xinqiao.core.rules import has_role, is_counseling_staff

is_pupil = has_role(Role.STUDENT, Role.COMMITTEE_MEMBER, Role.DORM_LIAISON)


@rules.predicate
def wrote_the_letter(user, letter) -> bool:
    return letter is not None and letter.writer_id is not None and letter.writer_id == user.pk


rules.add_perm("letters.send_letter", is_pupil)
rules.add_perm("letters.view_letterbox", is_counseling_staff)
rules.add_perm("letters.view_letter", is_counseling_staff | wrote_the_letter)
rules.add_perm("letters.reply_letter", is_counseling_staff)
