import getpass
import os
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xinqiao.core import backup, services_backup
from xinqiao.core.key_export import keys_export, keys_import

PASSPHRASE_ENV = "XINQIAO_KEYS_PASSPHRASE"  # noqa: S105 -- the variable's name


class Command(BaseCommand):
    help = (
        "keys export FILE: every key file into one passphrase-protected file (for a USB stick or "
        "a printout); keys import FILE: bring them back into this data directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            help=f"read the passphrase from a file (or set {PASSPHRASE_ENV}); else it is asked",
        )
        parser.add_argument(
            "--force", action="store_true", help="import: replace different key files here"
        )

    def _passphrase(self, options, *, twice: bool) -> str:
        if options["passphrase_file"]:
            return options["passphrase_file"].read_text(encoding="utf-8").strip()
        if os.environ.get(PASSPHRASE_ENV):
            return os.environ[PASSPHRASE_ENV]
        first = getpass.getpass(_("Passphrase: "))
        if twice and getpass.getpass(_("The passphrase again: ")) != first:
            raise CommandError(_("The two passphrases differ; nothing was written."))
        return first

    def handle(self, *args, **options):
        path = options["file"]
        try:
            if options["action"] == "export":
                backup.ensure_backup_key()
                names = keys_export(self._passphrase(options, twice=True), path)
                services_backup.key_export_record(actor=None, by=getpass.getuser(), files=names)
                self.stdout.write(
                    self.style.SUCCESS(
                        _(
                            "Exported %(names)s to %(path)s. Keep it (and the passphrase) apart "
                            "from the backups: on a USB stick in a locked drawer, or printed."
                        )
                        % {"names": ", ".join(names), "path": path}
                    )
                )
            else:
                if not path.is_file():
                    raise CommandError(_("No key export at %(path)s.") % {"path": path})
                names = keys_import(
                    self._passphrase(options, twice=False), path, force=options["force"]
                )
                self.stdout.write(
                    self.style.SUCCESS(
                        _("Imported %(names)s; the keys are in place.")
                        % {"names": ", ".join(names)}
                    )
                )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
