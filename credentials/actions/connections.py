"""Connections (data sources and destinations): create, re-authenticate, edit, delete, and revoke them
when the credential or access key they depend on goes away.

The ``revoke_connections_for_*`` helpers write no audit event of their own: they run inside the action
that deletes or revokes what the connections depended on, and that action's event lists their names.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from credentials import audit
from credentials.actions import check_organization
from credentials.models import AccessKey, Connection, Credential, Organization
from credentials.webhooks.events import connection_data, emit


def revoke_connections(connections: QuerySet[Connection], reason: str) -> list[str]:
    """Mark the active ones among ``connections`` revoked; returns their names, sorted.
    Emits ``connection.revoked`` for each (the action that caused it has the actor in its audit event)."""
    active = list(connections.filter(status=Connection.Status.ACTIVE).select_related("organization").order_by("name"))
    Connection.objects.filter(pk__in=[c.pk for c in active]).update(
        status=Connection.Status.REVOKED, revoked_reason=reason[:200]
    )
    for connection in active:
        emit(
            connection.organization, "connection.revoked", {"connection": connection_data(connection), "reason": reason}
        )
    return [connection.name for connection in active]


def revoke_connections_for_credential(credential: Credential) -> list[str]:
    """Revoke the connections authenticated with ``credential``, which is being deleted."""
    return revoke_connections(credential.connections.all(), f"Credential “{credential.name}” was deleted.")


def revoke_connections_for_access_key(access_key: AccessKey, happened: str) -> list[str]:
    """Revoke the connections established with ``access_key``, which ``happened`` ("was revoked", ...)."""
    return revoke_connections(access_key.connections.all(), f"Access key “{access_key.name}” {happened}.")


def active_connections_of(related: Credential | AccessKey) -> QuerySet[Connection]:
    """The connections a delete of ``related`` would revoke, for the confirmation that names them."""
    return related.connections.filter(status=Connection.Status.ACTIVE).order_by("name")


def do_create_connection(
    organization: Organization,
    kind: str,
    connector: str,
    name: str,
    credential: Credential,
    *,
    actor: Any,
    request: HttpRequest | None = None,
) -> Connection:
    """Create an active connection authenticated with ``credential``; audits ``connection.created``."""
    with transaction.atomic():
        connection = Connection.objects.create(
            organization=organization, kind=kind, connector=connector, name=name, credential=credential
        )
        audit.record(
            "connection.created",
            organization=organization,
            actor=actor,
            target=connection,
            request=request,
            kind=kind,
            connector=connector,
            credential=credential.name,
        )
        data = {
            "connection": {
                **connection_data(connection),
                "credential": {"id": str(credential.pk), "name": credential.name},
            }
        }
        emit(organization, "connection.created", data, actor=actor)
    return connection


def do_reauthenticate_connection(
    organization: Organization,
    connection: Connection,
    credential: Credential,
    *,
    actor: Any,
    request: HttpRequest | None = None,
) -> None:
    """Point a (revoked) connection at another credential of its connector and make it active again;
    audits ``connection.reauthenticated`` with the previous credential's name."""
    check_organization(organization, connection, credential)
    with transaction.atomic():
        previous = connection.credential.name if connection.credential else ""
        connection.credential = credential
        connection.status = Connection.Status.ACTIVE
        connection.revoked_reason = ""
        connection.save(update_fields=["credential", "status", "revoked_reason", "updated_at"])
        audit.record(
            "connection.reauthenticated",
            organization=organization,
            actor=actor,
            target=connection,
            request=request,
            credential=credential.name,
            previous_credential=previous,
        )


def do_save_connection(
    organization: Organization,
    connection: Connection,
    changed: list[str],
    *,
    created: bool,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> None:
    """Store a connection whose fields the admin's validated form has set; audits ``connection.created``
    or ``connection.edited`` with the changed field names (an unchanged edit records nothing)."""
    check_organization(organization, connection)
    if not created and not changed:
        return
    with transaction.atomic():
        connection.save()
        audit.record(
            f"connection.{'created' if created else 'edited'}",
            organization=organization,
            actor=actor,
            target=connection,
            request=request,
            changed=list(changed),
            via=via,
        )
        if created:
            emit(organization, "connection.created", {"connection": connection_data(connection)}, actor=actor)


def do_delete_connection(
    organization: Organization, connection: Connection, *, actor: Any, request: HttpRequest | None = None, via: str = ""
) -> None:
    """Delete a connection; audits ``connection.deleted``."""
    check_organization(organization, connection)
    with transaction.atomic():
        audit.record(
            "connection.deleted",
            organization=organization,
            actor=actor,
            target=connection,
            request=request,
            via=via,
        )
        connection.delete()


def do_change_connection_credential(
    organization: Organization,
    connection: Connection,
    credential: Credential,
    *,
    actor: Any,
    request: HttpRequest | None = None,
) -> bool:
    """Point an active connection at another credential of its connector; audits
    ``connection.credential_changed`` with both credentials' names. Choosing the credential it already
    uses changes and records nothing; returns whether anything changed.

    A revoked connection is re-authenticated instead (:func:`do_reauthenticate_connection`): that also
    makes it active again, which is a different event for whoever reads the log."""
    check_organization(organization, connection, credential)
    if connection.status != Connection.Status.ACTIVE:
        raise ValueError(f"{connection!r} is revoked: re-authenticate it instead.")
    if connection.credential_id == credential.pk:
        return False
    previous = connection.credential
    try:
        with transaction.atomic():
            connection.credential = credential
            connection.save(update_fields=["credential", "updated_at"])
            audit.record(
                "connection.credential_changed",
                organization=organization,
                actor=actor,
                target=connection,
                request=request,
                credential=credential.name,
                previous_credential=previous.name if previous else "",
            )
    except BaseException:
        connection.credential = previous  # the caller's object says what the database still says
        raise
    return True


def do_rename_connection(
    organization: Organization,
    connection: Connection,
    name: str,
    *,
    actor: Any,
    request: HttpRequest | None = None,
) -> bool:
    """Rename a connection (``name`` already cleaned); audits ``connection.renamed`` with the previous
    name (``old_name``). The same name changes and records nothing; returns whether anything changed."""
    check_organization(organization, connection)
    if connection.name == name:
        return False
    old_name = connection.name
    try:
        with transaction.atomic():
            connection.name = name
            connection.save(update_fields=["name", "updated_at"])
            audit.record(
                "connection.renamed",
                organization=organization,
                actor=actor,
                target=connection,
                request=request,
                old_name=old_name,
            )
    except BaseException:
        connection.name = old_name  # the caller's object says what the database still says
        raise
    return True
