"""Who may do what with screening. The scale library (definitions and their licences) is read by
the counseling side, which chooses the scales; answers and scores will be theirs only too."""

import rules

from xinqiao.core.rules import is_counseling_staff

rules.add_perm("screening.view_scales", is_counseling_staff)
