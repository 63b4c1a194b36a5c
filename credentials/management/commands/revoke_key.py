"""Revoke one access key and the connections established with it."""

from __future__ import annotations

from django.core.management.base import CommandError

from credentials.actions.access_keys import do_revoke_access_key
from credentials.management.base import OPERATOR, OperatorCommand
from credentials.models import AccessKey


class Command(OperatorCommand):
    help = (
        "Revoke an access key by its key ID: it stops working at once, stays listed as revoked, and every "
        "connection established with it is revoked. Revoking a revoked key changes nothing (exit 0)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("key_id", metavar="KEY_ID", help="the access key ID (public), as shown in the key list")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options) -> None:
        access_key = AccessKey.objects.select_related("organization").filter(key_id=options["key_id"]).first()
        if access_key is None:
            raise CommandError(f"No access key with the ID “{options['key_id']}”.")
        already = access_key.revoked_at is not None
        connections = (
            []
            if already
            else do_revoke_access_key(access_key.organization, access_key, actor=OPERATOR, via="manage.py")
        )
        if options["json"]:
            self.write_json(
                {
                    "key_id": access_key.key_id,
                    "organization": access_key.organization.slug,
                    "already_revoked": already,
                    "revoked_connections": connections,
                }
            )
            return
        if already:
            self.stdout.write(f"Access key {access_key.key_id} was already revoked.")
            return
        self.stdout.write(f"Revoked access key {access_key.key_id} ({access_key.organization.slug}).")
        for name in connections:
            self.stdout.write(f"Revoked connection: {name}")
