"""The webhook event catalog, and :func:`emit`, which writes an event's deliveries into the outbox.

Actions call :func:`emit` inside their own transaction: the event exists exactly when the change does,
and its deliveries are queued only once that transaction commits. An event's ``data`` carries names,
IDs, the organization and the actor — never a secret, a key value or a hash.

"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from credentials import audit
from credentials.models import Organization, WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class EventType:
    code: str
    description: str
    # The keys of ``data`` besides organization and actor, as the README lists them.
    data: tuple[str, ...]


CATALOG: dict[str, EventType] = {
    event.code: event
    for event in (
        EventType("credential.created", "A credential was added.", ("credential",)),
        EventType("credential.updated", "A credential was edited or renamed.", ("credential", "changed")),
        EventType("credential.deleted", "A credential was deleted.", ("credential", "revoked_connections")),
        EventType(
            "credential.test_failed", "Test connection of a credential failed.", ("credential", "outcome", "failures")
        ),
        EventType("access_key.created", "An access key was created.", ("access_key",)),
        EventType("access_key.deleted", "An access key was deleted.", ("access_key", "revoked_connections")),
        EventType("access_key.expired", "An access key expired.", ("access_key", "revoked_connections")),
        EventType("access_key.expiring", "An access key expires within 7 days, or 1 day.", ("access_key", "days_left")),
        EventType(
            "access_key.permissions_changed",
            "The credentials an access key may use changed.",
            ("access_key", "credential_access", "permitted_credentials", "previous"),
        ),
        EventType(
            "access_key.addresses_changed",
            "The addresses an access key may be used from changed.",
            ("access_key", "allowed_addresses", "previous"),
        ),
        EventType("api_key.created", "An API key was generated.", ("api_key",)),
        EventType("api_key.deleted", "An API key was deleted.", ("api_key",)),
        EventType("connection.created", "A connection was created.", ("connection",)),
        EventType("connection.revoked", "A connection lost what it depended on.", ("connection", "reason")),
        EventType("organization.policy_changed", "A policy of the organization changed.", ("changes",)),
        EventType("webhook.test", "Sent by Send test event.", ("endpoint",)),
    )
}

CHOICES = [(code, code) for code in CATALOG]


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _organization_data(organization: Organization) -> dict[str, str]:
    return {"id": str(organization.pk), "slug": organization.slug, "name": organization.name}


def payload(organization: Organization, event_type: str, data: dict[str, Any], *, actor: Any) -> dict[str, Any]:
    """The body of every delivery of the event: ``{"type", "timestamp", "data"}``."""
    return {
        "type": event_type,
        "timestamp": timezone.now().isoformat(),
        "data": {**data, "organization": _organization_data(organization), "actor": audit.actor_label(actor)},
    }


def emit(
    organization: Organization,
    event_type: str,
    data: dict[str, Any],
    *,
    actor: Any = None,
    endpoints: list[WebhookEndpoint] | None = None,
) -> list[WebhookDelivery]:
    """Write one delivery per enabled endpoint of ``organization`` that subscribes to ``event_type``
    (or to ``endpoints`` only, as Send test event does); they are queued when the transaction commits."""
    if event_type not in CATALOG:
        raise ValueError(f"{event_type!r} is not in the webhook event catalog.")
    if endpoints is None:
        candidates = WebhookEndpoint.objects.filter(organization=organization, enabled=True)
        endpoints = [endpoint for endpoint in candidates if endpoint.subscribes_to(event_type)]
    if not endpoints:
        return []
    body = payload(organization, event_type, data, actor=actor)
    event_id = new_event_id()
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event_type=event_type, payload=body, next_attempt_at=now)
        for endpoint in endpoints
    )
    from credentials.webhooks.delivery import enqueue  # delivery imports the catalog's models too

    transaction.on_commit(partial(enqueue, [delivery.pk for delivery in deliveries]), robust=True)
    return deliveries


# What events say about the things they are about: IDs and names, nothing secret.


def credential_data(credential: Any) -> dict[str, Any]:
    return {"id": str(credential.pk), "name": credential.name, "auth_type": credential.auth_type}


def access_key_data(access_key: Any) -> dict[str, Any]:
    expires_at = access_key.expires_at
    return {
        "id": str(access_key.pk),
        "key_id": access_key.key_id,
        "name": access_key.name,
        "expires_at": expires_at.isoformat() if expires_at else None,
    }


def api_key_data(api_key: Any) -> dict[str, Any]:
    return {"id": str(api_key.pk), "name": api_key.name}


def connection_data(connection: Any) -> dict[str, Any]:
    return {
        "id": str(connection.pk),
        "name": connection.name,
        "kind": connection.kind,
        "connector": connection.connector,
    }


def endpoint_data(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"id": str(endpoint.pk), "name": endpoint.name, "url": endpoint.url}
