"""credentials.outbound against real HTTP servers on loopback: what each authentication type sends, and its limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import socket
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import override_settings
from werkzeug import Response

from credentials import outbound
from credentials.encryption import Sealed
from credentials.models import Credential, OrganizationCredential
from credentials.outbound import (
    CredentialUnreadable,
    OrganizationRequired,
    RefusedTarget,
    WrongEnvironment,
    refusal_reason,
    session_for,
    test_credential,
)

SECRET = "s3cret-value-never-shown"


@pytest.fixture(autouse=True)
def loopback_targets_in_production(settings) -> None:
    """These tests talk to servers on loopback, with production credentials, however the suite is started."""
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"


def make_credential(organization, base_url: str, auth_type: str, secrets=None, auth_settings=None, **fields):
    return Credential.objects.create(
        organization=organization,
        name=fields.pop("name", f"{auth_type} credential"),
        base_url=base_url,
        auth_type=auth_type,
        secrets=secrets,
        auth_settings=auth_settings or {},
        **fields,
    )


def received(httpserver) -> dict[str, str]:
    """The headers of the one request the server received, by lower-cased name."""
    assert len(httpserver.log) == 1, httpserver.log
    request, _ = httpserver.log[0]
    return {name.lower(): value for name, value in request.headers.items()}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Every authentication type, as the server receives it ------------------------------------------


def test_basic_sends_authorization_content_type_and_extra_headers(httpserver, organization) -> None:
    httpserver.expect_request("/v1/items").respond_with_json({"ok": True})
    credential = make_credential(
        organization,
        httpserver.url_for("/"),
        "basic",
        {"username": "bill", "password": "pä55:word"},
        content_type="application/xml",
        extra_headers=[["X-Tenant", "acme"], ["Accept", "application/json"]],
    )
    response = session_for(credential).get("/v1/items")
    assert response.json() == {"ok": True}
    headers = received(httpserver)
    assert headers["authorization"] == "Basic " + base64.b64encode("bill:pä55:word".encode()).decode()
    assert headers["content-type"] == "application/xml"
    assert headers["x-tenant"] == "acme"
    assert headers["accept"] == "application/json"
    assert headers["user-agent"] == "credhub"


def test_headers_type_sends_each_secret_header(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    credential = make_credential(
        organization,
        httpserver.url_for("/"),
        "headers",
        {"X-Client-ID": "client-1", "X-Client-Secret": SECRET},
        {"header_names": ["X-Client-ID", "X-Client-Secret"]},
        connector="kismet",
    )
    session_for(credential).get("")
    headers = received(httpserver)
    assert headers["x-client-id"] == "client-1"
    assert headers["x-client-secret"] == SECRET
    assert "authorization" not in headers
    assert headers["content-type"] == "application/json"


def test_kimp360_sends_x_api_key(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    credential = make_credential(
        organization,
        httpserver.url_for("/"),
        "headers",
        {"x-api-key": SECRET},
        {"header_names": ["x-api-key"]},
        connector="kimp360",
    )
    session_for(credential).get("/")
    assert received(httpserver)["x-api-key"] == SECRET


def test_bearer_uses_the_key_as_header_name(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    credential = make_credential(
        organization, httpserver.url_for("/"), "bearer", {"value": "tok-123"}, {"key": "X-Auth"}
    )
    session_for(credential).get("/")
    headers = received(httpserver)
    assert headers["x-auth"] == "Bearer tok-123"
    assert "authorization" not in headers


def test_bearer_defaults_to_authorization(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    credential = make_credential(organization, httpserver.url_for("/"), "bearer", {"value": "tok-123"}, {})
    session_for(credential).get("/")
    assert received(httpserver)["authorization"] == "Bearer tok-123"


def test_no_authentication_sends_only_the_headers(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    credential = make_credential(organization, httpserver.url_for("/"), "none", None, extra_headers=[["X-Trace", "on"]])
    session_for(credential).get("/")
    headers = received(httpserver)
    assert "authorization" not in headers
    assert headers["x-trace"] == "on"
    assert headers["content-type"] == "application/json"


def test_aws4_signature_matches_botocore(httpserver, organization) -> None:
    httpserver.expect_request("/prod/items", method="POST").respond_with_data("ok")
    credential = make_credential(
        organization,
        httpserver.url_for("/"),
        "aws4",
        {"access_key": "AKIDEXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
        {"region": "eu-west-1", "service": "execute-api", "endpoint": "https://example.execute-api.amazonaws.com"},
    )
    body = b'{"name": "widget"}'
    session_for(credential).post("/prod/items?b=2&a=1&a=0", data=body)
    request, _ = httpserver.log[0]
    headers = received(httpserver)
    authorization = headers["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/execute-api/aws4_request" in authorization
    assert SECRET not in authorization
    signed_names = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-date", "x-amz-content-sha256"} <= set(signed_names)
    # botocore signs the same request, at the same time, with the same key: the signatures must agree.
    aws_request = AWSRequest(
        method="POST",
        url=f"http://{headers['host']}/prod/items?b=2&a=1&a=0",
        data=request.get_data(),
        headers={name: headers[name] for name in signed_names},
    )
    aws_request.context["timestamp"] = headers["x-amz-date"]
    signer = SigV4Auth(
        Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "execute-api", "eu-west-1"
    )
    string_to_sign = signer.string_to_sign(aws_request, signer.canonical_request(aws_request))
    expected = signer.signature(string_to_sign, aws_request)
    assert authorization.endswith(f"Signature={expected}")
    assert headers["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest()


def independent_hmac(secret: str, method: str, path: str, query: str, timestamp: str, body: bytes) -> str:
    """The README's HMAC-SHA256 scheme, written again from its description."""
    pairs = []
    for part in query.split("&") if query else []:
        name, _, value = part.partition("=")
        pairs.append((unquote(name.replace("+", " ")), unquote(value.replace("+", " "))))
    canonical_query = "&".join(f"{quote(n, safe='-_.~')}={quote(v, safe='-_.~')}" for n, v in sorted(pairs))
    message = f"{method}\n{path}\n{canonical_query}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_hmac_signature_matches_an_independent_implementation(httpserver, organization) -> None:
    httpserver.expect_request("/v2/orders", method="PUT").respond_with_data("ok")
    credential = make_credential(
        organization, httpserver.url_for("/"), "hmac_sha256", {"client_id": "client-7", "client_secret": SECRET}
    )
    before = int(time.time())
    session_for(credential).put("/v2/orders?z=last&a=b%20c&a=a&empty=", data=b'{"id": 7}')
    request, _ = httpserver.log[0]
    headers = received(httpserver)
    assert headers["x-credhub-client-id"] == "client-7"
    timestamp = headers["x-credhub-timestamp"]
    assert before <= int(timestamp) <= int(time.time())
    query = urlsplit(request.url).query
    expected = independent_hmac(SECRET, "PUT", "/v2/orders", query, timestamp, request.get_data())
    assert headers["x-credhub-signature"] == expected
    assert "authorization" not in headers


