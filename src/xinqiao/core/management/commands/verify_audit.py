from django.core.management import BaseCommand, CommandError

from xinqiao.core.access_log import verify_chain
from xinqiao.core.models import AccessLog


class Command(BaseCommand):
    help = "Check the access log's hash chain; fail and name every changed or deleted row."

    def handle(self, *args, **options):
        problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(f"access log {problem}")
            raise CommandError(f"The access log was tampered with: {len(problems)} problem(s).")
        self.stdout.write(
            self.style.SUCCESS(f"Access log intact: {AccessLog.objects.count()} rows verified.")
        )
