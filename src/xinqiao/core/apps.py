from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xinqiao.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from xinqiao.core import history, signals  # noqa: F401  (connect receivers)

        history.register_core_models()
