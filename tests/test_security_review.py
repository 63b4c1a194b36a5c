"""The security review's tests: CSRF on every browser POST route; secrets kept out of Django's 500 error
report; the JSON API's input handling (pagination, bodies, control and non-Latin-1 characters, CR/LF);
identical 401 answers; owners who leave; tenancy on the remaining cross-organization paths; framing and
cookie flags; an undecryptable secret failing closed through the API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, reverse
from django.views.debug import ExceptionReporter

from credentials import audit, catalog, keys
from credentials.actions.webhooks import do_create_endpoint
from credentials.forms.access_keys import default_expiry
from credentials.forms.credentials import STORED_SECRET_UNREADABLE, CredentialForm
from credentials.models import AuditEvent, Connection, Credential, Organization
from credentials.urls import urlpatterns
from credentials.webhooks.events import emit, endpoint_data

HTMX = {"HTTP_HX_REQUEST": "true"}
TOKEN_SECRET = "tok-secret-review-5150"


def access_headers(key) -> dict[str, str]:
    access_key, secret = key
    return {"X-Client-ID": access_key.key_id, "X-Client-Secret": secret}


def api(method: str, path: str, key, body=None, **extra):
    kwargs = {"headers": access_headers(key), **extra}
    if body is not None:
        kwargs.update(data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")
    return getattr(Client(raise_request_exception=False), method)(f"/api/v1/{path}", **kwargs)


# CSRF: every browser POST route ---------------------------------------------------------------


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
    connection = Connection.objects.create(
        organization=organization, kind="source", connector=catalog.HTTP_API, name="Feed", credential=basic_credential
    )
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


# 401 answers -----------------------------------------------------------------------------------


def test_unknown_key_id_and_wrong_secret_answer_byte_for_byte_alike(admin_key) -> None:
    access_key, _ = admin_key
    unknown = Client().get(
        "/api/v1/account",
        headers={"X-Client-ID": keys.new_access_key_id(), "X-Client-Secret": keys.new_access_key_secret()},
    )
    wrong = Client().get(
        "/api/v1/account", headers={"X-Client-ID": access_key.key_id, "X-Client-Secret": keys.new_access_key_secret()}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.content == wrong.content
    assert sorted(unknown.headers.items()) == sorted(wrong.headers.items())


# Django's 500 error report (DEBUG off) -------------------------------------------------------


@pytest.fixture
def error_reports():
    """The 500 error report Django mails to ADMINS, built from every request exception."""
    reports: list[str] = []

    def report(sender, request, **kwargs) -> None:
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_text() + reporter.get_traceback_html())

    got_request_exception.connect(report)
    yield reports
    got_request_exception.disconnect(report)


@pytest.fixture
def audit_fails(monkeypatch):
    """The database fails while the audit event is written: after a secret exists, before it is answered."""

    def record(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(audit, "record", record)


def _raise_500(client: Client, method: str, *args, **kwargs):
    client.raise_request_exception = False
    response = getattr(client, method)(*args, **kwargs)
    assert response.status_code == 500
    return response


SECRET_PATTERNS = [
    re.compile(rf"{keys.ACCESS_KEY_SECRET_PREFIX}[0-9A-Za-z]{{38}}"),
    re.compile(rf"{keys.API_KEY_PREFIX}[0-9A-Za-z]{{38}}"),
]


def assert_no_key_in(report: str) -> None:
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(report), pattern.search(report).group()


@override_settings(DEBUG=False)
def test_new_key_secrets_stay_out_of_the_error_report(
    admin_client, admin_user, organization, error_reports, audit_fails
) -> None:
    api_key, _ = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    slug = organization.slug
    _raise_500(
        admin_client,
        "post",
        reverse("access_key_create", args=[slug]),
        {"name": "CI", "expiry": default_expiry(organization)},
    )
    _raise_500(admin_client, "post", reverse("api_key_create", args=[slug]), {"name": "Zapier 2"})
    _raise_500(admin_client, "post", reverse("api_key_regenerate", args=[slug, api_key.pk]))
    assert len(error_reports) == 3
    for report in error_reports:
        assert "DatabaseError" in report
        assert_no_key_in(report)


@override_settings(DEBUG=False)
def test_credential_secrets_stay_out_of_the_error_report(
    admin_client, organization, admin_key, basic_credential, error_reports, audit_fails
) -> None:
    bearer = {
        "name": "Tokens",
        "base_url": "https://tokens.example.com",
        "content_type": "application/json",
        "auth_type": catalog.BEARER,
    }
    _raise_500(
        admin_client,
        "post",
        reverse("credential_create", args=[organization.slug]),
        {**bearer, "auth_key": "Authorization", "auth_value": TOKEN_SECRET},
    )
    client = Client(raise_request_exception=False)
    body = {**bearer, "name": "Tokens 2", "auth": {"key": "Authorization", "value": TOKEN_SECRET}}
    assert api("post", "credentials", admin_key, body).status_code == 500
    patch = {"auth": {"username": "billing-user", "password": TOKEN_SECRET}}
    response = client.patch(
        f"/api/v1/credentials/{basic_credential.pk}",
        data=json.dumps(patch),
        content_type="application/json",
        headers=access_headers(admin_key),
    )
    assert response.status_code == 500
    assert len(error_reports) == 3
    for report in error_reports:
        assert "DatabaseError" in report
        assert TOKEN_SECRET not in report
        assert admin_key[1] not in report  # nor the calling key's secret


# The JSON API's input handling ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["offset=99999999999999999999999", "limit=99999999999999999999999", "offset=-1", "limit=abc"]
)
@pytest.mark.parametrize("path", ["credentials", "connections"])
def test_huge_or_malformed_pagination_is_a_400(admin_key, basic_credential, path, query) -> None:
    response = api("get", f"{path}?{query}", admin_key)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "Bad Request"
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "body",
    [
        "{",
        "[]",
        '"name"',
        "null",
        json.dumps({"name": ["a"]}),
        json.dumps({"name": "x" * 100_000, "base_url": "https://a.example", "auth_type": "none"}),
        json.dumps({"extra_headers": "X-A: 1"}),
        json.dumps({"extra_headers": [{"name": "X-A", "value": "1\r\nX-Injected: 1"}]}),
        json.dumps({"auth": {"key": "Authorization\r\nX-Injected", "value": "v"}, "auth_type": "bearer"}),
        json.dumps({"auth": {"key": "Authorization", "value": "v\r\nX-Injected: 1"}, "auth_type": "bearer"}),
        json.dumps({"organization_credentials": [{"organization": "acme-east", "auth": {"value": 5}}]}),
        json.dumps({"organization_credentials": "acme-east", "org_specific": True}),
    ],
)
def test_malformed_credential_bodies_are_a_400_with_per_field_messages(admin_key, body) -> None:
    response = api("post", "credentials", admin_key, body)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "Bad Request"
    assert response.json().get("errors"), response.content
    assert not Credential.objects.filter(name__startswith="x" * 100).exists()


def test_a_non_uuid_id_is_a_json_404(admin_key) -> None:
    for path in ("credentials/1", "credentials/../account", f"credentials/{uuid.uuid4()}x", "credentials/%0d%0a"):
        response = api("get", path, admin_key)
        assert response.status_code == 404, path
        assert response.json()["error"] == "Not Found"


def test_unicode_names_round_trip(admin_key) -> None:
    body = {"name": "Zahlungen – Köln 東京 🚀", "base_url": "https://a.example", "auth_type": "none"}
    response = api("post", "credentials", admin_key, body)
    assert response.status_code == 201, response.content
    assert api("get", f"credentials/{response.json()['id']}", admin_key).json()["name"] == body["name"]


# Test connection with values a header cannot carry ----------------------------------------------


@pytest.mark.parametrize(
    "auth_type, auth",
    [
        (catalog.BEARER, {"key": "Authorization", "value": "tök€n-" + TOKEN_SECRET}),
        (catalog.HEADERS, {"headers": [{"key": "X-Api-Key", "value": "€" + TOKEN_SECRET}]}),
        (catalog.HMAC_SHA256, {"client_id": "clïent€", "client_secret": TOKEN_SECRET}),
    ],
)
def test_secret_header_values_a_header_cannot_carry_are_refused_when_saved(admin_key, auth_type, auth) -> None:
    body = {"name": "Unicode", "base_url": "https://a.example", "auth_type": auth_type, "auth": auth}
    response = api("post", "credentials", admin_key, body)
    assert response.status_code == 400, response.content
    assert TOKEN_SECRET not in response.content.decode()
    assert any(name.startswith("auth.") for name in response.json()["errors"]), response.json()


def test_extra_header_values_a_header_cannot_carry_are_refused_when_saved(admin_key) -> None:
    body = {
        "name": "Unicode",
        "base_url": "https://a.example",
        "auth_type": "none",
        "extra_headers": [{"name": "X-Team", "value": "Zahlungen €"}],
    }
    response = api("post", "credentials", admin_key, body)
    assert response.status_code == 400, response.content
    assert "extra_headers[0].value" in response.json()["errors"]


def test_a_stored_value_a_header_cannot_carry_is_a_test_result_not_a_500(
    admin_client, organization, httpserver, settings, error_reports
) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"
    # Saved before the form refused such values (or by an operator): Test connection still fails closed.
    credential = Credential.objects.create(
        organization=organization,
        name="Old token",
        base_url=httpserver.url_for("/api"),
        auth_type=catalog.BEARER,
        auth_settings={"key": "Authorization"},
        secrets={"value": "€" + TOKEN_SECRET},
    )
    admin_client.raise_request_exception = False
    response = admin_client.post(reverse("credential_test", args=[organization.slug, credential.pk]), **HTMX)
    assert response.status_code == 200
    assert "Connection failed." in response.content.decode() or "Not tested." in response.content.decode()
    assert TOKEN_SECRET not in response.content.decode()
    assert not error_reports


def test_an_oversized_body_is_a_json_400(admin_key) -> None:
    body = json.dumps({"name": "Big", "description": "x" * 3_000_000})
    response = api("post", "credentials", admin_key, body)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"


# Owners who leave -------------------------------------------------------------------------------


def test_a_deactivated_owner_takes_the_keys_power(admin_key, admin_user) -> None:
    assert api("get", "account", admin_key).status_code == 200
    admin_user.is_active = False  # how an operator removes someone from every organization at once
    admin_user.save(update_fields=["is_active"])
    response = api("get", "account", admin_key)
    assert response.status_code == 401
    assert response.json()["detail"] == keys.OWNER_GONE


def test_a_deactivated_creator_takes_the_api_keys_power(organization, admin_user) -> None:
    _, key = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    assert Client().get("/api/v1/account", headers={"x-api-key": key}).status_code == 200
    admin_user.is_active = False
    admin_user.save(update_fields=["is_active"])
    response = Client().get("/api/v1/account", headers={"x-api-key": key})
    assert response.status_code == 401
    assert response.json()["detail"] == keys.CREATOR_GONE


# Headers and cookies ----------------------------------------------------------------------------


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


def test_feature_flag_off_forbids_connections_too(organization, admin_key) -> None:
    organization.api_credentials_enabled = False
    organization.save()
    response = api("get", "connections", admin_key)
    assert response.status_code == 403 and "not turned on" in response.json()["detail"]


def test_the_openapi_document_lists_the_pagination_400s_and_holds_no_example() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    for path in ("/api/v1/credentials", "/api/v1/connections"):
        assert "400" in document["paths"][path]["get"]["responses"]
    assert "example" not in json.dumps(document)


# A secret that cannot be decrypted, through the API ---------------------------------------------


def test_an_undecryptable_credential_fails_closed_through_the_api(admin_key, basic_credential, settings) -> None:
    settings.CREDHUB_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = Credential.objects.get(pk=basic_credential.pk).secrets.token
    path = f"credentials/{basic_credential.pk}"
    read = api("get", path, admin_key)
    assert read.status_code == 200 and token not in read.content.decode()
    # Keeping the stored password needs it decrypted: refused, field by field, and nothing is re-encrypted.
    edit = api("patch", path, admin_key, {"description": "New", "auth": {"username": "billing-user"}})
    assert edit.status_code == 400
    assert edit.json()["errors"]["auth.password"] == [STORED_SECRET_UNREADABLE]
    tested = api("post", f"{path}/test", admin_key)
    assert tested.status_code == 200
    assert tested.json()["results"][0]["outcome"] == "unreadable"
    for response in (read, edit, tested):
        assert token not in response.content.decode()
    assert Credential.objects.get(pk=basic_credential.pk).secrets.token == token
    assert Credential.objects.get(pk=basic_credential.pk).description == "Invoices"


# Tenancy: the remaining cross-organization paths --------------------------------------------------


def test_cross_organization_ids_find_nothing(admin_client, organization, other_organization, basic_credential) -> None:
    slug = organization.slug
    their_api_key, _ = keys.create_api_key(other_organization, "Theirs")
    theirs = Credential.objects.create(
        organization=other_organization, connector=catalog.HTTP_API, name="Theirs", base_url="https://x.example"
    )
    their_connection = Connection.objects.create(
        organization=other_organization, kind="source", connector=catalog.HTTP_API, name="Their feed", credential=theirs
    )
    prefix = their_api_key.prefix
    for method in ("get", "post"):
        response = getattr(admin_client, method)(reverse("api_key_regenerate", args=[slug, their_api_key.pk]))
        assert response.status_code == 404
        response = getattr(admin_client, method)(reverse("connection_reauthenticate", args=[slug, their_connection.pk]))
        assert response.status_code == 404
        response = getattr(admin_client, method)(reverse("credential_test", args=[slug, theirs.pk]))
        assert response.status_code == 404
    their_api_key.refresh_from_db()
    assert their_api_key.prefix == prefix
    # Our connection cannot be re-authenticated with their credential.
    ours = Connection.objects.create(
        organization=organization, kind="source", connector=catalog.HTTP_API, name="Feed", credential=basic_credential
    )
    response = admin_client.post(reverse("connection_reauthenticate", args=[slug, ours.pk]), {"credential": theirs.pk})
    assert response.status_code == 422
    ours.refresh_from_db()
    assert ours.credential == basic_credential
    # An overlay "returning" to their connection's Authenticate screen under our slug goes back to our list.
    return_to = reverse("connection_reauthenticate", args=[slug, their_connection.pk])
    response = admin_client.post(
        reverse("credential_create", args=[slug]),
        {
            "name": "New one",
            "base_url": "https://new.example",
            "content_type": "application/json",
            "auth_type": "none",
            "return_to": return_to,
        },
    )
    assert response.status_code == 302 and response.url == reverse("credential_list", args=[slug])


@override_settings(DEBUG=False)
def test_posted_secrets_stay_out_of_the_error_report_when_the_form_fails_early(
    admin_client, organization, basic_credential, error_reports, monkeypatch
) -> None:
    def database_fails(self):
        raise DatabaseError("the database went away")

    # Reading the stored organization rows is the form's first query, before any secret is judged.
    monkeypatch.setattr(CredentialForm, "_stored_organization_slugs", database_fails)
    form = {
        "name": "Billing API",
        "base_url": "https://billing.example.com",
        "content_type": "application/json",
        "auth_type": catalog.BASIC,
        "auth_username": "billing-user",
        "auth_password": TOKEN_SECRET,
    }
    slug = organization.slug
    _raise_500(admin_client, "post", reverse("credential_edit", args=[slug, basic_credential.pk]), form)
    _raise_500(admin_client, "post", reverse("credential_create", args=[slug]), {**form, "name": "Another"})
    assert len(error_reports) == 2
    for report in error_reports:
        assert "DatabaseError" in report
        assert TOKEN_SECRET not in report


@pytest.mark.parametrize(
    "change, field",
    [
        ({"extra_headers": [{"name": "X-Team", "value": "a\x00b"}]}, "extra_headers[0].value"),
        ({"extra_headers": [{"name": "X-Team", "value": "a\x1bb"}]}, "extra_headers[0].value"),
        (
            {"auth_type": catalog.AWS4, "auth": {**{"access_key": "AK", "secret_key": "s"}, "region": "eu\x00"}},
            "auth.region",
        ),
        ({"auth_type": catalog.BEARER, "auth": {"key": "Authorization", "value": "t\x00"}}, "auth.value"),
        (
            {"auth_type": catalog.HEADERS, "auth": {"headers": [{"key": "X-Key", "value": "\x00"}]}},
            "auth.headers[0].value",
        ),
        ({"name": "Null\x00name"}, "name"),
    ],
)
def test_control_characters_are_a_400_on_every_database(admin_key, change, field) -> None:
    body = {"name": "Controls", "base_url": "https://a.example", "auth_type": "none", **change}
    if body["auth_type"] == catalog.AWS4:
        body["auth"] |= {"service": "s3", "endpoint": "https://s3.example"}
    response = api("post", "credentials", admin_key, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()


def test_another_organizations_child_cannot_get_a_row(admin_key, other_organization) -> None:
    Organization.objects.create(name="Globex East", slug="globex-east", parent=other_organization)
    body = {
        "name": "Per branch",
        "base_url": "https://a.example",
        "auth_type": catalog.BEARER,
        "org_specific": True,
        "auth": {"key": "Authorization"},
        "organization_credentials": [{"organization": "globex-east", "auth": {"value": TOKEN_SECRET}}],
    }
    response = api("post", "credentials", admin_key, body)
    assert response.status_code == 400
    assert "organization_credentials[0].organization" in response.json()["errors"]
    assert TOKEN_SECRET not in response.content.decode()


def test_a_huge_page_number_shows_the_last_page(admin_client, organization, basic_credential) -> None:
    address = reverse("credential_list", args=[organization.slug])
    for page in ("99999999999999999999999", "-1", "x", "1e9"):
        response = admin_client.get(address, {"page": page})
        assert response.status_code == 200
        assert "Billing API" in response.content.decode()


# Audit events carry no secret ---------------------------------------------------------------------


def test_audit_events_never_carry_a_secret(admin_client, admin_key, organization, basic_credential) -> None:
    slug = organization.slug
    admin_client.post(
        reverse("credential_edit", args=[slug, basic_credential.pk]),
        {
            "name": "Billing API",
            "base_url": "https://billing.example.com",
            "content_type": "application/json",
            "auth_type": catalog.BASIC,
            "auth_username": "billing-user",
            "auth_password": TOKEN_SECRET + "-browser",
        },
    )
    body = {"name": "Tokens", "base_url": "https://t.example", "auth_type": catalog.BEARER}
    created = api("post", "credentials", admin_key, {**body, "auth": {"key": "Authorization", "value": TOKEN_SECRET}})
    assert created.status_code == 201
    api("patch", f"credentials/{created.json()['id']}", admin_key, {"auth": {"value": TOKEN_SECRET + "-new"}})
    admin_client.post(
        reverse("access_key_create", args=[slug]), {"name": "CI 2", "expiry": default_expiry(organization)}
    )
    admin_client.post(reverse("api_key_create", args=[slug]), {"name": "Zapier"})
    events = AuditEvent.objects.filter(organization=organization)
    assert {"credential.edited", "credential.created", "access_key.created", "api_key.created"} <= set(
        events.values_list("action", flat=True)
    )
    for event in events:
        stored = json.dumps([event.details, event.target_label, event.actor])
        assert TOKEN_SECRET not in stored and admin_key[1] not in stored
        assert_no_key_in(stored)
