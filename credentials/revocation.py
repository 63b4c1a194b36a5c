"""Deleting what connections depend on: the connections stay listed, revoked, until re-authenticated."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from credentials import audit
from credentials.models import AccessKey, Connection, Credential


def revoke_connections(connections: QuerySet[Connection], reason: str) -> list[str]:
    """Mark the active ones among ``connections`` revoked; returns their names."""
    active = connections.filter(status=Connection.Status.ACTIVE)
    names = list(active.order_by("name").values_list("name", flat=True))
    active.update(status=Connection.Status.REVOKED, revoked_reason=reason[:200])
    return names


def delete_credential(credential: Credential, *, actor: Any = None, request: Any = None) -> list[str]:
    """Delete a credential and revoke the connections that used it; returns their names."""
    with transaction.atomic():
        names = revoke_connections(credential.connections.all(), f"Credential “{credential.name}” was deleted.")
        audit.record(
            "credential.deleted",
            organization=credential.organization,
            actor=actor,
            target=credential,
            request=request,
            revoked_connections=names,
        )
        credential.delete()
    return names


def _revoke_key_connections(
    access_key: AccessKey, action: str, happened: str, *, actor: Any, request: Any, via: str = "", **details: Any
) -> list[str]:
    """Revoke the connections established with an access key that stopped working, and audit it."""
    names = revoke_connections(access_key.connections.all(), f"Access key “{access_key.name}” {happened}.")
    audit.record(
        action,
        organization=access_key.organization,
        actor=actor,
        target=access_key,
        request=request,
        key_id=access_key.key_id,
        revoked_connections=names,
        **details,
        **({"via": via} if via else {}),
    )
    return names


def delete_access_key(access_key: AccessKey, *, actor: Any = None, request: Any = None) -> list[str]:
    """Delete an access key and revoke the connections established with it; returns their names."""
    with transaction.atomic():
        names = _revoke_key_connections(access_key, "access_key.deleted", "was deleted", actor=actor, request=request)
        access_key.delete()
    return names


def revoke_access_key(access_key: AccessKey, *, actor: Any = None, request: Any = None, via: str = "") -> list[str]:
    """Revoke an access key (it stays listed but stops working) and the connections established with it.

    Revoking a key that is already revoked changes nothing and records nothing; returns the names of
    the connections revoked.
    """
    with transaction.atomic():
        access_key = AccessKey.objects.select_for_update().get(pk=access_key.pk)
        if access_key.revoked_at is not None:
            return []
        access_key.revoked_at = timezone.now()
        access_key.save(update_fields=["revoked_at"])
        return _revoke_key_connections(
            access_key, "access_key.revoked", "was revoked", actor=actor, request=request, via=via
        )


def expire_access_key(access_key: AccessKey, *, actor: Any = None, request: Any = None, via: str = "") -> list[str]:
    """Make an access key expire now and revoke the connections established with it; returns their names."""
    with transaction.atomic():
        access_key = AccessKey.objects.select_for_update().get(pk=access_key.pk)
        now = timezone.now()
        previous = access_key.expires_at
        if previous is None or previous > now:
            access_key.expires_at = now
            access_key.save(update_fields=["expires_at"])
        return _revoke_key_connections(
            access_key,
            "access_key.expired",
            "expired",
            actor=actor,
            request=request,
            via=via,
            previous_expiry=previous.isoformat() if previous else None,
        )
