"""Delete the credential proxy's usage records older than the retention (CREDHUB_USAGE_RETENTION_DAYS)."""

from __future__ import annotations

from django.conf import settings

from credentials.actions.usage import delete_old_usage
from credentials.management.base import OperatorCommand, bad_arguments


class Command(OperatorCommand):
    help = (
        "Delete the proxy's usage records older than CREDHUB_USAGE_RETENTION_DAYS days (30 by default), or "
        "--days N. Run it daily (cron or a systemd timer)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, metavar="N", help="keep the last N days instead")
        parser.add_argument("--dry-run", action="store_true", help="count the records that would go; delete nothing")
        parser.add_argument("--json", action="store_true", help='print {"deleted", "would_delete", "days"} as JSON')

    def handle(self, *args, **options) -> None:
        days = settings.CREDHUB_USAGE_RETENTION_DAYS if options["days"] is None else options["days"]
        if days < 0:
            raise bad_arguments("--days must be 0 or more.")
        count = delete_old_usage(days=days, dry_run=options["dry_run"])
        if options["json"]:
            self.write_json({"deleted": 0 if options["dry_run"] else count, "would_delete": count, "days": days})
            return
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(f"{verb} {count} usage record{'s' if count != 1 else ''} older than {days} days.")
