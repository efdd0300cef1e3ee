import importlib

from django.apps import apps
from django.core.management import BaseCommand
from django.db import transaction

from xinqiao.core.demo import DemoContext, print_logins


class Command(BaseCommand):
    help = "Load the demo school when the database has no school yet, then print its log-ins."

    def handle(self, *args, **options):
        # The apps are reached through the registry: core imports none of them (DESIGN layers).
        if apps.get_model("people", "School").objects.exists():
            self.stdout.write("The database has data already; the demo is not loaded again.")
        else:
            context = DemoContext()
            with transaction.atomic():
                # Each app may add to the demo in its own demo.py (build(context)), in app order.
                for config in apps.get_app_configs():
                    if not config.name.startswith("xinqiao."):
                        continue
                    try:
                        module = importlib.import_module(f"{config.name}.demo")
                    except ModuleNotFoundError:
                        continue
                    if hasattr(module, "build"):
                        module.build(context)
            self.stdout.write(self.style.SUCCESS("The demo school is loaded."))
        print_logins(self.stdout)
