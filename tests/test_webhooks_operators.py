"""Operators' roads to webhooks: the read-only admin with its Resend action, and the commands."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from credentials.actions import webhooks as actions
from credentials.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from credentials.webhooks import events


@pytest.fixture
def endpoint_with_a_failure(organization, admin_user):
    endpoint, secret = actions.do_create_endpoint(
        organization, name="Ops", url="https://hooks.example.com/in", event_types=[], actor=admin_user
    )
    (delivery,) = events.emit(
        organization, "webhook.test", {"endpoint": events.endpoint_data(endpoint)}, actor=admin_user
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=7, last_error="HTTP 500")
    return endpoint, secret, delivery


@pytest.fixture
def operator(django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password-123"))
    return client


def test_admin_shows_endpoints_and_deliveries_read_only_without_the_secret(operator, endpoint_with_a_failure):
    endpoint, secret, delivery = endpoint_with_a_failure
    page = operator.get(reverse("admin:credentials_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert (
        "hooks.example.com" in page
        and secret not in page
        and WebhookEndpoint.objects.get(pk=endpoint.pk).signing_secret.token not in page
    )
    assert 'name="name"' not in page  # nothing editable
    listing = operator.get(reverse("admin:credentials_webhookdelivery_changelist")).content.decode()
    assert "webhook.test" in listing and "Resend the selected deliveries" in listing


def test_admin_resend_action_queues_the_delivery_again(
    operator, endpoint_with_a_failure, django_capture_on_commit_callbacks
):
    _, _, delivery = endpoint_with_a_failure
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            reverse("admin:credentials_webhookdelivery_changelist"),
            {"action": "resend", "_selected_action": [str(delivery.pk)]},
        )
    assert WebhookDelivery.objects.filter(event_id=delivery.event_id, status="pending").count() == 1
    assert AuditEvent.objects.get(action="webhook.delivery_resent").details["via"] == "Django admin"


def test_list_webhooks_prints_endpoints_without_secrets(endpoint_with_a_failure):
    endpoint, secret, _ = endpoint_with_a_failure
    out = io.StringIO()
    call_command("list_webhooks", "acme", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows == [
        {
            "id": str(endpoint.pk),
            "name": "Ops",
            "url": "https://hooks.example.com/in",
            "enabled": True,
            "events": ["all"],
            "pending": 0,
            "failed": 1,
            "failing_since": None,
        }
    ]
    table = io.StringIO()
    call_command("list_webhooks", "acme", stdout=table)
    assert secret not in out.getvalue() + table.getvalue() and "Ops\thttps://hooks.example.com/in" in table.getvalue()


def test_retry_failed_deliveries_gives_them_fresh_attempts(endpoint_with_a_failure, other_organization):
    _, _, delivery = endpoint_with_a_failure
    call_command("retry_failed_deliveries", "--org", "globex", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    out = io.StringIO()
    call_command("retry_failed_deliveries", "--org", "acme", stdout=out)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert "1 failed deliveries will be retried; 1 pending deliveries queued." in out.getvalue()
    assert AuditEvent.objects.filter(action="webhook.deliveries_retried").count() == 2
