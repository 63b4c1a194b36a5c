"""Print a new Fernet key for CREDHUB_ENCRYPTION_KEYS."""

from __future__ import annotations

from cryptography.fernet import Fernet

from credentials.management.base import OperatorCommand


class Command(OperatorCommand):
    help = (
        "Print a new Fernet key for CREDHUB_ENCRYPTION_KEYS. To rotate, put it in front of the existing keys, "
        "then run rotate_encryption_key and verify_encryption (see the README)."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(Fernet.generate_key().decode())
