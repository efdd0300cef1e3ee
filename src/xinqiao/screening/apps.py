from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "xinqiao.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.screening.models import Campaign, FollowUp, Participation

        # Every state change of a campaign, a participation (started, submitted, opted out)
        # and a follow-up is in the change history; the answers (saved every few seconds,
        # and encrypted) are not: their submission is the participation's change.
        track(Campaign)
        track(Participation)
        track(FollowUp)
