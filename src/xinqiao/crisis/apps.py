from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "xinqiao.crisis"
    label = "crisis"
    verbose_name = _("Crisis alerts")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.crisis.board import register_board_section
        from xinqiao.crisis.models import Alert, EscalationPolicy
        from xinqiao.crisis.views_escalation import open_alerts_section

        track(Alert)
        track(EscalationPolicy)
        register_board_section("alerts", "crisis/board_alerts.html", open_alerts_section, order=10)
