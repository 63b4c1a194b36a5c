"""The JSON API skips the browser's middleware (session, signed-in user, messages) but keeps every
protective header the pages carry; the pages keep their sessions."""

from __future__ import annotations

from csp.utils import build_policy
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from credentials.actions.webhooks import do_create_endpoint
from tests.clients import access_headers

PROTECTIVE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}


def _assert_protected(response) -> None:
    for name, value in PROTECTIVE.items():
        assert response.headers.get(name) == value, name
    assert response.headers["Content-Security-Policy"] == build_policy()
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_an_api_answer_carries_the_pages_headers_and_no_cookie(admin_client, admin_key) -> None:
    # A signed-in browser calling the API: its session cookie is neither read nor renewed.
    for headers, status in ((access_headers(admin_key), 200), ({}, 401)):
        response = admin_client.get("/api/v1/account", headers=headers)
        assert response.status_code == status
        _assert_protected(response)
        assert "Set-Cookie" not in response.headers and not response.cookies
        assert "Cookie" not in response.headers.get("Vary", "")


def test_a_session_does_not_authenticate_an_api_call(admin_client) -> None:
    response = admin_client.get("/api/v1/credentials")
    assert response.status_code == 401 and response.json()["error"] == "Unauthorized"


def test_pages_keep_the_session_and_the_same_headers(admin_client, organization) -> None:
    page = admin_client.get(reverse("credential_list", args=[organization.slug]))
    assert page.status_code == 200 and page.wsgi_request.user.username == "acme-admin"
    _assert_protected(page)
    signed_out = Client().get(reverse("credential_list", args=[organization.slug]))
    assert signed_out.status_code == 302


def test_an_api_call_leaves_a_pending_message_for_the_next_page(admin_client, admin_key, organization) -> None:
    # Deleting an endpoint without JavaScript queues "deleted" for the page it redirects to; a program's
    # call in between (the same browser's cookies sent along) neither shows nor drops it.
    endpoint, _ = do_create_endpoint(
        organization, name="Ops", url="https://hooks.example.com/in", event_types=[], actor=admin_key[0]
    )
    url = reverse("webhook_delete", args=[organization.slug, endpoint.pk])
    redirect = admin_client.post(url)
    assert redirect.status_code == 302
    assert admin_client.get("/api/v1/account", headers=access_headers(admin_key)).status_code == 200
    page = admin_client.get(redirect["Location"])
    assert [str(message) for message in get_messages(page.wsgi_request)] == ["Endpoint “Ops” deleted."]
