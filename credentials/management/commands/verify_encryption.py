"""Check that every stored secret decrypts with the configured keys."""

from __future__ import annotations

from django.core.management.base import CommandError

from credentials import rotation
from credentials.management.base import OperatorCommand
from credentials.management.progress import ProgressBar


class Command(OperatorCommand):
    help = (
        "Check that every stored credential secret decrypts with the keys in CREDHUB_ENCRYPTION_KEYS. Exits 0 "
        "when all do; otherwise lists the failing rows (model, id, organization) and exits 1. Also counts the "
        "secrets not yet under the primary key: drop an old key only when that count is 0."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")

    def handle(self, *args, **options) -> None:
        progress = ProgressBar(self.stderr, "Verifying", enabled=not options["no_progress"])
        report = rotation.verify_all(progress=progress)
        if options["json"]:
            self.write_json(
                {
                    "ok": report.ok,
                    "checked": report.checked,
                    "checked_per_model": report.per_model,
                    "not_under_primary_key": report.not_under_primary_key,
                    "unreadable": [row.as_dict() for row in report.unreadable],
                }
            )
        else:
            for row in report.unreadable:
                self.stdout.write(row.line())
            if report.ok:
                self.stdout.write(f"All {report.checked} stored secrets decrypt.")
            self.stdout.write(f"Not yet under the primary key: {report.not_under_primary_key}.")
        if not report.ok:
            raise CommandError(f"{len(report.unreadable)} of {report.checked} stored secrets could not be decrypted.")