def test_hmac_signs_an_empty_body_and_no_query(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    credential = make_credential(
        organization, httpserver.url_for("/"), "hmac_sha256", {"client_id": "c", "client_secret": SECRET}
    )
    session_for(credential).get("/")
    headers = received(httpserver)
    expected = independent_hmac(SECRET, "GET", "/", "", headers["x-credhub-timestamp"], b"")
    assert headers["x-credhub-signature"] == expected


def test_org_specific_credential_uses_that_organizations_secrets(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    east = organization.children.get(slug="acme-east")
    west = organization.children.get(slug="acme-west")
    credential = make_credential(organization, httpserver.url_for("/"), "bearer", None, {}, org_specific=True)
    OrganizationCredential.objects.create(credential=credential, organization=east, secrets={"value": "east-token"})
    OrganizationCredential.objects.create(credential=credential, organization=west, secrets={"value": "west-token"})
    session_for(credential, west).get("/")
    assert received(httpserver)["authorization"] == "Bearer west-token"
    with pytest.raises(OrganizationRequired, match="choose the organization"):
        session_for(credential)


# Redirects, timeouts, targets ------------------------------------------------------------------


def test_redirect_to_another_host_drops_every_secret_header(httpserver, httpserver_ipv4, organization) -> None:
    httpserver_ipv4.expect_request("/landing").respond_with_data("elsewhere")
    httpserver.expect_request("/start").respond_with_response(
        Response(status=302, headers={"Location": httpserver_ipv4.url_for("/landing")})
    )
    credential = make_credential(
        organization,
        httpserver.url_for("/"),
        "headers",
        {"X-Api-Key": SECRET, "X-Api-Secret": "second-secret"},
        {"header_names": ["X-Api-Key", "X-Api-Secret"]},
        extra_headers=[["X-Tenant", "acme"]],
    )
    response = session_for(credential).get("/start")
    assert response.text == "elsewhere"
    assert received(httpserver)["x-api-key"] == SECRET
    landed = received(httpserver_ipv4)
    assert "x-api-key" not in landed
    assert "x-api-secret" not in landed
    assert "authorization" not in landed
    assert landed["x-tenant"] == "acme"  # non-secret headers still go


@pytest.mark.parametrize(
    ("auth_type", "secrets", "auth_settings", "dropped"),
    [
        ("basic", {"username": "u", "password": SECRET}, {}, ["authorization"]),
        ("bearer", {"value": SECRET}, {"key": "X-Token"}, ["x-token"]),
        ("hmac_sha256", {"client_id": "c", "client_secret": SECRET}, {}, ["x-credhub-signature"]),
        (
            "aws4",
            {"access_key": "AK", "secret_key": SECRET},
            {"region": "us-east-1", "service": "s3"},
            ["authorization", "x-amz-date", "x-amz-content-sha256"],
        ),
    ],
)
def test_redirect_to_another_host_drops_authentication(
    httpserver, httpserver_ipv4, organization, auth_type, secrets, auth_settings, dropped
) -> None:
    httpserver_ipv4.expect_request("/landing").respond_with_data("elsewhere")
    httpserver.expect_request("/start").respond_with_response(
        Response(status=307, headers={"Location": httpserver_ipv4.url_for("/landing")})
    )
    credential = make_credential(organization, httpserver.url_for("/"), auth_type, secrets, auth_settings)
    session_for(credential).get("/start")
    first, landed = received(httpserver), received(httpserver_ipv4)
    for name in dropped:
        assert name in first
        assert name not in landed


def test_redirect_on_the_same_host_is_signed_again(httpserver, organization) -> None:
    httpserver.expect_request("/old").respond_with_response(Response(status=301, headers={"Location": "/new?x=1"}))
    httpserver.expect_request("/new").respond_with_data("moved")
    credential = make_credential(
        organization, httpserver.url_for("/"), "hmac_sha256", {"client_id": "c", "client_secret": SECRET}
    )
    assert session_for(credential).get("/old").text == "moved"
    request, _ = httpserver.log[1]
    headers = {k.lower(): v for k, v in request.headers.items()}
    expected = independent_hmac(SECRET, "GET", "/new", "x=1", headers["x-credhub-timestamp"], b"")
    assert headers["x-credhub-signature"] == expected


def test_every_request_gets_a_timeout(organization) -> None:
    # A server that accepts connections into its backlog but never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        credential = make_credential(organization, url, "none")
        session = session_for(credential, timeout=0.3)
        with pytest.raises(requests.exceptions.ReadTimeout):
            session.get("/")  # no timeout argument: the session's own applies
        result = test_credential(credential, timeout=0.3)
    assert result.outcome == "timeout"
    assert result.message == "Timed out: 127.0.0.1 did not answer in time."
    assert outbound.DEFAULT_TIMEOUT == session_for(credential).timeout


@override_settings(CREDHUB_ALLOW_PRIVATE_TARGETS=False)
def test_private_targets_are_refused_without_the_setting(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    credential = make_credential(organization, httpserver.url_for("/"), "basic", {"username": "u", "password": SECRET})
    with pytest.raises(RefusedTarget, match="loopback"):
        session_for(credential).get("/")
    result = test_credential(credential)
    assert not result.ok
    assert result.outcome == "refused_target"
    assert "localhost" in result.message
    assert httpserver.log == []
    credential.refresh_from_db()
    assert credential.last_used_at is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("2002:7f00:1::1", "a loopback address"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a00:1", "a private address"),  # NAT64 around 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "a private address"),  # Teredo, client 10.0.0.1
        ("10.1.2.3", "a private address"),
        ("192.168.0.10", "a private address"),
        ("fd00::1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("240.0.0.1", "a reserved address"),
        ("100.64.0.1", "a reserved address"),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
    ],
)
def test_refusal_reasons(address: str, reason: str | None) -> None:
    assert refusal_reason(address) == reason


@override_settings(CREDHUB_ENVIRONMENT="production")
def test_test_credentials_do_not_run_in_production(httpserver, organization) -> None:
    credential = make_credential(organization, httpserver.url_for("/"), "none", is_test=True, name="Sandbox")
    with pytest.raises(WrongEnvironment):
        session_for(credential)
    result = test_credential(credential)
    assert result.outcome == "wrong_environment"
    assert result.message == (
        "“Sandbox” is a test credential: test credentials are used only in the test environment, "
        "and this installation is production."
    )
    assert httpserver.log == []


@override_settings(CREDHUB_ENVIRONMENT="test")
def test_production_credentials_do_not_run_in_the_test_environment(httpserver, organization) -> None:
    production = make_credential(organization, httpserver.url_for("/"), "none", name="Live")
    assert test_credential(production).outcome == "wrong_environment"
    httpserver.expect_request("/").respond_with_data("ok")
    sandbox = make_credential(organization, httpserver.url_for("/"), "none", is_test=True, name="Sandbox")
    assert test_credential(sandbox).ok


# Test connection, in words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ok", "outcome", "words"),
    [
        (200, True, "success", "answered 200. The credential works."),
        (302, True, "success", "answered 302"),
        (401, False, "unauthorized", "the credential is wrong, expired or revoked"),
        (403, False, "forbidden", "the credential is valid but not allowed"),
        (500, False, "http_error", "answered 500"),
    ],
)
def test_test_credential_reports_the_status(httpserver, organization, status, ok, outcome, words, caplog) -> None:
    headers = {"Location": "https://elsewhere.example/"} if status == 302 else {}
    httpserver.expect_request("/api").respond_with_response(Response(status=status, headers=headers))
    credential = make_credential(
        organization, httpserver.url_for("/api"), "basic", {"username": "u", "password": SECRET}
    )
    with caplog.at_level(logging.DEBUG):
        result = test_credential(credential)
    assert (result.ok, result.outcome, result.status_code) == (ok, outcome, status)
    assert words in result.message
    assert SECRET not in result.message
    assert SECRET not in caplog.text
    assert len(httpserver.log) == 1  # one request, redirects not followed
    credential.refresh_from_db()
    assert credential.last_used_at is not None


def test_tls_error_is_reported(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("plain http")
    credential = make_credential(organization, f"https://127.0.0.1:{httpserver.port}/", "none")
    result = test_credential(credential)
    assert (result.ok, result.outcome) == (False, "tls_error")
    assert result.message.startswith("TLS error: a secure connection to 127.0.0.1 could not be established")


def test_closed_port_is_unreachable(organization) -> None:
    credential = make_credential(organization, f"http://127.0.0.1:{closed_port()}/", "none")
    result = test_credential(credential)
    assert (result.ok, result.outcome) == (False, "unreachable")
    assert result.message == "Unreachable: credhub could not connect to 127.0.0.1."
    credential.refresh_from_db()
    assert credential.last_used_at is None  # "Last used" means a request was answered


def test_tls_failure_leaves_last_used_alone(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("plain http")
    credential = make_credential(organization, f"https://127.0.0.1:{httpserver.port}/", "none")
    assert test_credential(credential).outcome == "tls_error"
    credential.refresh_from_db()
    assert credential.last_used_at is None


def test_unreadable_secrets_are_a_clear_error_never_ciphertext(httpserver, organization) -> None:
    credential = make_credential(organization, httpserver.url_for("/"), "basic", {"username": "u", "password": "p"})
    Credential.objects.filter(pk=credential.pk).update(secrets=Sealed("gAAAAA-not-a-real-token"))
    credential.refresh_from_db()
    with pytest.raises(CredentialUnreadable):
        session_for(credential)
    result = test_credential(credential)
    assert result.outcome == "unreadable"
    assert "could not be decrypted" in result.message
    assert "gAAAAA" not in result.message
    assert httpserver.log == []


def test_org_specific_result_names_the_organization(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    east = organization.children.get(slug="acme-east")
    credential = make_credential(organization, httpserver.url_for("/"), "bearer", None, {}, org_specific=True)
    OrganizationCredential.objects.create(credential=credential, organization=east, secrets={"value": "t"})
    result = test_credential(credential, east)
    assert result.ok
    assert result.as_dict()["organization"] == "acme-east"
    assert test_credential(credential).outcome == "organization_required"


@override_settings(CREDHUB_ALLOW_PRIVATE_TARGETS=False)
def test_https_targets_are_checked_too(httpserver, organization) -> None:
    credential = make_credential(organization, f"https://localhost:{httpserver.port}/", "none")
    assert test_credential(credential).outcome == "refused_target"


@override_settings(CREDHUB_ALLOW_PRIVATE_TARGETS=False)
def test_checked_connections_go_to_the_address_that_was_checked(httpserver, organization, monkeypatch) -> None:
    # Only the policy is swapped (loopback counts as public here): resolution, connection and server are real.
    checked: list[str] = []

    def loopback_is_fine(address: str) -> None:
        checked.append(address)

    monkeypatch.setattr(outbound.targets, "refusal_reason", loopback_is_fine)  # where the check looks it up
    httpserver.expect_request("/").respond_with_data("ok")
    credential = make_credential(organization, httpserver.url_for("/"), "bearer", {"value": "t"}, {})
    session = session_for(credential)
    assert isinstance(session.get_adapter(httpserver.url_for("/")), outbound.PublicTargetsAdapter)
    assert session.get("/").text == "ok"
    assert checked and all(address in ("127.0.0.1", "::1") for address in checked)
    headers = received(httpserver)
    assert headers["host"] == f"localhost:{httpserver.port}"  # the name, not the pinned address
    assert headers["authorization"] == "Bearer t"


def test_the_readme_verification_snippet_accepts_credhubs_signature(httpserver, organization) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split("<!-- hmac-verification-snippet -->")[1].split("<!-- /hmac-verification-snippet -->")[0]
    namespace: dict = {}
    exec(block.strip().removeprefix("```python").removesuffix("```"), namespace)  # noqa: S102
    httpserver.expect_request("/v1/orders", method="POST").respond_with_data("ok")
    credential = make_credential(
        organization, httpserver.url_for("/"), "hmac_sha256", {"client_id": "c-1", "client_secret": SECRET}
    )
    session_for(credential).post("/v1/orders?b=%2Fx&a=1", data=b"payload")
    request, _ = httpserver.log[0]
    headers = dict(request.headers.items())
    secrets = {"c-1": SECRET}
    verify = namespace["verify"]
    assert verify("POST", "/v1/orders", "b=%2Fx&a=1", headers, request.get_data(), secrets.get)
    assert not verify("POST", "/v1/orders", "b=%2Fx&a=2", headers, request.get_data(), secrets.get)
    assert not verify("POST", "/v1/orders", "b=%2Fx&a=1", headers, b"tampered", secrets.get)


def test_the_credential_goes_only_to_its_base_urls_host(httpserver, httpserver_ipv4, organization) -> None:
    httpserver_ipv4.expect_request("/").respond_with_data("elsewhere")
    credential = make_credential(organization, httpserver.url_for("/"), "bearer", {"value": SECRET}, {})
    session = session_for(credential)
    with pytest.raises(RefusedTarget, match="only to the host of its Base URL, not to 127.0.0.1"):
        session.get(httpserver_ipv4.url_for("/"))
    assert httpserver_ipv4.log == []
    # Without the credential's authentication, the same session may go elsewhere.
    assert session.get(httpserver_ipv4.url_for("/"), auth=lambda request: request).text == "elsewhere"


def test_aws4_may_also_reach_its_base_endpoint(httpserver, httpserver_ipv4, organization) -> None:
    httpserver_ipv4.expect_request("/").respond_with_data("endpoint")
    credential = make_credential(
        organization,
        httpserver.url_for("/"),
        "aws4",
        {"access_key": "AK", "secret_key": SECRET},
        {"region": "us-east-1", "service": "execute-api", "endpoint": httpserver_ipv4.url_for("/")},
    )
    assert session_for(credential).get(httpserver_ipv4.url_for("/")).text == "endpoint"
    assert received(httpserver_ipv4)["authorization"].startswith("AWS4-HMAC-SHA256 ")


def test_a_request_requests_refuses_is_reported_without_its_text(httpserver, organization) -> None:
    credential = make_credential(
        organization, httpserver.url_for("/"), "none", extra_headers=[["X-Bad", "line\r\nX-Injected: 1"]]
    )
    result = test_credential(credential)
    assert (result.ok, result.outcome) == (False, "error")
    assert result.message == "The request could not be sent (InvalidHeader)."
    assert httpserver.log == []


def test_using_the_session_marks_the_credential_used(httpserver, organization) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    credential = make_credential(organization, httpserver.url_for("/"), "none")
    session_for(credential).get("/")
    credential.refresh_from_db()
    assert credential.last_used_at is not None
