"""The JSON API at /api/v1/: authentication answers, permissions, validation, errors, OpenAPI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import requests
from django.test import Client, override_settings
from django.utils import timezone

from credentials import keys
from credentials.actions.access_keys import do_delete_access_key
from credentials.models import AccessKey, AuditEvent, Connection, Credential, Membership, Organization
from tests.clients import tampered

PASSWORD_SECRET = "s3cret-basic-password"


@pytest.fixture
def api_key(organization, admin_user):
    return keys.create_api_key(organization, "Zapier", created_by=admin_user)


def access_headers(key) -> dict[str, str]:
    access_key, secret = key
    return {"X-Client-ID": access_key.key_id, "X-Client-Secret": secret}


def call(method: str, path: str, headers: dict[str, str] | None = None, body=None):
    client = Client()
    kwargs = {"headers": headers or {}}
    if body is not None:
        kwargs.update(data=json.dumps(body) if not isinstance(body, str) else body, content_type="application/json")
    return getattr(client, method)(f"/api/v1/{path}", **kwargs)


def assert_unauthorized(response, detail: str | None = None) -> dict:
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["error"] == "Unauthorized"
    if detail is not None:
        assert body["detail"] == detail
    return body


# 401: every row, both schemes ------------------------------------------------------------------


@pytest.mark.django_db
def test_missing_credentials() -> None:
    assert_unauthorized(call("get", "account"), keys.MISSING)


def test_only_one_access_key_header(admin_key) -> None:
    access_key, secret = admin_key
    assert_unauthorized(call("get", "account", {"X-Client-ID": access_key.key_id}), keys.INCOMPLETE)
    assert_unauthorized(call("get", "account", {"X-Client-Secret": secret}), keys.INCOMPLETE)


def test_malformed_credentials(admin_key, api_key) -> None:
    access_key, secret = admin_key
    assert_unauthorized(call("get", "account", {"X-Client-ID": "nope", "X-Client-Secret": secret}), keys.MALFORMED)
    assert_unauthorized(
        call("get", "account", {"X-Client-ID": access_key.key_id, "X-Client-Secret": tampered(secret)}),
        keys.MALFORMED,
    )
    assert_unauthorized(call("get", "account", {"x-api-key": api_key[1][:-2]}), keys.MALFORMED)


def test_unknown_key_id_and_wrong_secret_are_indistinguishable(admin_key) -> None:
    access_key, _ = admin_key
    unknown = call(
        "get", "account", {"X-Client-ID": keys.new_access_key_id(), "X-Client-Secret": keys.new_access_key_secret()}
    )
    wrong = call("get", "account", {"X-Client-ID": access_key.key_id, "X-Client-Secret": keys.new_access_key_secret()})
    assert assert_unauthorized(unknown) == assert_unauthorized(wrong)
    assert unknown.json()["detail"] == keys.INCORRECT


def test_unknown_api_key(api_key) -> None:
    assert_unauthorized(call("get", "account", {"x-api-key": keys.new_api_key()}), keys.API_KEY_INCORRECT)


def test_expired_key_fails_the_minute_it_expires(admin_key) -> None:
    access_key, _ = admin_key
    access_key.expires_at = timezone.now() + timedelta(minutes=1)
    access_key.save()
    assert call("get", "account", access_headers(admin_key)).status_code == 200
    access_key.expires_at = timezone.now() - timedelta(seconds=1)
    access_key.save()
    assert_unauthorized(call("get", "account", access_headers(admin_key)), keys.EXPIRED)


def test_revoked_and_deleted_keys_fail_at_once(admin_key) -> None:
    access_key, _ = admin_key
    assert call("get", "account", access_headers(admin_key)).status_code == 200
    access_key.revoked_at = timezone.now()
    access_key.save()
    assert_unauthorized(call("get", "account", access_headers(admin_key)), keys.REVOKED)
    do_delete_access_key(access_key.organization, access_key, actor="test")
    assert_unauthorized(call("get", "account", access_headers(admin_key)), keys.INCORRECT)


def test_regenerated_api_key_fails_at_once(api_key) -> None:
    record, old = api_key
    assert call("get", "account", {"x-api-key": old}).status_code == 200
    new = keys.regenerate_api_key(record)
    assert_unauthorized(call("get", "account", {"x-api-key": old}), keys.API_KEY_INCORRECT)
    assert call("get", "account", {"x-api-key": new}).status_code == 200


def test_sunset_and_disabled_api_keys(organization, api_key) -> None:
    _, key = api_key
    organization.api_key_policy = Organization.APIKeyPolicy.DEPRECATED
    organization.api_key_sunset_at = timezone.now() + timedelta(days=3)
    organization.save()
    assert call("get", "account", {"x-api-key": key}).status_code == 200
    organization.api_key_sunset_at = timezone.now() - timedelta(seconds=1)
    organization.save()
    detail = assert_unauthorized(call("get", "account", {"x-api-key": key}))["detail"]
    assert "retired" in detail and organization.api_key_sunset_at.date().isoformat() in detail
    organization.api_key_policy = Organization.APIKeyPolicy.DISABLED
    organization.save()
    assert_unauthorized(call("get", "account", {"x-api-key": key}), keys.API_KEYS_DISABLED)


def test_removed_owner_takes_the_keys_power(admin_key, admin_user, organization) -> None:
    Membership.objects.filter(user=admin_user, organization=organization).delete()
    assert_unauthorized(call("get", "account", access_headers(admin_key)), keys.OWNER_GONE)


@pytest.mark.parametrize("parameter", ["x-api-key", "api_key", "X-Client-Secret", "key"])
def test_a_key_in_the_query_string_is_refused(admin_key, api_key, parameter) -> None:
    response = call("get", f"account?{parameter}={api_key[1]}", access_headers(admin_key))
    assert "query string" in assert_unauthorized(response)["detail"]


def test_header_names_are_case_insensitive(admin_key, api_key) -> None:
    access_key, secret = admin_key
    for id_header, secret_header in [("x-client-id", "x-client-secret"), ("X-CLIENT-ID", "X-CLIENT-SECRET")]:
        response = call("get", "account", {id_header: access_key.key_id, secret_header: secret})
        assert response.status_code == 200
    for header in ["x-api-key", "X-API-KEY", "X-Api-Key"]:
        assert call("get", "account", {header: api_key[1]}).status_code == 200


def test_header_names_are_case_insensitive_over_real_http(live_server, admin_key, api_key) -> None:
    access_key, secret = admin_key
    url = f"{live_server.url}/api/v1/account"
    response = requests.get(url, headers={"x-client-id": access_key.key_id, "X-CLIENT-SECRET": secret}, timeout=10)
    assert response.status_code == 200 and response.json()["key"]["key_id"] == access_key.key_id
    assert requests.get(url, headers={"X-API-KEY": api_key[1]}, timeout=10).status_code == 200


@override_settings(CREDHUB_API_FAILURE_LIMIT=3)
def test_repeated_failures_get_429_with_retry_after_but_the_valid_key_still_works(admin_key) -> None:
    wrong = {"X-Client-ID": admin_key[0].key_id, "X-Client-Secret": keys.new_access_key_secret()}
    for _ in range(3):
        assert_unauthorized(call("get", "account", wrong))
    response = call("get", "account", wrong)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"] == "Too Many Requests"
    assert call("get", "account", access_headers(admin_key)).status_code == 200


# 200, 403 ---------------------------------------------------------------------------------------


def test_account_names_the_calling_key(organization, admin_key, api_key) -> None:
    body = call("get", "account", access_headers(admin_key)).json()
    assert body["account_id"] == organization.account_id and body["account_domain"] == "acme.test"
    assert body["key"] == {
        "type": "access_key",
        "key_id": admin_key[0].key_id,
        "prefix": None,
        "name": "CI",
        "role": "admin",
        "system_generated": False,
        "expires_at": None,
    }
    assert call("get", "account", {"x-api-key": api_key[1]}).json()["key"] == {
        "type": "api_key",
        "key_id": None,
        "prefix": api_key[0].prefix,
        "name": "Zapier",
        "role": "admin",
        "system_generated": False,
        "expires_at": None,
    }


def test_account_gives_a_system_keys_expiry(organization) -> None:
    expires_at = timezone.now().replace(microsecond=0) + timedelta(days=30)
    key = keys.create_access_key(organization, "Nightly", role="member", system_generated=True, expires_at=expires_at)
    body = call("get", "account", access_headers(key)).json()["key"]
    assert body["role"] == "member" and body["system_generated"] is True
    assert datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00")) == expires_at


def test_key_use_is_recorded(admin_key) -> None:
    call("get", "account", access_headers(admin_key))
    admin_key[0].refresh_from_db()
    assert admin_key[0].last_used_at is not None and admin_key[0].last_used_ip == "127.0.0.1"


BASIC = {
    "name": "Billing",
    "base_url": "https://billing.example.com",
    "auth_type": "basic",
    "auth": {"username": "bill", "password": PASSWORD_SECRET},
}


@pytest.mark.parametrize("scheme", ["access", "api"])
def test_member_keys_cannot_write(member_key, member_user, organization, basic_credential, scheme) -> None:
    if scheme == "access":
        headers = access_headers(member_key)
    else:
        headers = {"x-api-key": keys.create_api_key(organization, "member-made", created_by=member_user)[1]}
    assert call("get", "credentials", headers).status_code == 200
    for method, path, body in [
        ("post", "credentials", BASIC),
        ("patch", f"credentials/{basic_credential.pk}", {"name": "Renamed"}),
        ("delete", f"credentials/{basic_credential.pk}", None),
    ]:
        response = call(method, path, headers, body)
        assert response.status_code == 403, response.content
        assert response.json()["error"] == "Forbidden"
    assert Credential.objects.get().name == "Billing API"


def test_demoted_owner_takes_the_keys_write_power(admin_key, admin_user, organization) -> None:
    Membership.objects.filter(user=admin_user).update(role=Membership.Role.MEMBER)
    response = call("post", "credentials", access_headers(admin_key), BASIC)
    assert response.status_code == 403


@pytest.mark.parametrize("scheme", ["access", "api"])
def test_another_organizations_credential_is_forbidden(other_organization, admin_key, api_key, scheme) -> None:
    theirs = Credential.objects.create(
        organization=other_organization, name="Theirs", base_url="https://x.test", secrets={"username": "a"}
    )
    headers = access_headers(admin_key) if scheme == "access" else {"x-api-key": api_key[1]}
    for method, body in [("get", None), ("patch", {"name": "Mine"}), ("delete", None)]:
        response = call(method, f"credentials/{theirs.pk}", headers, body)
        assert response.status_code == 403 and response.json()["error"] == "Forbidden"
    assert call("post", f"credentials/{theirs.pk}/test", headers).status_code == 403
    assert "Theirs" not in call("get", "credentials", headers).content.decode()
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_feature_flag_off_forbids_credentials(organization, admin_key) -> None:
    organization.api_credentials_enabled = False
    organization.save()
    response = call("get", "credentials", access_headers(admin_key))
    assert response.status_code == 403 and "not turned on" in response.json()["detail"]


def test_system_key_acts_with_its_role(organization) -> None:
    _, secret = keys.create_access_key(organization, "Sync", system_generated=True, role="member")
    key_id = AccessKey.objects.get(name="Sync").key_id
    headers = {"X-Client-ID": key_id, "X-Client-Secret": secret}
    assert call("get", "credentials", headers).status_code == 200
    assert call("post", "credentials", headers, BASIC).status_code == 403


# Credentials CRUD, one validation path, no secret out ------------------------------------------


def test_credential_lifecycle_never_returns_a_secret(organization, admin_key) -> None:
    headers = access_headers(admin_key)
    created = call("post", "credentials", headers, {**BASIC, "extra_headers": [{"name": "X-Team", "value": "ops"}]})
    assert created.status_code == 201, created.content
    body = created.json()
    credential_id = body["id"]
    assert body["auth"] == {} and body["extra_headers"] == [{"name": "X-Team", "value": "ops"}]
    responses = [
        created,
        call("get", "credentials", headers),
        call("get", f"credentials/{credential_id}", headers),
        call("patch", f"credentials/{credential_id}", headers, {"name": "Billing v2"}),
    ]
    for response in responses:
        assert response.status_code in (200, 201)
        assert PASSWORD_SECRET not in response.content.decode() and 'bill"' not in response.content.decode()
    credential = Credential.objects.get(pk=credential_id)
    assert credential.name == "Billing v2"
    assert credential.secrets.reveal() == {"username": "bill", "password": PASSWORD_SECRET}  # kept on PATCH
    listed = call("get", "credentials", headers).json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "Billing v2"
    actors = set(AuditEvent.objects.filter(action__startswith="credential.").values_list("actor", flat=True))
    assert actors == {f"access key {admin_key[0].key_id}"}


def test_delete_revokes_connections(organization, admin_key, basic_credential) -> None:
    Connection.objects.create(
        organization=organization, kind="source", connector="http_api", name="Invoices", credential=basic_credential
    )
    response = call("delete", f"credentials/{basic_credential.pk}", access_headers(admin_key))
    assert response.status_code == 200
    assert response.json() == {"id": str(basic_credential.pk), "deleted": True, "revoked_connections": ["Invoices"]}
    assert Connection.objects.get().status == "revoked"
    assert call("get", f"credentials/{basic_credential.pk}", access_headers(admin_key)).status_code == 404


def test_400_gives_per_field_errors_from_the_form(admin_key, basic_credential) -> None:
    headers = access_headers(admin_key)
    response = call("post", "credentials", headers, {"name": "billing api", "auth_type": "basic", "auth": {}})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["name"] == ["A credential with this name already exists in this organization."]
    assert errors["base_url"] == ["Enter the Base URL, such as https://api.example.com."]
    assert errors["auth.username"] == ["Enter the Username."]
    response = call("post", "credentials", headers, {**BASIC, "extra_headers": [{"name": "bad name", "value": "x"}]})
    assert "extra_headers[0].name" in response.json()["errors"]
    response = call("post", "credentials", headers, {**BASIC, "is_test": "perhaps"})
    assert response.status_code == 400 and "is_test" in response.json()["errors"]
    response = call("post", "credentials", headers, {**BASIC, "connector": "nope"})
    assert response.status_code == 400 and "connector" in response.json()["errors"]
    response = call("post", "credentials", headers, "{not json")
    assert response.status_code == 400 and response.json()["error"] == "Bad Request"


def _local_credential(organization, httpserver) -> Credential:
    return Credential.objects.create(
        organization=organization,
        name="Local",
        base_url=httpserver.url_for("/api"),
        auth_type="basic",
        secrets={"username": "svc", "password": PASSWORD_SECRET},
    )


def test_test_endpoint_reports_success_in_words(organization, admin_key, httpserver) -> None:
    credential = _local_credential(organization, httpserver)
    httpserver.expect_request(
        "/api", headers={"Authorization": "Basic c3ZjOnMzY3JldC1iYXNpYy1wYXNzd29yZA=="}
    ).respond_with_data("ok")
    response = call("post", f"credentials/{credential.pk}/test", access_headers(admin_key))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["results"][0]["outcome"] == "success"
    assert "The credential works." in body["results"][0]["message"]
    assert PASSWORD_SECRET not in response.content.decode()
    assert AuditEvent.objects.filter(action="credential.tested", target_id=str(credential.pk)).exists()


def test_test_endpoint_reports_a_401_from_the_target(organization, admin_key, httpserver) -> None:
    credential = _local_credential(organization, httpserver)
    httpserver.expect_request("/api").respond_with_data("no", status=401)
    body = call("post", f"credentials/{credential.pk}/test", access_headers(admin_key)).json()
    assert body["ok"] is False
    assert body["results"][0]["status_code"] == 401
    assert "the credential is wrong, expired or revoked" in body["results"][0]["message"]


def test_test_endpoint_needs_an_admin_key(organization, member_key, httpserver) -> None:
    credential = _local_credential(organization, httpserver)
    response = call("post", f"credentials/{credential.pk}/test", access_headers(member_key))
    assert response.status_code == 403 and response.json()["error"] == "Forbidden"
    assert httpserver.log == []


def test_connections(organization, admin_key, basic_credential) -> None:
    Connection.objects.create(
        organization=organization,
        kind="destination",
        connector="kissflow",
        name="Flow",
        credential=basic_credential,
        access_key=admin_key[0],
    )
    body = call("get", "connections", access_headers(admin_key)).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == "Flow" and item["access_key_id"] == admin_key[0].key_id
    assert item["credential_id"] == str(basic_credential.pk) and item["status"] == "active"


# 404, 405, OpenAPI ------------------------------------------------------------------------------


def test_404_and_405_are_json(admin_key) -> None:
    headers = access_headers(admin_key)
    for response in [
        call("get", "nothing-here", headers),
        call("get", "credentials/00000000-0000-0000-0000-000000000000", headers),
        call("get", "credentials/not-a-uuid", headers),
    ]:
        assert response.status_code == 404 and response.json()["error"] == "Not Found"
    response = call("put", "credentials", headers, {})
    assert response.status_code == 405 and response.json()["error"] == "Method Not Allowed"
    assert "GET" in response["Allow"] and "POST" in response["Allow"]


@pytest.mark.django_db
def test_openapi_document_lists_every_path_and_both_schemes() -> None:
    response = call("get", "openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert set(paths) == {
        "/api/v1/account",
        "/api/v1/credentials",
        "/api/v1/credentials/{credential_id}",
        "/api/v1/credentials/{credential_id}/test",
        "/api/v1/connections",
        "/api/v1/webhooks",
        "/api/v1/webhooks/{endpoint_id}",
        "/api/v1/webhooks/{endpoint_id}/deliveries",
        "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend",
        "/api/v1/webhooks/{endpoint_id}/test",
        "/api/v1/access-keys",
        "/api/v1/access-keys/{key_id}",
        "/api/v1/credentials/{credential_id}/usage",
        "/api/v1/credentials/{credential_id}/proxy/{path}",
    }
    assert set(paths["/api/v1/credentials/{credential_id}"]) == {"get", "patch", "delete"}
    proxy = paths["/api/v1/credentials/{credential_id}/proxy/{path}"]
    assert set(proxy) == {"get", "head", "post", "put", "patch", "delete"}
    assert proxy["get"]["security"] == [{"ClientID": [], "ClientSecret": []}]  # no legacy API keys
    schemes = document["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {"X-Client-ID", "X-Client-Secret", "x-api-key"}
    assert paths["/api/v1/account"]["get"]["security"] == [{"ClientID": [], "ClientSecret": []}, {"APIKey": []}]


def test_session_cookie_does_not_authenticate(admin_client) -> None:
    response = admin_client.get("/api/v1/account")
    assert_unauthorized(response, keys.MISSING)


def test_keys_are_never_logged(admin_key, api_key, caplog) -> None:
    access_key, secret = admin_key
    wrong_secret = keys.new_access_key_secret()
    with caplog.at_level("DEBUG"):
        call("get", "account", {"X-Client-ID": access_key.key_id, "X-Client-Secret": wrong_secret})
        call("get", f"account?x-api-key={api_key[1]}")
        call("get", "account", {"x-api-key": keys.new_api_key()})
        call("get", "account", access_headers(admin_key))
    assert access_key.key_id in caplog.text  # the public ID names the key in logs
    for value in (secret, wrong_secret, api_key[1]):
        assert value not in caplog.text
