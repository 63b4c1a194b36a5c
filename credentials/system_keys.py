"""System-generated access keys: issued for an integration by an operator, owned by no user."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from credentials import keys
from credentials.models import AccessKey, Organization


def issue_system_access_key(
    organization: Organization, *, name: str, role: str, expires_in_days: int | None
) -> tuple[AccessKey, str]:
    """Create a system-generated access key; returns it and its secret, which is never stored.

    The key's format and stored hash are those of every access key (``credentials/keys.py``), so the
    JSON API accepts it like any other.
    """
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    return keys.create_access_key(organization, name, system_generated=True, role=role, expires_at=expires_at)
