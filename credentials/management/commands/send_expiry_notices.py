"""Send the access key expiry notices due now: what the worker's daily task does, for cron."""

from __future__ import annotations

from credentials.expiry_notices import send_expiry_notices
from credentials.management.base import OperatorCommand


class Command(OperatorCommand):
    help = (
        "Send the access key expiry notices due now: an email to the owner (system-generated keys: the "
        "organization's admins) and the webhook event access_key.expiring at 7 days and at 1 day before a "
        "key expires, and access_key.expired once it has. Each is sent once per key and threshold, however "
        "often this runs. The task worker does the same every day; run this from cron where it does not."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print a JSON array of the notices sent")

    def handle(self, *args, **options) -> None:
        rows = [
            {
                "key_id": access_key.key_id,
                "name": access_key.name,
                "organization": access_key.organization.slug,
                "notice": "expired" if threshold == 0 else f"{threshold} days",
            }
            for access_key, threshold in send_expiry_notices()
        ]
        if options["json"]:
            self.write_json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['key_id']}\t{row['organization']}\t{row['name']}\t{row['notice']}")
        self.stdout.write(f"Sent {len(rows)} expiry notice{'s' if len(rows) != 1 else ''}.")
