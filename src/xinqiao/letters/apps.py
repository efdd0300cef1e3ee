from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "xinqiao.letters"
    label = "letters"
    verbose_name = _("Letterbox")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.letters.models import LetterReply

        # Not the letter itself: its change history would name the account that sent an
        # anonymous letter (letters/services.py). Replies are staff's acts and are tracked.
        track(LetterReply)
