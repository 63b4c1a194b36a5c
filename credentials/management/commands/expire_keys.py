"""Make access keys expire now: older than N days, or one key by its ID."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import CommandError
from django.db.models import Q
from django.utils import timezone

from credentials.actions.access_keys import do_expire_access_key
from credentials.management.base import OPERATOR, OperatorCommand, bad_arguments
from credentials.models import AccessKey


class Command(OperatorCommand):
    help = (
        "Expire access keys now: every key created more than N days ago (--older-than-days), or one key "
        "(--key-id); optionally only in one organization (--org). Revoked and already expired keys are "
        "skipped. Connections established with an expired key are revoked. Prints the keys expired."
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--older-than-days", type=int, metavar="N", help="keys created more than N days ago")
        which.add_argument("--key-id", metavar="KEY_ID", help="one access key, by its key ID")
        parser.add_argument("--org", metavar="SLUG", help="only keys of this organization")
        parser.add_argument("--dry-run", action="store_true", help="list the keys that would expire; change nothing")
        parser.add_argument("--json", action="store_true", help="print a JSON array of the keys")

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        keys = AccessKey.objects.select_related("organization").filter(revoked_at__isnull=True)
        keys = keys.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        if options["org"]:
            keys = keys.filter(organization=self.organization(options["org"]))
        if options["key_id"] is not None:
            if not AccessKey.objects.filter(key_id=options["key_id"]).exists():
                raise CommandError(f"No access key with the ID “{options['key_id']}”.")
            keys = keys.filter(key_id=options["key_id"])
        else:
            days = options["older_than_days"]
            if days < 0:
                raise bad_arguments("--older-than-days must be 0 or more.")
            keys = keys.filter(created_at__lt=now - timedelta(days=days))

        rows = []
        for access_key in keys.order_by("organization__slug", "created_at"):
            connections = []
            if not options["dry_run"]:
                connections = do_expire_access_key(access_key.organization, access_key, actor=OPERATOR, via="manage.py")
            rows.append(
                {
                    "key_id": access_key.key_id,
                    "name": access_key.name,
                    "organization": access_key.organization.slug,
                    "created_at": access_key.created_at.isoformat(),
                    "revoked_connections": connections,
                }
            )
        if options["json"]:
            self.write_json(rows)
            return
        verb = "Would expire" if options["dry_run"] else "Expired"
        for row in rows:
            self.stdout.write(f"{verb} {row['key_id']}\t{row['organization']}\t{row['name']}")
            for name in row["revoked_connections"]:
                self.stdout.write(f"  revoked connection: {name}")
        self.stdout.write(f"{verb} {len(rows)} access key{'s' if len(rows) != 1 else ''}.")
