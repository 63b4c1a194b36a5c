"""System-generated access keys: issued for an integration by an operator, owned by no user.

The key format (ID, secret, stored hash) belongs to ``credentials/keys.py`` from the API
authentication work. Until that module is merged, :func:`new_access_key_secret` below is a minimal
stand-in with the same promises — a random secret of 256 bits, stored only as a keyed hash — so that
:func:`issue_system_access_key` keeps one signature when the stand-in is swapped for it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from credentials.models import AccessKey, Organization


@dataclass(frozen=True)
class NewAccessKeySecret:
    key_id: str
    secret: str
    secret_hash: str


def new_access_key_secret() -> NewAccessKeySecret:
    """A fresh key ID and secret and the hash to store (stand-in for credentials/keys.py)."""
    key_id = "AK" + secrets.token_hex(10).upper()
    secret = "chsk_" + secrets.token_urlsafe(32)
    digest = hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()
    return NewAccessKeySecret(key_id=key_id, secret=secret, secret_hash=digest)


def issue_system_access_key(
    organization: Organization, *, name: str, role: str, expires_in_days: int | None
) -> tuple[AccessKey, str]:
    """Create a system-generated access key; returns it and its secret, which is never stored."""
    generated = new_access_key_secret()
    access_key = AccessKey.objects.create(
        organization=organization,
        owner=None,
        name=name,
        key_id=generated.key_id,
        secret_hash=generated.secret_hash,
        role=role,
        system_generated=True,
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return access_key, generated.secret
