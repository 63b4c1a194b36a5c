"""Re-encrypt every stored secret under the primary (first) key of CREDHUB_ENCRYPTION_KEYS."""

from __future__ import annotations

import time

from django.core.management.base import CommandError

from credentials import rotation
from credentials.actions.encryption import do_rotate_encryption_key
from credentials.management.base import OPERATOR, OperatorCommand, bad_arguments
from credentials.management.progress import ProgressBar


class Command(OperatorCommand):
    help = (
        "Re-encrypt every credential secret under the primary (first) key of CREDHUB_ENCRYPTION_KEYS, in "
        "batches ordered by primary key, each committed on its own. Safe to interrupt and run again: secrets "
        "already under the primary key are skipped. A secret that no configured key decrypts is listed and "
        "left untouched, and the command exits 1. Progress goes to standard error, the summary to standard "
        "output."
    )

    def add_arguments(self, parser) -> None:
        default = rotation.BATCH_SIZE
        parser.add_argument("--batch-size", type=int, default=default, help=f"rows per batch (default {default})")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")

    def handle(self, *args, **options) -> None:
        if options["batch_size"] < 1:
            raise bad_arguments("--batch-size must be 1 or more.")
        started = time.monotonic()
        progress = ProgressBar(self.stderr, "Re-encrypting", enabled=not options["no_progress"])
        report = do_rotate_encryption_key(batch_size=options["batch_size"], progress=progress, actor=OPERATOR)
        seconds = time.monotonic() - started
        if options["json"]:
            self.write_json(
                {
                    "checked": report.checked,
                    "rotated": report.rotated,
                    "already_current": report.already_current,
                    "rotated_per_model": report.per_model,
                    "unreadable": [row.as_dict() for row in report.unreadable],
                    "seconds": round(seconds, 3),
                }
            )
        else:
            self.stdout.write(
                f"Checked {report.checked} secrets in {seconds:.1f}s: re-encrypted {report.rotated}, "
                f"{report.already_current} already under the primary key, {len(report.unreadable)} unreadable."
            )
            for row in report.unreadable:
                self.stdout.write(row.line())
        if not report.ok:
            raise CommandError(
                f"{len(report.unreadable)} secret(s) could not be decrypted with any configured key and were left "
                "untouched. Add the key they were encrypted with to CREDHUB_ENCRYPTION_KEYS and run this again."
            )
