from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "xinqiao.cases"
    label = "cases"
    verbose_name = _("Case work and the student file")

    def ready(self) -> None:
        from xinqiao.cases import models
        from xinqiao.cases.crisis_casework import crisis_case_work
        from xinqiao.core.history import track
        from xinqiao.crisis.casework import register_case_work
        from xinqiao.crisis.recipients import register_student_counselors
        from xinqiao.people.care import register_counseling_pairs

        for model in (
            models.ProblemCategory,
            models.Case,
            models.CaseCounselor,
            models.Assessment,
            models.Conference,
            models.ConferenceParticipant,
            models.SupportPlan,
            models.PlanMeasure,
            models.MeasureActivity,
            models.SessionRecord,
            models.StageSummary,
            models.Evaluation,
            models.OutsideService,
            models.Referral,
            models.Consent,
            models.TypicalCase,
            models.AccessGrant,
        ):
            track(model)
        register_student_counselors(models.open_case_counselor_ids)
        register_case_work(crisis_case_work)
        register_counseling_pairs(models.counseling_pairs)
        from xinqiao.cases import retention, workbench

        retention.register()
        workbench.register()
