"""Watching the confidentiality rules work (issue 16): the access log for the director and the
supervision group, its filters and export, and the reading patterns flagged to the director."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "xinqiao.privacy"
    label = "privacy"
    verbose_name = _("Confidentiality oversight")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.privacy.models import AccessFlag

        track(AccessFlag)
        from xinqiao.privacy import workbench

        workbench.register()
