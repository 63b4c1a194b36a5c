"""A credential's secrets go only to the origin (scheme, host, port) they were entered for.

Changing the Base URL's origin (or an AWS4 Base Endpoint's) asks for the secrets again, in the overlay,
the API and for every organization row; a path on the same origin keeps them. A server on loopback
plays the place an admin would point the credential to in order to read its secrets back.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from pytest_httpserver import HTTPServer

from credentials.forms.credentials import ORIGIN_CHANGED
from credentials.models import AuditEvent, Credential, Organization, OrganizationCredential
from tests import html

PASSWORD = "s3cret-basic-password"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def elsewhere():
    """Another loopback server: whatever reaches it has left the credential's origin."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/").respond_with_data("thanks")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def credential(organization, admin_user, httpserver) -> Credential:
    httpserver.expect_request("/api").respond_with_data("ok")
    httpserver.expect_request("/api/v2").respond_with_data("ok")
    return Credential.objects.create(
        organization=organization,
        name="Billing API",
        base_url=httpserver.url_for("/api"),
        auth_type="basic",
        secrets={"username": "billing-user", "password": PASSWORD},
        created_by=admin_user,
    )


def _api(method: str, path: str, key, body=None):
    access_key, secret = key
    kwargs = {"headers": {"X-Client-ID": access_key.key_id, "X-Client-Secret": secret}}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(Client(), method)(f"/api/v1/{path}", **kwargs)


def _nothing_arrived(server: HTTPServer) -> bool:
    return not server.log


def test_api_patch_to_another_origin_needs_the_secrets(admin_key, credential, elsewhere) -> None:
    response = _api("patch", f"credentials/{credential.pk}", admin_key, {"base_url": elsewhere.url_for("/")})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["auth.username"] == [ORIGIN_CHANGED] and errors["auth.password"] == [ORIGIN_CHANGED]
    # Nothing changed, so Test connection still goes where the secrets were entered for.
    assert _api("post", f"credentials/{credential.pk}/test", admin_key).json()["ok"]
    assert _nothing_arrived(elsewhere)
    credential.refresh_from_db()
    assert credential.base_url.endswith("/api")


@pytest.mark.parametrize("change", ["http://127.0.0.1:{port}/api", "https://127.0.0.1:{port}/api"])
def test_api_scheme_or_port_counts_as_another_origin(admin_key, credential, elsewhere, change) -> None:
    url = change.format(port=elsewhere.port)
    response = _api("patch", f"credentials/{credential.pk}", admin_key, {"base_url": url})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"auth.username", "auth.password"}


def test_api_patch_with_new_secrets_moves_and_audits_both_origins(admin_key, credential, elsewhere) -> None:
    old = credential.base_url
    body = {"base_url": elsewhere.url_for("/"), "auth": {"username": "new-user", "password": "new-password"}}
    assert _api("patch", f"credentials/{credential.pk}", admin_key, body).status_code == 200
    event = AuditEvent.objects.get(action="credential.edited")
    assert event.details["origin_changed"]["base_url"] == {
        "old": old.rsplit("/", 1)[0],
        "new": f"http://127.0.0.1:{elsewhere.port}",
    }
    assert _api("post", f"credentials/{credential.pk}/test", admin_key).json()["ok"]
    (request, _response), *_ = elsewhere.log
    assert PASSWORD not in str(request.headers)  # only the secrets entered for this origin arrive


def test_api_same_origin_path_change_keeps_the_secrets(admin_key, credential, httpserver) -> None:
    response = _api("patch", f"credentials/{credential.pk}", admin_key, {"base_url": httpserver.url_for("/api/v2")})
    assert response.status_code == 200, response.json()
    credential.refresh_from_db()
    assert credential.secrets.reveal() == {"username": "billing-user", "password": PASSWORD}
    assert "origin_changed" not in AuditEvent.objects.get(action="credential.edited").details


def test_overlay_names_the_secrets_to_enter_again(admin_client, organization, credential, elsewhere) -> None:
    data = {
        "name": "Billing API",
        "base_url": elsewhere.url_for("/"),
        "content_type": "application/json",
        "auth_type": "basic",
        "auth_username": "",
        "auth_password": "",
        "_action": "save",
    }
    address = reverse("credential_edit", args=[organization.slug, credential.pk])
    body = admin_client.post(address, data, **HTMX).content.decode()
    assert html.field_errors(body, "id_auth_username") == [ORIGIN_CHANGED]
    assert html.field_errors(body, "id_auth_password") == [ORIGIN_CHANGED]
    assert "Leave blank to keep" not in body  # nothing stored counts for the new origin
    assert html.value(body, "id_base_url") == elsewhere.url_for("/")  # what was typed stays
    credential.refresh_from_db()
    assert credential.base_url.endswith("/api")


def test_organization_rows_need_their_secrets_again(admin_key, organization, httpserver, elsewhere) -> None:
    east = Organization.objects.get(slug="acme-east")
    credential = Credential.objects.create(
        organization=organization,
        name="Regional",
        base_url=httpserver.url_for("/api"),
        auth_type="bearer",
        auth_settings={"key": "Authorization"},
        org_specific=True,
    )
    OrganizationCredential.objects.create(credential=credential, organization=east, secrets={"value": "east-token"})
    response = _api("patch", f"credentials/{credential.pk}", admin_key, {"base_url": elsewhere.url_for("/")})
    assert response.status_code == 400
    assert response.json()["errors"] == {"organization_credentials[0].value": [ORIGIN_CHANGED]}
    _api("post", f"credentials/{credential.pk}/test", admin_key)
    assert _nothing_arrived(elsewhere)


def test_aws4_endpoint_origin_is_bound_too(admin_key, organization, httpserver, elsewhere) -> None:
    credential = Credential.objects.create(
        organization=organization,
        name="S3",
        base_url=httpserver.url_for("/api"),
        auth_type="aws4",
        auth_settings={"region": "eu-west-1", "service": "s3", "endpoint": httpserver.url_for("/")},
        secrets={"access_key": "AKIDEXAMPLE", "secret_key": "aws-secret"},
    )
    moved = {"auth": {"region": "eu-west-1", "service": "s3", "endpoint": elsewhere.url_for("/")}}
    response = _api("patch", f"credentials/{credential.pk}", admin_key, moved)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"auth.access_key", "auth.secret_key"}
    same = {"auth": {"region": "eu-west-1", "service": "s3", "endpoint": httpserver.url_for("/other")}}
    assert _api("patch", f"credentials/{credential.pk}", admin_key, same).status_code == 200


def test_admin_cannot_move_a_credential_to_another_origin(operator_client_for_origin, credential, elsewhere) -> None:
    response = operator_client_for_origin.post(
        reverse("admin:credentials_credential_change", args=[credential.pk]),
        {
            "name": "Billing API",
            "description": "",
            "base_url": elsewhere.url_for("/"),
            "content_type": "application/json",
            "extra_headers": "[]",
            "organization_credentials-TOTAL_FORMS": "0",
            "organization_credentials-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "needs the secrets again" in response.content.decode()
    credential.refresh_from_db()
    assert credential.base_url.endswith("/api")


@pytest.fixture
def operator_client_for_origin(django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password-123"))
    return client
