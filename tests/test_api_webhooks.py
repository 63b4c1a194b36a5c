"""The JSON API's webhook endpoints: admin keys only, the secret only in the create response."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from credentials.models import AuditEvent, WebhookDelivery, WebhookEndpoint


def headers(key: tuple) -> dict[str, str]:
    access_key, secret = key
    return {"HTTP_X_CLIENT_ID": access_key.key_id, "HTTP_X_CLIENT_SECRET": secret}


def call(method: str, path: str, key: tuple, body=None):
    client = Client()
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(client, method)(f"/api/v1{path}", **kwargs, **headers(key))


@pytest.fixture
def receiver_url(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver.url_for("/hook")


def test_create_read_update_test_deliveries_resend_delete(admin_key, receiver_url, django_capture_on_commit_callbacks):
    created = call("post", "/webhooks", admin_key, {"name": "Ops", "url": receiver_url, "events": ["webhook.test"]})
    assert created.status_code == 201
    body = created.json()
    secret = body["signing_secret"]
    assert secret.startswith("whsec_") and body["events"] == ["webhook.test"]
    endpoint_id = body["id"]

    listed = call("get", "/webhooks", admin_key)
    assert listed.json()["count"] == 1 and secret not in listed.content.decode()
    read = call("get", f"/webhooks/{endpoint_id}", admin_key)
    assert read.json()["name"] == "Ops" and "signing_secret" not in read.json()

    patched = call("patch", f"/webhooks/{endpoint_id}", admin_key, {"name": "Ops 2"})
    assert patched.status_code == 200 and patched.json()["name"] == "Ops 2" and patched.json()["url"] == receiver_url

    tested = call("post", f"/webhooks/{endpoint_id}/test", admin_key)
    assert tested.status_code == 200 and tested.json()["status"] == "succeeded"
    deliveries = call("get", f"/webhooks/{endpoint_id}/deliveries", admin_key).json()
    assert deliveries["count"] == 1 and deliveries["items"][0]["event_type"] == "webhook.test"
    assert secret not in json.dumps(deliveries)

    delivery_id = deliveries["items"][0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        resent = call("post", f"/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend", admin_key)
    assert resent.status_code == 202
    assert WebhookDelivery.objects.filter(event_id=resent.json()["event_id"]).count() == 2

    assert call("delete", f"/webhooks/{endpoint_id}", admin_key).status_code == 200
    assert not WebhookEndpoint.objects.exists()
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "webhook.created",
        "webhook.edited",
        "webhook.deleted",
    }
    assert secret not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_bad_input_is_a_400_per_field(admin_key):
    answer = call("post", "/webhooks", admin_key, {"name": "", "url": "ftp://x", "events": ["nope"]})
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"name", "url", "events"}


def test_member_keys_are_refused_and_other_organizations_not_found(
    member_key, admin_key, other_organization, receiver_url
):
    from credentials import keys

    assert call("get", "/webhooks", member_key).status_code == 403
    endpoint_id = call("post", "/webhooks", admin_key, {"name": "Ops", "url": receiver_url}).json()["id"]
    outsider_key = keys.create_access_key(other_organization, "Theirs", role="admin", system_generated=True)
    assert call("get", f"/webhooks/{endpoint_id}", outsider_key).status_code == 404
    assert call("get", "/webhooks", outsider_key).json()["count"] == 0


def test_the_openapi_document_lists_the_webhook_routes():
    schema = Client().get("/api/v1/openapi.json").json()
    assert {"/api/v1/webhooks", "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend"} <= set(
        schema["paths"]
    )
