from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "xinqiao.crisis"
    label = "crisis"
    verbose_name = _("Crisis alerts")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.crisis.models import Alert, DangerPhrase, PhraseFlag

        track(Alert)
        track(DangerPhrase)
        track(PhraseFlag)
