"""Object factories: one place that knows how a test credential, connection or key is made.

Each takes the fields a test cares about and fills in the rest; the rows are real, made the way the
product makes them (keys through ``credentials/keys.py``, so their secrets authenticate).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from credentials import catalog, keys
from credentials.models import AccessKey, Connection, Credential, Organization


def make_credential(organization: Organization, name: str = "Billing API", **fields: Any) -> Credential:
    """A Basic-auth credential unless ``fields`` say otherwise."""
    fields.setdefault("base_url", "https://billing.example.com")
    fields.setdefault("auth_type", catalog.BASIC)
    if fields["auth_type"] == catalog.BASIC and not fields.get("org_specific"):
        fields.setdefault("secrets", {"username": "billing-user", "password": "s3cret-basic-password"})
    return Credential.objects.create(organization=organization, name=name, **fields)


def make_connection(organization: Organization, name: str = "Warehouse", **fields: Any) -> Connection:
    """An active data source unless ``fields`` say otherwise (give ``credential`` or ``access_key``)."""
    fields.setdefault("kind", Connection.Kind.SOURCE)
    fields.setdefault("connector", (fields.get("credential") or Credential(connector=catalog.HTTP_API)).connector)
    return Connection.objects.create(organization=organization, name=name, **fields)


def make_system_key(
    organization: Organization,
    name: str = "Warehouse sync",
    *,
    role: str = "member",
    expires_in_days: int | None = None,
) -> tuple[AccessKey, str]:
    """A system-generated access key (owned by no user), as (AccessKey, secret); nothing is audited."""
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    return keys.create_access_key(organization, name, system_generated=True, role=role, expires_at=expires_at)
