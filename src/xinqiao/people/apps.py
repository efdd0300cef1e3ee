from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "xinqiao.people"
    label = "people"
    verbose_name = _("School organisation and people")

    def ready(self) -> None:
        from xinqiao.core import directory
        from xinqiao.core.history import track
        from xinqiao.people.models import District, RoleAssignment, School
        from xinqiao.people.selectors import PeopleRoleDirectory

        for model in (District, School, RoleAssignment):
            track(model)
        directory.register(PeopleRoleDirectory())
        from xinqiao.people import workbench

        workbench.register()
