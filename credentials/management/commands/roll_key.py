"""Roll one access key: a new secret for the same key ID, the current one working for a grace time."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.views.decorators.debug import sensitive_variables

from credentials import keys
from credentials.actions.access_keys import do_roll_access_key
from credentials.management.base import OPERATOR, OperatorCommand
from credentials.models import AccessKey


class Command(OperatorCommand):
    help = (
        "Roll an access key by its key ID: it gets a new secret, printed once, and keeps its ID. The current "
        "secret keeps working for the grace time (never beyond the key's expiry); a secret an earlier roll "
        "replaced stops at once. Connections established with the key are kept."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("key_id", metavar="KEY_ID", help="the access key ID (public), as shown in the key list")
        parser.add_argument(
            "--grace",
            choices=list(keys.ROLL_GRACE_PERIODS),
            default="now",
            help="how long the current secret keeps working: now (default), 1h, 24h, 3d or 7d",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    @sensitive_variables("secret")
    def handle(self, *args, **options) -> None:
        access_key = AccessKey.objects.select_related("organization").filter(key_id=options["key_id"]).first()
        if access_key is None:
            raise CommandError(f"No access key with the ID “{options['key_id']}”.")
        try:
            secret = do_roll_access_key(
                access_key.organization,
                access_key,
                keys.ROLL_GRACE_PERIODS[options["grace"]][1],
                actor=OPERATOR,
                via="manage.py",
            )
        except ValueError as refused:
            raise CommandError(str(refused)) from None
        until = access_key.previous_secret_until
        if options["json"]:
            self.write_json(
                {
                    "key_id": access_key.key_id,
                    "organization": access_key.organization.slug,
                    "secret": secret,
                    "previous_secret_until": until.isoformat() if until else None,
                }
            )
            return
        self.stdout.write(f"Rolled access key {access_key.key_id} ({access_key.organization.slug}).")
        self.stdout.write(f"New secret (shown once): {secret}")
        if until:
            self.stdout.write(f"The previous secret works until {until.isoformat()}.")
        else:
            self.stdout.write("The previous secret has stopped working.")
