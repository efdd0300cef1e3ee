from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "xinqiao.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from xinqiao.cases.case_sections import register_case_section, register_evaluation_initial
        from xinqiao.core.history import track
        from xinqiao.core.home_links import register_role_link
        from xinqiao.core.roles import Role
        from xinqiao.screening.models import Campaign, FollowUp, Participation
        from xinqiao.screening.views_case import case_section, evaluation_initial

        # The student's scale results on the case page, and one of them in the case's effect
        # evaluation (seed 003 效果评估: 问卷调查); cases imports nothing of screening.
        register_case_section("screening", "screening/case_section.html", case_section, order=50)
        register_evaluation_initial(evaluation_initial)
        from xinqiao.screening import workbench

        workbench.register()

        # Every state change of a campaign, a participation (started, submitted, opted out)
        # and a follow-up is in the change history; the answers (saved every few seconds,
        # and encrypted) are not: their submission is the participation's change.
        track(Campaign)
        track(Participation)
        track(FollowUp)
        # The home page's cards: the director runs the campaigns, class teachers follow their
        # class's completion, and pupils' cards promise "fill in questionnaires" (core/roles.py;
        # committee members and dorm liaisons are students too).
        register_role_link(Role.DIRECTOR, _("Screening campaigns"), "screening:campaign_list")
        register_role_link(Role.CLASS_TEACHER, _("Screening campaigns"), "screening:campaign_list")
        for role in (Role.STUDENT, Role.COMMITTEE_MEMBER, Role.DORM_LIAISON):
            register_role_link(role, _("Fill in questionnaires"), "screening:my_questionnaires")
