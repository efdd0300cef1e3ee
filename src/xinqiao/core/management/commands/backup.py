import getpass
import sys
from pathlib import Path

from django.core.management import BaseCommand, CommandError

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
            self.stdout.write(f"Created the backup key file {backup.backup_key_file()} (0600)")
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
                f"Backup written and verified: {run.file_name} ({run.rows} rows). "
                "Keep the keys (xinqiao keys export) apart from the backups."
            )
        )
