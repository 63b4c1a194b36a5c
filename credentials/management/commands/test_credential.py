"""manage.py test_credential <org-slug> <credential-id-or-name> [--organization child-slug] [--json]

Sends one request to the credential's Base URL, as Test connection does, and reports what happened.
Exit status: 0 when every test succeeded, 1 when one failed, 2 for bad arguments.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credentials import outbound
from credentials.actions.credentials import do_test_credential
from credentials.models import Credential, Organization

OPERATOR = "operator (manage.py)"


def _bad_arguments(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _not_found(message: str) -> CommandError:
    # Like every operator command: 1 for what does not exist, 2 for arguments that make no sense.
    return CommandError(message, returncode=1)


class Command(BaseCommand):
    help = "Test a credential: one request to its Base URL, reported in words (never the secret)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", help="the organization's slug")
        parser.add_argument("credential", help="the credential's ID or name")
        parser.add_argument(
            "--organization",
            dest="child",
            default="",
            help="for an org-specific credential: test only this organization's authentication (its slug)",
        )
        parser.add_argument("--json", action="store_true", help="print the results as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise _not_found(f"No organization with the slug “{options['organization']}”.")
        credential = self._credential(organization, options["credential"])
        child = options["child"]
        if child and not any(o is not None and o.slug == child for o in outbound.test_organizations(credential)):
            raise _bad_arguments(
                f"“{credential.name}” has no authentication for an organization “{child}”."
                if credential.org_specific
                else f"“{credential.name}” is not org-specific: leave out --organization."
            )
        results = [result for _, result in do_test_credential(credential, child, actor=OPERATOR)]
        if options["json"]:
            payload = {
                "credential": {"id": str(credential.pk), "name": credential.name},
                "ok": all(r.ok for r in results),
                "results": [r.as_dict() for r in results],
            }
            self.stdout.write(json.dumps(payload, indent=2))
        else:
            for result in results:
                who = f"{result.organization}: " if result.organization else ""
                self.stdout.write(f"{'OK' if result.ok else 'FAILED'} {who}{result.message}")
        if not all(r.ok for r in results):
            raise CommandError(f"Test connection failed for “{credential.name}”.", returncode=1)

    def _credential(self, organization: Organization, reference: str) -> Credential:
        credentials = Credential.objects.filter(organization=organization)
        try:
            found = credentials.filter(pk=uuid.UUID(reference)).first()
        except ValueError:
            found = None
        found = found or credentials.filter(name__iexact=reference.strip()).first()
        if found is None:
            raise _not_found(f"{organization.name} has no credential with the ID or name “{reference}”.")
        return found
