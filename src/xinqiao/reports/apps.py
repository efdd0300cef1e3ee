from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "xinqiao.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.reports.models import ResearchExport

        # Each export's parameters and outcome in the change history; never its file
        # (encrypted fields are left out of the history).
        track(ResearchExport, exclude=("percent",))
