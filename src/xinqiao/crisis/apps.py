from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "xinqiao.crisis"
    label = "crisis"
    verbose_name = _("Crisis alerts")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.core.home_links import register_role_link
        from xinqiao.core.notifications import register_acknowledgement_handler
        from xinqiao.core.roles import Role
        from xinqiao.crisis import retention
        from xinqiao.crisis.board import register_board_section
        from xinqiao.crisis.models import (
            Alert,
            DangerPhrase,
            EscalationPolicy,
            PhraseFlag,
            ReportForward,
            WeeklyReport,
            WorriedItem,
        )
        from xinqiao.crisis.selectors_reports import board_week
        from xinqiao.crisis.services import alert_notice_acknowledged
        from xinqiao.crisis.views_escalation import open_alerts_section

        for model in (
            Alert,
            EscalationPolicy,
            DangerPhrase,
            PhraseFlag,
            WeeklyReport,
            WorriedItem,
            ReportForward,
        ):
            track(model)
        retention.register()
        register_acknowledgement_handler(alert_notice_acknowledged)
        register_board_section("alerts", "crisis/board_alerts.html", open_alerts_section, order=10)
        register_board_section(
            "reports",
            "crisis/reports/board_section.html",
            lambda *, request, school, now: board_week(request.user),
            order=20,
        )
        # The home page's cards promise these roles a weekly report (core/roles.py).
        for role in (Role.COMMITTEE_MEMBER, Role.DORM_LIAISON):
            register_role_link(role, _("Write this week's report"), "crisis:report_mine")
        from xinqiao.crisis import workbench

        workbench.register()
