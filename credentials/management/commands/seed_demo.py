"""Seed the demo: Acme with two child organizations, Globex, their users and a few credentials.

Acme shows the states a newcomer should meet: legacy API keys deprecated (with a sunset date and one
key left), a system-generated access key, and a "Local echo" credential whose Test connection succeeds
offline against the echo endpoint credhub serves under DEBUG. Globex keeps API keys enabled.

Idempotent: running it again leaves what exists as it is and adds only what is missing.
"""

from __future__ import annotations

import os
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from credentials import catalog
from credentials.actions.access_keys import do_create_system_access_key
from credentials.actions.api_keys import do_generate_api_key
from credentials.actions.organizations import do_create_organization, do_edit_organization
from credentials.audit import OPERATOR
from credentials.models import AccessKey, Connection, Credential, Membership, Organization, OrganizationCredential
from credentials.views.pages import DEMO_ECHO_TOKEN

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

        address = f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
        if not acme.credentials.filter(name="Local echo").exists():
            Credential.objects.create(
                organization=acme,
                name="Local echo",
                description="Answers from credhub itself (DEBUG only): Test connection works offline.",
                base_url=f"{address}/demo/echo/",
                auth_type=catalog.BEARER,
                auth_settings={"key": "Authorization"},
                secrets={"value": DEMO_ECHO_TOKEN},
            )
        self._api_key_states(acme, globex)

        self.stdout.write(
            f"Demo ready. Sign in at {address}/accounts/login/ as acme-admin, acme-member, "
            f"globex-admin or operator (Django admin), password: {DEMO_PASSWORD}"
        )

    def _api_key_states(self, acme: Organization, globex: Organization) -> None:
        """Acme: one legacy API key, deprecated with a sunset date, and a system key; Globex: enabled."""
        if not acme.api_keys.exists():
            do_generate_api_key(acme, "Zapier (legacy)", actor=OPERATOR)
            self._set_policy(
                acme,
                api_key_policy=Organization.APIKeyPolicy.DEPRECATED,
                api_key_sunset_at=timezone.now() + timedelta(days=90),
            )
        if not AccessKey.objects.filter(organization=acme, system_generated=True).exists():
            do_create_system_access_key(acme, "Nightly import (system)", "member", None, actor=OPERATOR)
        if globex.api_key_policy != Organization.APIKeyPolicy.ENABLED:
            self._set_policy(globex, api_key_policy=Organization.APIKeyPolicy.ENABLED)

    def _set_policy(self, organization: Organization, **fields) -> None:
        changes = {name: (getattr(organization, name), value) for name, value in fields.items()}
        for name, value in fields.items():
            setattr(organization, name, value)
        do_edit_organization(organization, changes, actor=OPERATOR)

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
