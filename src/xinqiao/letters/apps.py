from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "xinqiao.letters"
    label = "letters"
    verbose_name = _("Letterbox")

    def ready(self) -> None:
        from xinqiao.core.history import track
        from xinqiao.crisis.board import register_board_section
        from xinqiao.letters.models import LetterReply
        from xinqiao.letters.selectors import board_queue

        # The letterbox queue on the director's crisis board (crisis/board.py).
        register_board_section(
            "letters",
            "letters/board_section.html",
            lambda *, request, school, now: board_queue(request.user),
            order=30,
        )

        # Not the letter itself: its change history would name the account that sent an
        # anonymous letter (letters/services.py). Replies are staff's acts and are tracked.
        track(LetterReply)
        from xinqiao.letters import workbench

        workbench.register()
