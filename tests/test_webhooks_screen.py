"""The Webhooks tab: Organization Admins only, every form without JavaScript, secrets shown once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from credentials.actions import webhooks as actions
from credentials.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from credentials.webhooks import events

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, organization, *args):
    return reverse(name, args=[organization.slug, *args])


@pytest.fixture
def receiver_url(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("thanks", status=200)
    return httpserver.url_for("/hook")


@pytest.fixture
def endpoint(organization, admin_user, receiver_url):
    endpoint, _ = actions.do_create_endpoint(
        organization, name="Ops", url=receiver_url, event_types=[], actor=admin_user
    )
    return WebhookEndpoint.objects.get(pk=endpoint.pk)  # as loaded: its secrets sealed


def test_empty_state_then_add_endpoint_shows_the_secret_once(admin_client, organization, receiver_url):
    page = admin_client.get(url("webhook_list", organization)).content.decode()
    assert "No webhook endpoints yet" in page and "Add endpoint" in page

    answer = admin_client.post(
        url("webhook_create", organization),
        {"name": "Ops", "url": receiver_url, "events": ["api_key.created", "access_key.deleted"]},
    )
    assert answer.status_code == 200
    endpoint = WebhookEndpoint.objects.get(organization=organization)
    secret = endpoint.signing_secret.reveal()["secret"]
    assert secret.startswith("whsec_") and secret in answer.content.decode()
    assert endpoint.events == ["api_key.created", "access_key.deleted"]
    assert (
        secret not in WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("signing_secret", flat=True)[0].token
    )

    listing = admin_client.get(url("webhook_list", organization)).content.decode()
    assert "Ops" in listing and receiver_url in listing and secret not in listing
    assert AuditEvent.objects.filter(action="webhook.created", target_id=str(endpoint.pk)).exists()
    assert secret not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_bad_url_is_explained_next_to_its_field_and_nothing_typed_is_lost(admin_client, organization):
    answer = admin_client.post(url("webhook_create", organization), {"name": "Ops", "url": "ftp://files.example.com"})
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "Enter an http:// or https:// URL" in page
    assert 'value="ftp://files.example.com"' in page and 'value="Ops"' in page
    assert 'aria-describedby="id_webhook_url-error"' in page
    assert not WebhookEndpoint.objects.exists()
    for bad in ("http://exa mple.com", "https://host:port/x", "https://"):
        assert admin_client.post(url("webhook_create", organization), {"name": "Ops", "url": bad}).status_code == 422


def test_members_and_other_organizations_cannot_reach_endpoints(member_client, outsider_client, organization, endpoint):
    assert member_client.get(url("webhook_list", organization)).status_code == 403
    for name in ("webhook_edit", "webhook_delete", "webhook_deliveries"):
        assert outsider_client.get(url(name, organization, endpoint.pk)).status_code == 404
    other = outsider_client.get(reverse("webhook_list", args=["globex"])).content.decode()
    assert "Ops" not in other


def test_send_test_event_shows_the_result_in_place(admin_client, organization, endpoint):
    answer = admin_client.post(url("webhook_test", organization, endpoint.pk), **HTMX)
    page = answer.content.decode()
    assert "Test event delivered: HTTP 200" in page and f'id="endpoint-{endpoint.pk}"' in page
    assert WebhookDelivery.objects.get(endpoint=endpoint).event_type == "webhook.test"


def test_send_test_event_without_javascript_reports_on_the_page(admin_client, organization, endpoint):
    answer = admin_client.post(url("webhook_test", organization, endpoint.pk), follow=True)
    assert "Test event delivered: HTTP 200" in answer.content.decode()


def test_disable_enable_roll_and_delete(admin_client, organization, endpoint):
    admin_client.post(url("webhook_toggle", organization, endpoint.pk))
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    admin_client.post(url("webhook_toggle", organization, endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.enabled

    old = endpoint.signing_secret.reveal()["secret"]
    assert (
        "keeps signing deliveries for 24 hours"
        in admin_client.get(url("webhook_roll", organization, endpoint.pk)).content.decode()
    )
    rolled = admin_client.post(url("webhook_roll", organization, endpoint.pk)).content.decode()
    endpoint.refresh_from_db()
    new = endpoint.signing_secret.reveal()["secret"]
    assert new != old and new in rolled and old not in rolled
    assert endpoint.previous_secret.reveal()["secret"] == old

    admin_client.post(url("webhook_delete", organization, endpoint.pk))
    assert not WebhookEndpoint.objects.exists()
    actions_recorded = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"webhook.disabled", "webhook.enabled", "webhook.secret_rolled", "webhook.deleted"} <= actions_recorded


def test_edit_keeps_the_secret_and_reports_errors(admin_client, organization, endpoint, receiver_url):
    secret = endpoint.signing_secret.reveal()["secret"]
    form = admin_client.get(url("webhook_edit", organization, endpoint.pk)).content.decode()
    assert secret not in form and 'value="Ops"' in form
    assert (
        admin_client.post(
            url("webhook_edit", organization, endpoint.pk), {"name": " ", "url": receiver_url}
        ).status_code
        == 422
    )
    admin_client.post(
        url("webhook_edit", organization, endpoint.pk),
        {"name": "Ops 2", "url": receiver_url, "events": ["webhook.test"]},
    )
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.events) == ("Ops 2", ["webhook.test"])
    assert endpoint.signing_secret.reveal()["secret"] == secret


def test_delivery_log_is_newest_first_and_paginated_with_detail_and_resend(
    admin_client, organization, admin_user, endpoint, django_capture_on_commit_callbacks
):
    for number in range(30):
        events.emit(organization, "webhook.test", {"endpoint": {"n": number}}, actor=admin_user, endpoints=[endpoint])
    log = admin_client.get(url("webhook_deliveries", organization, endpoint.pk)).content.decode()
    assert "Page 1 of 2" in log and log.count("<tr>") == 26  # header + 25
    newest = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at").first()
    assert log.index(str(newest.pk)) < log.index("Older deliveries")
    assert (
        "Page 2 of 2"
        in admin_client.get(url("webhook_deliveries", organization, endpoint.pk) + "?page=2").content.decode()
    )

    detail = admin_client.get(url("webhook_delivery", organization, endpoint.pk, newest.pk)).content.decode()
    assert newest.event_id in detail and "&quot;webhook.test&quot;" in detail
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url("webhook_delivery_resend", organization, endpoint.pk, newest.pk))
    assert WebhookDelivery.objects.filter(event_id=newest.event_id).count() == 2
