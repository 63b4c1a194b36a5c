"""The JSON API's input handling: pagination, malformed and oversized bodies, ids, non-Latin-1 and control
characters, CR/LF, rows for another organization's child, and what the OpenAPI document says of it."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from credentials import catalog
from credentials.models import Credential, Organization
from tests.clients import TOKEN_SECRET, api, assert_no_key_in


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


def test_an_oversized_body_is_a_json_400(admin_key) -> None:
    body = json.dumps({"name": "Big", "description": "x" * 3_000_000})
    response = api("post", "credentials", admin_key, body)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"


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


def test_feature_flag_off_forbids_connections_too(organization, admin_key) -> None:
    organization.api_credentials_enabled = False
    organization.save()
    response = api("get", "connections", admin_key)
    assert response.status_code == 403 and "not turned on" in response.json()["detail"]


def test_the_openapi_document_lists_the_pagination_400s_and_its_examples_hold_no_key() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    for path in ("/api/v1/credentials", "/api/v1/connections"):
        assert "400" in document["paths"][path]["get"]["responses"]
    schemas = document["components"]["schemas"]
    assert schemas["CredentialCreateIn"]["examples"][0]["auth_type"] == "basic"
    assert schemas["CredentialOut"]["examples"][0]["auth"] == {"key": "Authorization"}
    assert_no_key_in(json.dumps(document))


def test_the_openapi_document_names_the_roles_a_key_can_have() -> None:
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    role = schemas["KeyOut"]["properties"]["role"]
    enum = role.get("enum") or schemas[role["$ref"].rsplit("/", 1)[1]]["enum"]
    assert sorted(enum) == ["admin", "member"]
