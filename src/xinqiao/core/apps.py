from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xinqiao.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from xinqiao.core import history, signals  # noqa: F401  (connect receivers)

        history.register_core_models()
        from xinqiao.core import workbench_tiles

        workbench_tiles.register()
        from xinqiao.core import retention

        retention.register_core()
        from auditlog.models import LogEntry
        from django.db.backends.signals import connection_created
        from django.db.models.signals import pre_save

        from xinqiao.core import workbench_cache

        connection_created.connect(workbench_cache.install, dispatch_uid="xinqiao-workbench-writes")
        pre_save.connect(
            history.stamp_service_actor, sender=LogEntry, dispatch_uid="xinqiao-service-actor"
        )
