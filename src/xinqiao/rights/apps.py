"""A guardian's request for a copy or a correction of their child's records (PIPL art. 45-46,
issue 16 item 4): the director's decision, the 30-day deadline, the watermarked release and its
entry in the disclosure register."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "xinqiao.rights"
    label = "rights"
    verbose_name = _("Guardians' record requests")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.core.home_links import register_role_link
        from xinqiao.core.roles import Role
        from xinqiao.rights.models import NoteReview, RecordCorrection, RecordRequest

        # Every step of a request is in the change history; its texts (encrypted) are not,
        # nor the released copy.
        track(RecordRequest)
        track(NoteReview)
        track(RecordCorrection)
        from xinqiao.rights import workbench

        workbench.register()
        register_role_link(Role.GUARDIAN, _("Ask for your child's records"), "rights:ask")
        register_role_link(Role.DIRECTOR, _("Guardians' record requests"), "rights:request_list")
