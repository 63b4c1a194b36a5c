"""What protects the browser pages: CSRF on every POST route, no framing, and the cookies' flags."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from credentials import catalog, keys
from credentials.actions.webhooks import do_create_endpoint
from credentials.urls import urlpatterns
from credentials.webhooks.events import emit, endpoint_data
from tests.clients import HTMX, api
from tests.factories import make_connection


def _patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_browser_post_route_refuses_a_request_without_a_csrf_token(
    admin_user, organization, basic_credential, htmx
) -> None:
    access_key, _ = keys.create_access_key(organization, "CI", owner=admin_user)
    api_key, _ = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    connection = make_connection(organization, "Feed", credential=basic_credential)
    endpoint, _ = do_create_endpoint(
        organization, name="Ops", url="https://hooks.example.com/in", event_types=[], actor=admin_user
    )
    (delivery,) = emit(organization, "webhook.test", {"endpoint": endpoint_data(endpoint)}, endpoints=[endpoint])
    # A valid argument for every route parameter of credentials/urls.py: an unknown one fails the test.
    arguments = {
        "endpoint_id": endpoint.pk,
        "delivery_id": delivery.pk,
        "org": organization.slug,
        "credential_id": basic_credential.pk,
        "connection_id": connection.pk,
        "access_key_id": access_key.pk,
        "api_key_id": api_key.pk,
        "kind": "source",
        "connector": catalog.HTTP_API,
    }
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    checked = []
    for pattern in _patterns(urlpatterns):
        names = list(pattern.pattern.converters)
        missing = [name for name in names if name not in arguments]
        assert not missing, f"no test argument for {missing} in {pattern.name}"
        address = reverse(pattern.name, kwargs={name: arguments[name] for name in names})
        # Without a token (or with a made-up one) every POST is refused before the view runs.
        for headers in ({}, {"HTTP_X_CSRFTOKEN": "x" * 64}):
            response = client.post(address, {"name": "Forged"}, **headers, **(HTMX if htmx else {}))
            assert response.status_code == 403, (pattern.name, response.status_code)
        checked.append(pattern.name)
    assert {"credential_create", "access_key_create", "api_key_regenerate", "connection_create"} <= set(checked)
    basic_credential.refresh_from_db()
    access_key.refresh_from_db()
    assert basic_credential.name == "Billing API" and access_key.name == "CI"
    assert {"webhook_create", "webhook_roll", "webhook_delivery_resend"} <= set(checked)
    endpoint.refresh_from_db()
    assert endpoint.name == "Ops" and endpoint.enabled


def test_pages_and_api_answers_cannot_be_framed(admin_client, admin_key, organization) -> None:
    for response in (
        admin_client.get(reverse("credential_list", args=[organization.slug])),
        admin_client.get(reverse("api_authentication", args=[organization.slug])),
        api("get", "account", admin_key),
        Client().get("/api/v1/account"),
        Client().get("/accounts/login/"),
    ):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_session_cookie_is_http_only_and_same_site(admin_user) -> None:
    admin_user.set_password("a-long-test-password-1")
    admin_user.save()
    response = Client().post(
        "/accounts/login/", {"username": admin_user.username, "password": "a-long-test-password-1"}
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_outside_debug_the_cookies_are_secure() -> None:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": "x" * 50,
        "CREDHUB_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    script = (
        "import credhub.settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.stdout.split() == ["True", "True", "True", "DENY"], result.stderr
