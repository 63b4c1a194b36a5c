"""Webhook endpoints: add, edit, enable or disable, roll the signing secret, delete; send a test event
and resend a delivery. Each change is audited; no audit detail carries a signing secret."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from credentials import audit
from credentials.actions import check_organization
from credentials.models import Credential, Organization, WebhookDelivery, WebhookEndpoint
from credentials.webhooks import delivery as deliveries
from credentials.webhooks import events, signing

# How long the secret before a roll still signs deliveries, so receivers can switch without a gap.
ROLL_OVERLAP = timedelta(hours=24)


@sensitive_variables("secret")
def do_create_endpoint(
    organization: Organization,
    *,
    name: str,
    url: str,
    event_types: list[str],
    credential: Credential | None = None,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Add an enabled endpoint with a new signing secret; returns it and the secret, shown once.
    Audits ``webhook.created``."""
    check_organization(organization, credential)
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            name=name,
            url=url,
            events=list(event_types),
            credential=credential,
            signing_secret={"secret": secret},
        )
        audit.record(
            "webhook.created",
            organization=organization,
            actor=actor,
            target=endpoint,
            request=request,
            url=url,
            events=list(event_types),
            credential=credential.name if credential else None,
            via=via,
        )
    return endpoint, secret


def do_edit_endpoint(
    organization: Organization,
    endpoint: WebhookEndpoint,
    *,
    name: str,
    url: str,
    event_types: list[str],
    credential: Credential | None,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> list[str]:
    """Change an endpoint's name, URL, events or credential; returns the changed field names (none: nothing
    is written). Audits ``webhook.edited``."""
    check_organization(organization, endpoint, credential)
    new = {
        "name": name,
        "url": url,
        "events": list(event_types),
        "credential_id": credential.pk if credential else None,
    }
    changed = [field for field, value in new.items() if getattr(endpoint, field) != value]
    if not changed:
        return []
    with transaction.atomic():
        for field, value in new.items():
            setattr(endpoint, field, value)
        endpoint.save(update_fields=[field.removesuffix("_id") for field in changed] + ["updated_at"])
        audit.record(
            "webhook.edited",
            organization=organization,
            actor=actor,
            target=endpoint,
            request=request,
            changed=[field.removesuffix("_id") for field in changed],
            via=via,
        )
    return changed


def do_set_endpoint_enabled(
    organization: Organization,
    endpoint: WebhookEndpoint,
    enabled: bool,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> None:
    """Enable or disable an endpoint (enabling clears an automatic disable and its run of failures).
    Audits ``webhook.enabled`` or ``webhook.disabled``; no change records nothing."""
    check_organization(organization, endpoint)
    if endpoint.enabled == enabled:
        return
    with transaction.atomic():
        endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since = enabled, "", None
        endpoint.save(update_fields=["enabled", "disabled_reason", "failing_since", "updated_at"])
        audit.record(
            f"webhook.{'enabled' if enabled else 'disabled'}",
            organization=organization,
            actor=actor,
            target=endpoint,
            request=request,
            via=via,
        )


@sensitive_variables("secret")
def do_roll_signing_secret(
    organization: Organization,
    endpoint: WebhookEndpoint,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> str:
    """Give the endpoint a new signing secret, shown once; the old one keeps signing for 24 hours.
    Audits ``webhook.secret_rolled``."""
    check_organization(organization, endpoint)
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint.previous_secret = endpoint.signing_secret
        endpoint.previous_secret_expires_at = timezone.now() + ROLL_OVERLAP
        endpoint.signing_secret = {"secret": secret}
        endpoint.save(update_fields=["signing_secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
        audit.record(
            "webhook.secret_rolled",
            organization=organization,
            actor=actor,
            target=endpoint,
            request=request,
            previous_valid_until=endpoint.previous_secret_expires_at.isoformat(),
            via=via,
        )
    return secret


def do_delete_endpoint(
    organization: Organization,
    endpoint: WebhookEndpoint,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> None:
    """Delete an endpoint and its delivery log; audits ``webhook.deleted``."""
    check_organization(organization, endpoint)
    with transaction.atomic():
        audit.record(
            "webhook.deleted",
            organization=organization,
            actor=actor,
            target=endpoint,
            request=request,
            url=endpoint.url,
            via=via,
        )
        endpoint.delete()


def do_send_test_event(
    organization: Organization, endpoint: WebhookEndpoint, *, actor: Any, request: HttpRequest | None = None
) -> WebhookDelivery:
    """Send a ``webhook.test`` event to this endpoint at once (in this request, not on the queue) and
    return its delivery with the outcome; a failure is retried like any other. Audits ``webhook.test_sent``."""
    check_organization(organization, endpoint)
    with transaction.atomic():
        (delivery,) = events.emit(
            organization,
            "webhook.test",
            {"endpoint": events.endpoint_data(endpoint)},
            actor=actor,
            endpoints=[endpoint],
        )
        audit.record("webhook.test_sent", organization=organization, actor=actor, target=endpoint, request=request)
    # The task queued on commit finds the delivery already attempted and does nothing.
    deliveries.attempt(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def do_resend_delivery(
    organization: Organization,
    delivery: WebhookDelivery,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> WebhookDelivery:
    """Queue the delivery's event again for its endpoint, with the same ``webhook-id`` (receivers that
    already have it can tell); returns the new delivery. Audits ``webhook.delivery_resent``."""
    endpoint = delivery.endpoint
    check_organization(organization, endpoint)
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            payload=delivery.payload,
            next_attempt_at=timezone.now(),
        )
        audit.record(
            "webhook.delivery_resent",
            organization=organization,
            actor=actor,
            target=endpoint,
            request=request,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            via=via,
        )
        transaction.on_commit(lambda: deliveries.enqueue([again.pk]), robust=True)
    return again
