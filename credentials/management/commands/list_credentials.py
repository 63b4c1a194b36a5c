"""List an organization's credentials: metadata only, never a secret."""

from __future__ import annotations

from django.db.models import Prefetch

from credentials.management.base import OperatorCommand
from credentials.models import Credential, OrganizationCredential

COLUMNS = ("id", "name", "connector", "auth_type", "test", "org_specific", "base_url", "last_used_at")


class Command(OperatorCommand):
    help = "List an organization's credentials (metadata only: secrets are never printed or decrypted)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("organization", metavar="ORG", help="the organization's slug")
        parser.add_argument("--json", action="store_true", help="print a JSON array instead of a table")

    def handle(self, *args, **options) -> None:
        organization = self.organization(options["organization"])
        credentials = Credential.objects.filter(organization=organization).defer("secrets")
        rows = [
            {
                "id": str(credential.pk),
                "name": credential.name,
                "connector": credential.connector,
                "auth_type": credential.auth_type,
                "test": credential.is_test,
                "org_specific": credential.org_specific,
                "base_url": credential.base_url,
                "last_used_at": credential.last_used_at.isoformat() if credential.last_used_at else None,
                "organizations": [row.organization.slug for row in credential.organization_credentials.all()],
            }
            for credential in credentials.prefetch_related(
                Prefetch(
                    "organization_credentials",
                    queryset=OrganizationCredential.objects.defer("secrets").select_related("organization"),
                )
            )
        ]
        if options["json"]:
            self.write_json(rows)
            return
        # Tab-separated with a header line: readable, and `cut -f` friendly.
        self.stdout.write("\t".join(COLUMNS))
        for row in rows:
            self.stdout.write("\t".join(_cell(row[column]) for column in COLUMNS))


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("\t", " ")
