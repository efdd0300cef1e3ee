from django.core.management import BaseCommand, CommandError

from xinqiao.core.access_log import reanchor, verify_chain
from xinqiao.core.models import AccessLog


class Command(BaseCommand):
    help = (
        "Check the access log: its keyed chain, its append-only triggers and the head file; "
        "fail and name every changed or deleted row."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reanchor",
            action="store_true",
            help="after restoring a database backup (or losing the head file): accept the "
            "database's newest row as the head, once everything else verifies",
        )

    def handle(self, *args, **options):
        problems = verify_chain()
        if options["reanchor"]:
            problems = [p for p in problems if "head file" not in p.message]
            if not problems:
                head = reanchor()
                self.stdout.write(f"Head file set to seq {head.seq if head else 0}.")
        if problems:
            for problem in problems:
                self.stderr.write(f"access log {problem}")
            raise CommandError(f"The access log was tampered with: {len(problems)} problem(s).")
        self.stdout.write(
            self.style.SUCCESS(f"Access log intact: {AccessLog.objects.count()} rows verified.")
        )
