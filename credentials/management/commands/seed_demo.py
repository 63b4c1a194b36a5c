"""Seed the demo: Acme with two child organizations, Globex, their users and a few credentials.

Idempotent: running it again leaves what exists as it is and adds only what is missing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from credentials import catalog
from credentials.actions.organizations import do_create_organization
from credentials.audit import OPERATOR
from credentials.models import Connection, Credential, Membership, Organization, OrganizationCredential

DEMO_PASSWORD = "credhub-demo"


class Command(BaseCommand):
    help = "Create the demo organizations, users, credentials and connections (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        acme = self._organization("acme", "Acme", account_domain="acme.example.com")
        east = self._organization("acme-east", "Acme East", parent=acme)
        west = self._organization("acme-west", "Acme West", parent=acme)
        globex = self._organization("globex", "Globex", account_domain="globex.example.com")

        self._user("acme-admin", acme, Membership.Role.ADMIN)
        self._user("acme-member", acme, Membership.Role.MEMBER)
        self._user("globex-admin", globex, Membership.Role.ADMIN)
        User = get_user_model()
        if not User.objects.filter(username="operator").exists():
            User.objects.create_superuser("operator", "operator@example.com", DEMO_PASSWORD)

        if not acme.credentials.exists():
            analytics = Credential.objects.create(
                organization=acme,
                connector="kissmetrics",
                name="Kissmetrics production",
                description="Product analytics export.",
                base_url="https://api.kissmetrics.io",
                auth_type=catalog.BASIC,
                secrets={"username": "analytics@acme.example.com", "password": "demo-password-not-real"},
            )
            Credential.objects.create(
                organization=acme,
                connector="kimp360",
                name="Kimp360 design requests",
                base_url="https://api.kimp360.com",
                is_test=True,
                auth_type=catalog.HEADERS,
                auth_settings={"header_names": ["x-api-key"]},
                secrets={"x-api-key": "demo-kimp-key-not-real"},
            )
            regional = Credential.objects.create(
                organization=acme,
                name="Regional CRM",
                description="One API token per regional organization.",
                base_url="https://crm.example.com/api",
                org_specific=True,
                auth_type=catalog.BEARER,
                auth_settings={"key": "Authorization"},
                extra_headers=[["Accept", "application/json"]],
            )
            OrganizationCredential.objects.create(
                credential=regional, organization=east, secrets={"value": "demo-east"}
            )
            OrganizationCredential.objects.create(
                credential=regional, organization=west, secrets={"value": "demo-west"}
            )
            Connection.objects.create(
                organization=acme,
                kind=Connection.Kind.SOURCE,
                connector="kissmetrics",
                name="Kissmetrics events",
                credential=analytics,
            )
            Connection.objects.create(
                organization=acme,
                kind=Connection.Kind.DESTINATION,
                connector=catalog.HTTP_API,
                name="CRM sync",
                credential=regional,
            )

        self.stdout.write(
            "Demo ready. Sign in at http://127.0.0.1:8000/accounts/login/ as acme-admin, acme-member, "
            f"globex-admin or operator (Django admin), password: {DEMO_PASSWORD}"
        )

    def _organization(self, slug: str, name: str, **fields) -> Organization:
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            organization = do_create_organization(
                Organization(slug=slug, name=name, api_credentials_enabled=True, **fields), actor=OPERATOR
            )
        return organization

    def _user(self, username: str, organization: Organization, role: str) -> None:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, f"{username}@example.com", DEMO_PASSWORD)
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": role})
