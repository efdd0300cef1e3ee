from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xinqiao.core import backup, services_backup
from xinqiao.core.management.commands.backup import stderr_progress


class Command(BaseCommand):
    help = "Restore a backup file onto an empty data directory (or --force over an existing one)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace the data here (it is backed up first)"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args, **options):
        if not options["file"].is_file():
            raise CommandError(_("No backup file at %(path)s.") % {"path": options["file"]})
        try:
            result = backup.restore(
                options["file"],
                force=options["force"],
                progress=backup.no_progress if options["quiet"] else stderr_progress,
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        services_backup.backup_runs_settle_after_restore()
        if result.safety_backup:
            self.stdout.write(
                _("The data that was here is kept in %(path)s") % {"path": result.safety_backup}
            )
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restored the backup of %(created)s (%(engine)s, %(tables)s tables): row "
                    "counts, content hashes and the access log (%(audit_rows)s rows) verified."
                )
                % {
                    "created": manifest["created_at"],
                    "engine": manifest["engine"],
                    "tables": len(manifest["tables"]),
                    "audit_rows": result.audit_rows,
                }
            )
        )
