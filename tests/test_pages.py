"""Sign-in, home, the settings entry, the health check and the settings' start-up rules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.http import Http404
from django.test import Client, override_settings

from credentials import catalog, keys
from tests.clients import access_headers
from tests.factories import make_credential
from tests.proxying import permit

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_ok_when_the_database_and_the_cache_are_reachable(db) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "no_such_table"}}
)
def test_healthz_answers_503_when_the_cache_is_unavailable(db) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "cache": "unavailable"}


def test_anonymous_user_is_sent_to_sign_in(organization) -> None:
    response = Client().get("/o/acme/settings/integrations/credentials/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/o/acme/settings/")


def test_sign_in_page_has_labelled_username_and_password(db) -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html


def test_sign_in_with_the_right_password_reaches_settings(admin_user) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "acme-admin", "password": "test-password-123"}, follow=True)
    assert response.redirect_chain[-1][0] == "/o/acme/settings/integrations/credentials/"
    assert "Credentials and Webhooks" in response.content.decode()


def test_a_member_sees_the_organization_but_no_settings_link(member_client) -> None:
    html = member_client.get("/").content.decode()
    assert "Acme" in html
    assert "Settings are open to Organization Admins" in html
    assert "/o/acme/settings/" not in html


def test_a_member_gets_a_clear_403_page(member_client) -> None:
    response = member_client.get("/o/acme/settings/")
    assert response.status_code == 403
    assert "Only Organization Admins can open this page." in response.content.decode()


def test_an_outsider_gets_404_for_another_organization(outsider_client, organization) -> None:
    assert outsider_client.get("/o/acme/settings/").status_code == 404


def _start_without(*names: str, **extra: str) -> subprocess.CompletedProcess:
    """Start Django in a fresh process with DEBUG off and the named variables unset."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", *names}} | extra
    env["DJANGO_SETTINGS_MODULE"] = "credhub.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _start_without("SECRET_KEY")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_refuses_to_start_without_encryption_keys() -> None:
    result = _start_without("CREDHUB_ENCRYPTION_KEYS", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "Set the CREDHUB_ENCRYPTION_KEYS environment variable" in result.stderr


def test_favicon_is_served(client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_demo_echo_answers_only_the_demo_token_and_only_under_debug(rf, settings) -> None:
    from credentials.views.pages import DEMO_ECHO_TOKEN, demo_echo

    settings.DEBUG = True
    ok = demo_echo(rf.get("/demo/echo/", HTTP_AUTHORIZATION=f"Bearer {DEMO_ECHO_TOKEN}"))
    assert ok.status_code == 200 and DEMO_ECHO_TOKEN not in ok.content.decode()
    assert demo_echo(rf.get("/demo/echo/", HTTP_AUTHORIZATION="Bearer wrong")).status_code == 401
    settings.DEBUG = False
    with pytest.raises(Http404):
        demo_echo(rf.get("/demo/echo/", HTTP_AUTHORIZATION=f"Bearer {DEMO_ECHO_TOKEN}"))


@pytest.mark.django_db(transaction=True)
def test_the_demo_echo_answers_a_call_through_the_credential_proxy(
    live_server, settings, organization, admin_user
) -> None:
    """The README's offline try of the proxy: a key permitted to use "Local echo" calls it through credhub,
    and the echo saw the credential's token header but neither of the caller's key headers."""
    from credentials.views.pages import DEMO_ECHO_TOKEN

    settings.DEBUG = True
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    echo = make_credential(
        organization,
        "Local echo",
        base_url=f"{live_server.url}/demo/echo/",
        auth_type=catalog.BEARER,
        auth_settings={"key": "Authorization"},
        secrets={"value": DEMO_ECHO_TOKEN},
    )
    key = permit(keys.create_access_key(organization, "Try the proxy", owner=admin_user), echo)
    answer = requests.post(
        f"{live_server.url}/api/v1/credentials/{echo.pk}/proxy/v1/orders?page=2",
        headers={**access_headers(key), "Content-Type": "application/json"},
        data=b'{"id": 7}',
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert seen["method"] == "POST" and seen["path"] == "/demo/echo/v1/orders" and seen["query"] == "page=2"
    assert "Authorization" in seen["headers"] and seen["body_bytes"] == 9
    assert not {"X-Client-Id", "X-Client-Secret"} & set(seen["headers"])
    assert DEMO_ECHO_TOKEN not in answer.text
