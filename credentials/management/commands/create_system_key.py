"""Create a system-generated access key for an integration; prints its ID and secret once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from credentials import allowed_addresses, gate
from credentials.actions.access_keys import do_create_system_access_key
from credentials.management.base import OPERATOR, OperatorCommand, bad_arguments
from credentials.models import AccessKey, Membership, Organization


class Command(OperatorCommand):
    help = (
        "Create a system-generated access key (owned by no user) with which an integration calls credhub's "
        "API. Prints CREDHUB_CLIENT_ID and CREDHUB_CLIENT_SECRET once, as .env lines (or --json): the secret "
        "is stored only as a hash and cannot be shown again. Without --expires-in-days the key follows the "
        "organization's default expiry. Without --use-credential or --use-all-credentials the key may use no "
        "credential through the credential proxy."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("organization", metavar="ORG", help="the organization's slug")
        parser.add_argument("--name", required=True, help="what the key is for, e.g. “Warehouse sync”")
        parser.add_argument("--role", choices=Membership.Role.values, default=Membership.Role.MEMBER)
        parser.add_argument("--expires-in-days", type=int, metavar="N", help="expire after N days (N ≥ 1)")
        parser.add_argument("--json", action="store_true", help="print the key as JSON")
        parser.add_argument(
            "--allow-address",
            action="append",
            default=[],
            metavar="ADDRESS",
            help="accept the key only from this IPv4/IPv6 address or CIDR range (repeatable; none: anywhere)",
        )
        uses = parser.add_mutually_exclusive_group()
        uses.add_argument(
            "--use-credential",
            action="append",
            default=[],
            metavar="NAME",
            help="let the key use this credential of the organization through the proxy (repeatable)",
        )
        uses.add_argument(
            "--use-all-credentials", action="store_true", help="let the key use every credential of the organization"
        )

    def handle(self, *args, **options) -> None:
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise bad_arguments("--name must be 1 to 100 characters.")
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise bad_arguments("--expires-in-days must be 1 or more.")
        organization = self.organization(options["organization"])
        if days is None:
            days = organization.access_key_default_expiry
        try:
            addresses = allowed_addresses.parse(options["allow_address"])
        except ValidationError as problem:
            raise bad_arguments(" ".join(problem.messages)) from None
        try:
            access_key, secret = do_create_system_access_key(
                organization,
                name,
                options["role"],
                days,
                actor=OPERATOR,
                addresses=addresses,
                **self.permissions(organization, options),
            )
        except ValueError as refused:  # longer than the organization's maximum lifetime
            raise bad_arguments(str(refused)) from None
        if options["json"]:
            self.write_json(
                {
                    "key_id": access_key.key_id,
                    "secret": secret,
                    "organization": organization.slug,
                    "role": access_key.role,
                    "expires_at": access_key.expires_at.isoformat() if access_key.expires_at else None,
                    "credential_access": access_key.credential_access,
                    "permitted_credentials": sorted(options["use_credential"]),
                    "allowed_addresses": access_key.allowed_addresses,
                }
            )
            return
        self.stderr.write(
            f"Created system-generated access key “{name}” for {organization.slug}"
            f"{', expires ' + access_key.expires_at.isoformat() if access_key.expires_at else ', never expires'}. "
            "The secret is shown once."
        )
        self.stdout.write(f"CREDHUB_CLIENT_ID={access_key.key_id}")
        self.stdout.write(f"CREDHUB_CLIENT_SECRET={secret}")

    def permissions(self, organization: Organization, options: dict[str, Any]) -> dict[str, Any]:
        """The credentials the key may use: by name, each one of the organization's (else exit 2)."""
        if options["use_all_credentials"] or options["use_credential"]:
            if not organization.api_credentials_enabled:
                raise bad_arguments(f"API credentials management is off for {organization.slug}: no credential to use.")
        if options["use_all_credentials"]:
            return {"credential_access": AccessKey.CredentialAccess.ALL}
        names = sorted(set(options["use_credential"]))
        if not names:
            return {}
        found = {
            credential.name: credential for credential in gate.credentials_for(organization).filter(name__in=names)
        }
        if missing := [name for name in names if name not in found]:
            raise bad_arguments(
                f"No credential named {', '.join(f'“{name}”' for name in missing)} in {organization.slug}."
            )
        return {"credential_access": AccessKey.CredentialAccess.SELECTED, "permitted_credentials": list(found.values())}
