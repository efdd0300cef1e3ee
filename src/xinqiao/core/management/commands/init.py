import os
import secrets

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.db import connection
from django.utils.translation import gettext as _

from xinqiao.core import access_log, backup, crypto
from xinqiao.core.data_files import make_private


class Command(BaseCommand):
    help = "Create the data directory, the database, the key files and a first admin account."

    def add_arguments(self, parser):
        parser.add_argument("--no-admin", action="store_true", help="do not create an admin")
        parser.add_argument("--admin-username", default="admin")

    def handle(self, *args, **options):
        data_dir = settings.DATA_DIR
        for sub in ("", "keys", "uploads", "backups"):
            (data_dir / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(data_dir / "keys", 0o700)
        secret_path = data_dir / "keys" / "secret_key"
        if not secret_path.exists() and not os.environ.get("XINQIAO_SECRET_KEY"):
            fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(64))
            self.stdout.write(_("Created the secret key file %(path)s") % {"path": secret_path})
        if crypto.ensure_key_file():
            self.stdout.write(
                _("Created the field-encryption key file %(path)s (0600)")
                % {"path": crypto.key_file()}
            )
        if access_log.ensure_audit_key():
            self.stdout.write(
                _("Created the access-log key file %(path)s (0600)")
                % {"path": settings.AUDIT_KEY_FILE}
            )
        if backup.ensure_backup_key():
            self.stdout.write(
                _("Created the backup key file %(path)s (0600)")
                % {"path": backup.backup_key_file()}
            )
        self.stdout.write(
            self.style.WARNING(
                _(
                    "Keep the keys apart from the backups: a backup is unreadable without its "
                    "keys, and a thief who finds both reads everything. Run `xinqiao keys "
                    "export` now and store the file (or its printout) somewhere other than the "
                    "backup disk."
                )
            )
        )
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(_("Database ready (%(engine)s).") % {"engine": connection.vendor})
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_admin"]:
            self._first_admin(options["admin_username"])
        make_private(data_dir)
        self.stdout.write(
            _("The data directory %(path)s is the owner's alone (0700, files 0600).")
            % {"path": data_dir}
        )

    def _first_admin(self, username: str) -> None:
        from xinqiao.core import directory
        from xinqiao.core.models import User
        from xinqiao.core.roles import Role

        if User.objects.filter(role_assignments__role=Role.ADMIN).exists():
            self.stdout.write(_("An administrator exists already; none created."))
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=username, password=password, full_name="系统管理员"
        )
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
        directory.roles().grant_installation_role(user, Role.ADMIN)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "First administrator: %(username)s / %(password)s\n"
                    "This password is shown once; it must be changed at the first sign-in."
                )
                % {"username": username, "password": password}
            )
        )
