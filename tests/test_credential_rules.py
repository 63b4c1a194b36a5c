"""One set of credential rules on every path: the overlay, the JSON API and the admin; no input answers 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from credentials import catalog
from credentials.models import Credential
from tests.formsets import headers

UNENCODABLE = "Enter text without unpaired surrogate characters (\\ud800–\\udfff)."


def _api(method: str, path: str, key, body: str | dict | None = None, client: Client | None = None):
    access_key, secret = key
    kwargs = {"headers": {"X-Client-ID": access_key.key_id, "X-Client-Secret": secret}}
    if body is not None:
        kwargs.update(data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")
    return getattr(client or Client(), method)(f"/api/v1/{path}", **kwargs)


@pytest.fixture
def operator_client(django_user_model) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password-123"))
    return client


def _admin_post(client: Client, credential: Credential, extra_headers: str):
    return client.post(
        reverse("admin:credentials_credential_change", args=[credential.pk]),
        {
            "name": credential.name,
            "description": "",
            "base_url": credential.base_url,
            "content_type": "application/json",
            "extra_headers": extra_headers,
            "organization_credentials-TOTAL_FORMS": "0",
            "organization_credentials-INITIAL_FORMS": "0",
        },
    )


@pytest.mark.parametrize(
    "extra_headers, message",
    [
        ('{"Accept": "application/json"}', "Enter a list of [name, value] pairs"),
        ("null", "Enter a list of [name, value] pairs"),
        ('[["bad name", "x"]]', "Enter a valid header name"),
        ('[["Authorization", "x"]]', "The authentication type sets this header."),
        ('[["X-Team", "a\\nb"]]', "Header values cannot contain line breaks."),
    ],
)
def test_admin_extra_headers_follow_the_overlays_rules(
    operator_client, basic_credential, admin_key, extra_headers, message
) -> None:
    response = _admin_post(operator_client, basic_credential, extra_headers)
    assert response.status_code == 200 and message in response.content.decode()
    basic_credential.refresh_from_db()
    assert basic_credential.extra_headers == []
    # The organization's list still answers.
    assert _api("get", "credentials", admin_key).status_code == 200


def test_admin_saves_valid_extra_headers(operator_client, basic_credential) -> None:
    response = _admin_post(operator_client, basic_credential, '[["Accept", "application/json"]]')
    assert response.status_code == 302
    basic_credential.refresh_from_db()
    assert basic_credential.extra_headers == [["Accept", "application/json"]]


BASIC = {
    "name": "Tokens",
    "base_url": "https://tokens.example.com",
    "content_type": "application/json",
    "auth_type": "basic",
    "auth": {"username": "u", "password": "p"},
}


@pytest.mark.parametrize(
    "body, field",
    [
        ('{"name": "x\\ud800"}', "name"),
        ('{"auth": {"username": "u\\udfff", "password": "p"}}', "auth.username"),
        ('{"auth": {"username": "u", "password": "\\udfff"}}', "auth.password"),
        ('{"extra_headers": [{"name": "X-A", "value": "\\ud800"}]}', "extra_headers[0].value"),
    ],
)
def test_lone_surrogates_are_refused_naming_the_field(admin_key, body, field) -> None:
    merged = json.dumps({k: v for k, v in BASIC.items() if k not in json.loads(body)})[:-1] + ", " + body[1:]
    response = _api("post", "credentials", admin_key, merged)
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {field: [UNENCODABLE]}
    assert not Credential.objects.exists()


def test_lone_surrogates_on_patch(admin_key, basic_credential) -> None:
    body = '{"auth": {"username": "u\\udfff", "password": "p"}}'
    response = _api("patch", f"credentials/{basic_credential.pk}", admin_key, body)
    assert response.status_code == 400
    assert response.json()["errors"] == {"auth.username": [UNENCODABLE]}


@pytest.mark.parametrize(
    "action", ["remove_header:²", "remove_organization:¹", "remove_secret_header:٣", "remove_header:" + "9" * 4300]
)
def test_row_actions_with_odd_indexes_redraw_the_form(admin_client, organization, action) -> None:
    data = {
        "name": "Typed",
        "base_url": "https://typed.example.com",
        "content_type": "application/json",
        "auth_type": "basic",
        **headers(("X-One", "1")),
        "_action": action,
    }
    response = admin_client.post(reverse("credential_create", args=[organization.slug]), data)
    assert response.status_code == 200
    assert 'value="X-One"' in response.content.decode()  # nothing typed is lost


def test_openapi_requires_what_post_requires() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    create = schemas["CredentialCreateIn"]
    # One body per authentication type, told apart by auth_type; each requires what POST requires.
    assert create["discriminator"]["propertyName"] == "auth_type"
    assert sorted(create["discriminator"]["mapping"]) == sorted(catalog.AUTH_TYPES)
    for reference in create["discriminator"]["mapping"].values():
        variant = schemas[reference.rsplit("/", 1)[1]]
        assert variant["required"] == ["auth_type", "base_url", "name"]
        assert variant["properties"]["name"] == {"title": "Name", "type": "string", "maxLength": 100}
        assert "json" in variant["properties"]["content_type"]["enum"]
    body = document["paths"]["/api/v1/credentials"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/CredentialCreateIn")


def test_explicit_null_on_patch_keeps_the_stored_value(admin_key, basic_credential) -> None:
    body = {"name": None, "description": None, "base_url": None, "auth": None, "extra_headers": None}
    response = _api("patch", f"credentials/{basic_credential.pk}", admin_key, body)
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Billing API" and response.json()["description"] == "Invoices"


def test_content_type_short_forms(admin_key) -> None:
    for short, media_type in (("json", "application/json"), ("xml", "application/xml")):
        response = _api("post", "credentials", admin_key, {**BASIC, "name": short, "content_type": short})
        assert response.status_code == 201 and response.json()["content_type"] == media_type


@override_settings(DEBUG=False)
def test_an_api_500_answers_the_documented_json(admin_key, organization) -> None:
    # A row that no form lets through (written straight to the database) breaks the list's serializer.
    Credential.objects.create(organization=organization, name="Broken", extra_headers={"Accept": "x"})
    response = _api("get", "credentials", admin_key, client=Client(raise_request_exception=False))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "Internal Server Error"
