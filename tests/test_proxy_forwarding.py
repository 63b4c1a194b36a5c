"""The credential proxy against real loopback servers: what the upstream receives for each authentication
type, and what the caller gets back (status, body, headers), streamed."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json

import pytest
from werkzeug import Response

from credentials import outbound
from credentials.models import Credential, Organization, OrganizationCredential
from tests.factories import make_credential
from tests.proxying import call, content, permit

SECRET = "s3cret-value-never-shown"


@pytest.fixture(autouse=True)
def loopback_targets_in_production(settings) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"


def received(httpserver) -> dict[str, str]:
    assert len(httpserver.log) == 1, httpserver.log
    request, _ = httpserver.log[0]
    return {name.lower(): value for name, value in request.headers.items()}


def credential_of(organization, httpserver, auth_type: str, secrets=None, auth_settings=None, **fields) -> Credential:
    return make_credential(
        organization,
        f"{auth_type} API",
        base_url=httpserver.url_for("/api"),
        auth_type=auth_type,
        secrets=secrets,
        auth_settings=auth_settings or {},
        **fields,
    )


CALLER_KEY_HEADERS = ("x-client-id", "x-client-secret", "x-api-key", "cookie")


def assert_no_caller_key(headers: dict[str, str], key) -> None:
    for name in CALLER_KEY_HEADERS:
        assert name not in headers
    assert key[1] not in str(headers) and key[0].key_id not in str(headers)


# Every authentication type, as the upstream receives it -----------------------------------------


def test_basic(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/v1/items").respond_with_json({"ok": True})
    credential = credential_of(organization, httpserver, "basic", {"username": "bill", "password": SECRET})
    response = call("GET", credential, "v1/items", permit(admin_key, credential))
    assert response.status_code == 200 and content(response) == b'{\n    "ok": true\n}'
    headers = received(httpserver)
    assert headers["authorization"] == "Basic " + base64.b64encode(f"bill:{SECRET}".encode()).decode()
    assert_no_caller_key(headers, admin_key)


def test_secret_headers_and_extra_headers(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/v1/items").respond_with_data("ok")
    credential = credential_of(
        organization,
        httpserver,
        "headers",
        {"X-Api-Token": SECRET, "X-Tenant": "t-1"},
        {"header_names": ["X-Api-Token", "X-Tenant"]},
        extra_headers=[["X-Source", "credhub-tests"]],
    )
    call("GET", credential, "v1/items", permit(admin_key, credential))
    headers = received(httpserver)
    assert (headers["x-api-token"], headers["x-tenant"], headers["x-source"]) == (SECRET, "t-1", "credhub-tests")
    assert_no_caller_key(headers, admin_key)


def test_bearer(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/me").respond_with_data("ok")
    credential = credential_of(organization, httpserver, "bearer", {"value": SECRET}, {"key": "Authorization"})
    call("GET", credential, "me", permit(admin_key, credential))
    assert received(httpserver)["authorization"] == f"Bearer {SECRET}"


def test_aws4_signs_the_proxied_request(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/queues").respond_with_data("ok")
    credential = credential_of(
        organization,
        httpserver,
        "aws4",
        {"access_key": "AKIDEXAMPLE", "secret_key": SECRET},
        {"region": "eu-west-1", "service": "sqs"},
    )
    call("POST", credential, "queues", permit(admin_key, credential), body=b'{"a": 1}', content_type="application/json")
    headers = received(httpserver)
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/sqs/aws4_request" in headers["authorization"]
    assert headers["x-amz-content-sha256"] == hashlib.sha256(b'{"a": 1}').hexdigest()


def test_hmac_signature_covers_path_query_and_body(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/v1/orders").respond_with_data("ok")
    credential = credential_of(organization, httpserver, "hmac_sha256", {"client_id": "cid", "client_secret": SECRET})
    body = b'{"amount": 5}'
    permit(admin_key, credential)
    call("POST", credential, "v1/orders", admin_key, body=body, content_type="application/json", query="b=2&a=1")
    request, _ = httpserver.log[0]
    headers = received(httpserver)
    to_sign = outbound.hmac_string_to_sign("POST", "/api/v1/orders", "b=2&a=1", headers["x-credhub-timestamp"], body)
    expected = hmac.new(SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    assert headers["x-credhub-client-id"] == "cid" and headers["x-credhub-signature"] == expected
    assert request.get_data() == body


def test_no_authentication(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/status").respond_with_data("up")
    credential = credential_of(organization, httpserver, "none")
    response = call("GET", credential, "status", permit(admin_key, credential))
    assert content(response) == b"up"
    assert "authorization" not in received(httpserver)


# Org-specific credentials -------------------------------------------------------------------------


def test_org_specific_uses_the_named_organizations_secrets(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/me").respond_with_data("ok")
    credential = credential_of(organization, httpserver, "bearer", None, {"key": "Authorization"}, org_specific=True)
    for slug, token in (("acme-east", "east-token"), ("acme-west", "west-token")):
        OrganizationCredential.objects.create(
            credential=credential, organization=Organization.objects.get(slug=slug), secrets={"value": token}
        )
    permit(admin_key, credential)
    response = call("GET", credential, "me", admin_key, headers={"Credhub-Organization": "acme-west"})
    assert response.status_code == 200
    assert received(httpserver)["authorization"] == "Bearer west-token"
    assert "credhub-organization" not in received(httpserver)


@pytest.mark.parametrize(
    ("sent", "detail"),
    [
        ({}, "name one in the Credhub-Organization header"),
        ({"Credhub-Organization": "nowhere"}, "names no organization"),
    ],
)
def test_org_specific_without_a_known_organization_is_400(httpserver, organization, admin_key, sent, detail) -> None:
    credential = credential_of(organization, httpserver, "bearer", None, {"key": "Authorization"}, org_specific=True)
    response = call("GET", credential, "me", permit(admin_key, credential), headers=sent)
    assert response.status_code == 400
    assert response["Credhub-Error"] == "organization_required"
    assert detail in response.json()["detail"] and "Credhub-Organization" in response.json()["detail"]
    assert httpserver.log == []


# Method, query and body --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_method_query_and_body_pass_through(httpserver, organization, admin_key, method) -> None:
    httpserver.expect_request("/api/v1/items/7", method=method).respond_with_data("done", status=201)
    credential = credential_of(organization, httpserver, "basic", {"username": "u", "password": SECRET})
    body = b"\x00binary\xffbody" * 100
    permit(admin_key, credential)
    binary = "application/octet-stream"
    response = call(
        method, credential, "v1/items/7", admin_key, body=body, content_type=binary, query="q=a%20b&x=1&x=2"
    )
    assert response.status_code == 201 and content(response) == b"done"
    request, _ = httpserver.log[0]
    assert request.method == method and request.get_data() == body
    assert request.query_string == b"q=a%20b&x=1&x=2"
    assert request.headers["Content-Type"] == "application/octet-stream"


def test_head(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/file", method="HEAD").respond_with_response(
        Response(b"x" * 1234, headers={"ETag": '"v1"'})  # werkzeug answers a HEAD without the body
    )
    credential = credential_of(organization, httpserver, "none")
    response = call("HEAD", credential, "file", permit(admin_key, credential))
    assert response.status_code == 200 and content(response) == b""
    assert response["Content-Length"] == "1234" and response["ETag"] == '"v1"'


def test_upstream_errors_are_passed_back_as_they_are(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/missing").respond_with_json({"message": "no such item"}, status=404)
    credential = credential_of(organization, httpserver, "none")
    response = call("GET", credential, "missing", permit(admin_key, credential))
    assert response.status_code == 404 and json.loads(content(response)) == {"message": "no such item"}
    assert "Credhub-Error" not in response


# Headers, both ways ------------------------------------------------------------------------------

PASSED = {
    "Accept": "application/vnd.api+json",
    "Accept-Language": "de",
    "If-Match": '"a"',
    "If-None-Match": '"b"',
    "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT",
    "Idempotency-Key": "idem-1",
}
STRIPPED = {
    "Authorization": "Bearer caller-token",
    "Cookie": "sessionid=abc",
    "X-Forwarded-For": "203.0.113.9",
    "Forwarded": "for=203.0.113.9",
    "Proxy-Authorization": "Basic eA==",
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "TE": "trailers",
    "X-Custom": "kept-out",
}


def test_request_headers_are_an_allowlist(httpserver, organization, admin_key) -> None:
    httpserver.expect_request("/api/x").respond_with_data("ok")
    credential = credential_of(organization, httpserver, "none")
    permit(admin_key, credential)
    call("GET", credential, "x", admin_key, headers={**PASSED, **STRIPPED, "User-Agent": "billing-sync/2.1"})
    headers = received(httpserver)
    for name, value in PASSED.items():
        assert headers[name.lower()] == value
    for name in ("authorization", "cookie", "x-forwarded-for", "forwarded", "proxy-authorization", "upgrade", "te"):
        assert name not in headers
    assert "x-custom" not in headers and headers.get("connection") != "Upgrade"
    assert headers["host"] == f"localhost:{httpserver.port}"
    assert headers["user-agent"] == "credhub billing-sync/2.1"
    assert headers["accept-encoding"] == "identity"
    assert_no_caller_key(headers, admin_key)


def test_response_headers_are_an_allowlist(httpserver, organization, admin_key) -> None:
    safe = {
        "ETag": '"v2"',
        "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT",
        "Cache-Control": "max-age=60",
        "Link": '<https://x/?page=2>; rel="next"',
        "Retry-After": "30",
        "X-RateLimit-Remaining": "41",
        "X-RateLimit-Limit": "50",
    }
    unsafe = {"Set-Cookie": "upstream=1", "X-Internal-Trace": "abc", "Location": "https://elsewhere/", "Server": "up"}
    httpserver.expect_request("/api/x").respond_with_response(
        Response(b"[]", status=200, headers={**safe, **unsafe}, content_type="application/json")
    )
    credential = credential_of(organization, httpserver, "none")
    response = call("GET", credential, "x", permit(admin_key, credential))
    for name, value in safe.items():
        assert response[name] == value
    for name in unsafe:
        assert name not in response
    assert response["Content-Type"] == "application/json" and response["Content-Length"] == "2"
    assert int(response["Credhub-Upstream"]) >= 0
    assert not response.cookies


def test_an_encoded_body_passes_as_the_upstream_sent_it(httpserver, organization, admin_key) -> None:
    raw = b'{"items": []}' * 200
    packed = gzip.compress(raw)
    httpserver.expect_request("/api/x").respond_with_response(
        Response(packed, headers={"Content-Encoding": "gzip"}, content_type="application/json")
    )
    credential = credential_of(organization, httpserver, "none")
    permit(admin_key, credential)
    response = call("GET", credential, "x", admin_key, headers={"Accept-Encoding": "gzip"})
    body = content(response)
    assert response["Content-Encoding"] == "gzip" and int(response["Content-Length"]) == len(packed) == len(body)
    assert gzip.decompress(body) == raw
    assert received(httpserver)["accept-encoding"] == "gzip"


def test_a_large_body_is_streamed(httpserver, organization, admin_key) -> None:
    block = bytes(range(256)) * 4096  # 1 MiB

    def chunks():
        for _ in range(8):
            yield block

    httpserver.expect_request("/api/big").respond_with_response(Response(chunks(), content_type="application/x"))
    credential = credential_of(organization, httpserver, "none")
    response = call("GET", credential, "big", permit(admin_key, credential))
    assert response.streaming
    parts = list(response.streaming_content)
    assert len(parts) > 8 and max(len(part) for part in parts) <= 64 * 1024  # chunk by chunk, not one buffer
    assert b"".join(parts) == block * 8
