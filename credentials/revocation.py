"""Deleting what connections depend on: the connections stay listed, revoked, until re-authenticated."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from credentials import audit
from credentials.models import AccessKey, Connection, Credential


def revoke_connections(connections: QuerySet[Connection], reason: str) -> int:
    """Mark connections revoked; returns how many were active."""
    return connections.filter(status=Connection.Status.ACTIVE).update(
        status=Connection.Status.REVOKED, revoked_reason=reason[:200]
    )


def delete_credential(credential: Credential, *, actor: Any = None, request: Any = None) -> list[str]:
    """Delete a credential and revoke the connections that used it; returns their names."""
    with transaction.atomic():
        connections = credential.connections.all()
        names = list(connections.values_list("name", flat=True))
        revoke_connections(connections, f"Credential “{credential.name}” was deleted.")
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


def delete_access_key(access_key: AccessKey, *, actor: Any = None, request: Any = None) -> list[str]:
    """Delete an access key and revoke the connections established with it; returns their names."""
    with transaction.atomic():
        connections = access_key.connections.all()
        names = list(connections.values_list("name", flat=True))
        revoke_connections(connections, f"Access key “{access_key.name}” was deleted.")
        audit.record(
            "access_key.deleted",
            organization=access_key.organization,
            actor=actor,
            target=access_key,
            request=request,
            key_id=access_key.key_id,
            revoked_connections=names,
        )
        access_key.delete()
    return names
