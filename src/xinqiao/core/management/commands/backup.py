import getpass
import sys
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xinqiao.core import backup, services_backup
from xinqiao.core.models import BackupRun


def stderr_progress(message: str, percent: int) -> None:
    print(f"[{percent:3d}%] {message}", file=sys.stderr, flush=True)


class Command(BaseCommand):
    help = (
        "Write one encrypted backup file (database, pending tasks, uploads) while the server runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, help="directory for the file (default: backups/)")
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args, **options):
        if backup.ensure_backup_key():
            self.stdout.write(
                _("Created the backup key file %(path)s (0600)")
                % {"path": backup.backup_key_file()}
            )
        run = services_backup.backup_run_begin(actor=None, by=getpass.getuser())
        run = services_backup.backup_run_perform(
            run=run,
            to=options["to"],
            echo=backup.no_progress if options["quiet"] else stderr_progress,
        )
        if run.status != BackupRun.Status.VERIFIED:
            raise CommandError(run.message)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Backup written and verified: %(file)s (%(rows)s rows). Keep the keys "
                    "(xinqiao keys export) apart from the backups."
                )
                % {"file": run.file_name, "rows": run.rows}
            )
        )
