from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import BaseCommand
from django.db import transaction

from xinqiao.core import crypto
from xinqiao.core.fields import encrypted_field_names


class Command(BaseCommand):
    help = "Add a new field-encryption key, re-encrypt every encrypted value, retire the old keys."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-old", action="store_true", help="keep the old keys in the key file"
        )

    def handle(self, *args, **options):
        old_keys = crypto.read_keys()
        new_key = Fernet.generate_key()
        # New key first (it encrypts), old keys still decrypt while values are rewritten.
        crypto.write_keys([new_key, *old_keys])
        total = 0
        with transaction.atomic():
            for model in apps.get_models():
                fields = encrypted_field_names(model)
                if not fields:
                    continue
                manager = model._base_manager
                for row in manager.only("pk", *fields).iterator(chunk_size=500):
                    values = {name: getattr(row, name) for name in fields}
                    manager.filter(pk=row.pk).update(**values)
                    total += 1
        if not options["keep_old"]:
            crypto.write_keys([new_key])
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {total} records with the new key"
                + ("." if options["keep_old"] else "; the old keys are retired.")
            )
        )
