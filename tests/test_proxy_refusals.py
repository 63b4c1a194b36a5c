"""credhub's own answers through the credential proxy: who may call, what stops a call at once, and each
failure's status and Credhub-Error (never an upstream answer)."""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from werkzeug import Response

from credentials import gate, keys
from credentials.actions.access_keys import do_deactivate_access_key, do_delete_access_key, do_revoke_access_key
from credentials.actions.credentials import do_delete_credential
from credentials.models import AccessKey, Credential, Organization, ProxyCallCount, UsageRecord
from credentials.proxy import forwarding, rate
from tests.factories import make_credential
from tests.proxying import call, content, permit


@pytest.fixture(autouse=True)
def loopback_targets_in_production(settings) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"


@pytest.fixture
def upstream(httpserver):
    httpserver.expect_request("/api/v1/items").respond_with_data("items")
    return httpserver


@pytest.fixture
def credential(organization, upstream):
    return make_credential(organization, "Billing API", base_url=upstream.url_for("/api"))


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, content(response)
    assert response["Credhub-Error"] == code
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "detail"} and body["detail"]
    return body


# Who may use a credential ------------------------------------------------------------------------


@pytest.mark.parametrize("key_fixture", ["admin_key", "member_key"])
@pytest.mark.parametrize(
    ("access", "allowed"), [("none", False), ("all", True), ("selected-other", False), ("selected-this", True)]
)
def test_permission_matrix(request, organization, credential, upstream, key_fixture, access, allowed) -> None:
    key = request.getfixturevalue(key_fixture)
    if access == "all":
        permit(key, every=True)
    elif access == "selected-this":
        permit(key, credential)
    elif access == "selected-other":
        permit(key, make_credential(organization, "Other API"))
    response = call("GET", credential, "v1/items", key)
    if allowed:
        assert response.status_code == 200 and content(response) == b"items"
    else:
        body = refused(response, 403, "forbidden")
        assert "may not use the credential “Billing API”" in body["detail"] and "Permissions" in body["detail"]
        assert upstream.log == []


@pytest.mark.parametrize("key_fixture", ["admin_key", "member_key"])
def test_another_organizations_credential_is_refused_even_with_every_permission(
    request, other_organization, upstream, key_fixture
) -> None:
    key = permit(request.getfixturevalue(key_fixture), every=True)
    theirs = make_credential(other_organization, "Globex API", base_url=upstream.url_for("/api"))
    body = refused(call("GET", theirs, "v1/items", key), 403, "forbidden")
    assert body["detail"] == "This credential belongs to another organization."
    assert upstream.log == []


def test_unknown_credential_is_404(admin_key) -> None:
    permit(admin_key, every=True)
    refused(call("GET", "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b", "x", admin_key), 404, "not_found")
    refused(call("GET", "not-a-uuid", "x", admin_key), 404, "not_found")


def test_legacy_api_keys_cannot_use_the_proxy(organization, admin_user, credential, upstream) -> None:
    _, api_key = keys.create_api_key(organization, "Legacy", created_by=admin_user)
    response = call("GET", credential, "v1/items", headers={"x-api-key": api_key})
    assert "Legacy API keys cannot use the credential proxy" in refused(response, 403, "forbidden")["detail"]
    assert upstream.log == []


def test_no_key_or_a_wrong_one_is_401(credential, admin_key, upstream) -> None:
    refused(call("GET", credential, "v1/items"), 401, "unauthorized")
    access_key, _ = admin_key
    wrong = (access_key, keys.new_access_key_secret())
    refused(call("GET", credential, "v1/items", wrong), 401, "unauthorized")
    assert upstream.log == []


def test_a_credhub_key_in_the_query_is_refused_but_the_upstreams_own_parameters_pass(
    credential, admin_key, upstream
) -> None:
    permit(admin_key, credential)
    refused(call("GET", credential, "v1/items", admin_key, query=f"x={admin_key[1]}"), 401, "unauthorized")
    assert call("GET", credential, "v1/items", admin_key, query="token=upstream-t&key=k").status_code == 200
    assert upstream.log[0][0].query_string == b"token=upstream-t&key=k"


# What stops the proxy at once ------------------------------------------------------------------


def _works(credential, key) -> None:
    assert call("GET", credential, "v1/items", key).status_code == 200


def test_deleted_key(organization, credential, admin_key, admin_user) -> None:
    _works(credential, permit(admin_key, credential))
    assert ProxyCallCount.objects.filter(access_key=admin_key[0]).exists()
    do_delete_access_key(organization, admin_key[0], actor=admin_user)
    refused(call("GET", credential, "v1/items", admin_key), 401, "unauthorized")
    assert not ProxyCallCount.objects.exists()  # its rate counter went with it


def test_revoked_key(organization, credential, admin_key, admin_user) -> None:
    _works(credential, permit(admin_key, credential))
    do_revoke_access_key(organization, admin_key[0], actor=admin_user)
    assert refused(call("GET", credential, "v1/items", admin_key), 401, "unauthorized")["detail"] == keys.REVOKED


def test_deactivated_key(organization, credential, admin_key, admin_user) -> None:
    _works(credential, permit(admin_key, credential))
    do_deactivate_access_key(organization, AccessKey.objects.get(pk=admin_key[0].pk), actor=admin_user)
    assert refused(call("GET", credential, "v1/items", admin_key), 401, "unauthorized")["detail"] == keys.INACTIVE


def test_permission_taken_away(credential, admin_key) -> None:
    _works(credential, permit(admin_key, credential))
    admin_key[0].permitted_credentials.remove(credential)
    refused(call("GET", credential, "v1/items", admin_key), 403, "forbidden")


def test_deleted_credential(credential, admin_key, admin_user) -> None:
    _works(credential, permit(admin_key, credential))
    do_delete_credential(credential, actor=admin_user)
    refused(call("GET", credential, "v1/items", admin_key), 404, "not_found")


def test_credentials_management_turned_off(organization, credential, admin_key) -> None:
    _works(credential, permit(admin_key, credential))
    Organization.objects.filter(pk=organization.pk).update(api_credentials_enabled=False)
    body = refused(call("GET", credential, "v1/items", admin_key), 403, "forbidden")
    assert body["detail"] == "API credentials management is not turned on for this organization."


# Each failure class ------------------------------------------------------------------------------


def test_private_target_refused(settings, credential, admin_key, upstream) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = False
    body = refused(call("GET", credential, "v1/items", permit(admin_key, credential)), 502, "refused_target")
    assert "loopback" in body["detail"]
    assert upstream.log == []


def test_wrong_environment(organization, upstream, admin_key) -> None:
    test_only = make_credential(organization, "Sandbox", base_url=upstream.url_for("/api"), is_test=True)
    body = refused(call("GET", test_only, "v1/items", permit(admin_key, test_only)), 403, "wrong_environment")
    assert "test credential" in body["detail"]


def test_unreadable_secret(organization, upstream, admin_key) -> None:
    broken = make_credential(organization, "Broken", base_url=upstream.url_for("/api"), secrets=None)
    broken.secrets = None
    broken.save()
    refused(call("GET", broken, "v1/items", permit(admin_key, broken)), 502, "unreadable_secret")


def test_unreachable(organization, admin_key) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = make_credential(organization, "Gone", base_url=f"http://127.0.0.1:{port}/api")
    refused(call("GET", gone, "v1/items", permit(admin_key, gone)), 502, "unreachable")


def test_tls_failure(organization, upstream, admin_key) -> None:
    plain = make_credential(organization, "Plain", base_url=f"https://127.0.0.1:{upstream.port}/api")
    body = refused(call("GET", plain, "v1/items", permit(admin_key, plain)), 502, "tls")
    assert "secure connection" in body["detail"]


def test_deadline_is_504(settings, organization, httpserver, admin_key) -> None:
    settings.CREDHUB_PROXY_TIMEOUT = 0.5
    answer = threading.Event()

    def late(request):
        answer.wait(5)
        return Response("late")

    httpserver.expect_request("/api/slow").respond_with_handler(late)
    slow = make_credential(organization, "Slow", base_url=httpserver.url_for("/api"))
    started = time.monotonic()
    refused(call("GET", slow, "slow", permit(admin_key, slow)), 504, "deadline")
    assert time.monotonic() - started < 1.4
    answer.set()  # let the server finish before the next test shares it
    while not httpserver.log and time.monotonic() - started < 5:
        time.sleep(0.01)


def test_request_body_over_the_limit_is_413(settings, credential, admin_key, upstream) -> None:
    settings.CREDHUB_PROXY_MAX_REQUEST_BYTES = 1000
    permit(admin_key, credential)
    body = refused(call("POST", credential, "v1/items", admin_key, body=b"x" * 1001), 413, "request_too_large")
    assert "1000 bytes" in body["detail"]
    assert upstream.log == []
    upstream.expect_request("/api/v1/items", method="POST").respond_with_data("ok")
    assert call("POST", credential, "v1/items", admin_key, body=b"x" * 1000).status_code == 200


def test_rate_limit_per_key(organization, credential, admin_key, member_key, upstream) -> None:
    Organization.objects.filter(pk=organization.pk).update(proxy_rate_limit=3)
    permit(admin_key, credential)
    permit(member_key, credential)
    for _ in range(3):
        assert call("GET", credential, "v1/items", admin_key).status_code == 200
    response = call("GET", credential, "v1/items", admin_key)
    refused(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert len(upstream.log) == 3
    assert call("GET", credential, "v1/items", member_key).status_code == 200  # another key counts apart


def test_the_rate_limit_counts_each_minute_anew(admin_key) -> None:
    key = admin_key[0]
    start = 29_000_000 * 60  # the first second of a minute

    def wait(second: int) -> int | None:
        return rate.wait_seconds(key.pk, key.key_id, 2, now=start + second)

    assert [wait(0), wait(10), wait(20)] == [None, None, 40]
    assert wait(60) is None  # the next minute starts at one
    assert wait(59) is None  # a server whose clock is behind counts in the current minute, never resets it
    assert wait(61) == 59


def test_a_rate_counter_that_does_not_answer_refuses_the_call(settings, credential, admin_key, upstream) -> None:
    with socket.socket() as probe:  # a port nothing listens on: Redis down
        probe.bind(("127.0.0.1", 0))
        settings.REDIS_URL = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    body = refused(call("GET", credential, "v1/items", permit(admin_key, credential)), 503, "rate_limit_unavailable")
    assert "rate limit" in body["detail"]
    assert upstream.log == []
    assert UsageRecord.objects.get().error == "rate_limit_unavailable"


def test_other_methods_are_405(credential, admin_key) -> None:
    response = call("OPTIONS", credential, "v1/items", permit(admin_key, credential))
    refused(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD, POST, PUT, PATCH, DELETE"


@pytest.mark.parametrize(
    "path",
    ["/evil.example/x", "..", "v1/../../admin", "%2e%2e/admin", "v1/%2E%2E", "%252e%252e/x", "a\\b", "a%0Ab"],
)
def test_paths_that_would_leave_the_base_url_are_400(credential, admin_key, upstream, path) -> None:
    response = call("GET", credential, path, permit(admin_key, credential))
    refused(response, 400, "invalid_path")
    assert upstream.log == []


def test_credential_without_base_url(organization, admin_key) -> None:
    bare = make_credential(organization, "Bare", base_url="")
    refused(call("GET", bare, "x", permit(admin_key, bare)), 502, "no_base_url")


def test_a_defect_answers_the_json_500_and_is_recorded(settings, credential, admin_key, monkeypatch) -> None:
    settings.DEBUG = False

    def defect(request):
        raise RuntimeError("a defect")

    monkeypatch.setattr(forwarding, "upstream_headers", defect)  # the one forced failure here
    response = call("GET", credential, "v1/items", permit(admin_key, credential))
    refused(response, 500, "internal_error")
    assert UsageRecord.objects.get().error == "internal_error"


def test_the_proxys_credential_reads_as_the_orms(organization, other_organization, admin_user) -> None:
    credential = make_credential(
        organization,
        "Read back",
        extra_headers=[{"name": "X-Team", "value": "ops"}],
        is_test=True,
        created_by=admin_user,
    )
    Credential.objects.filter(pk=credential.pk).update(last_used_at=credential.created_at)
    read = gate.credential_by_id(organization.pk, credential.pk)
    stored = Credential.objects.get(pk=credential.pk)
    for field in Credential._meta.concrete_fields:
        if field.name != "secrets":
            assert getattr(read, field.attname) == getattr(stored, field.attname), field.name
    assert (
        read.secrets.reveal()
        == stored.secrets.reveal()
        == {
            "username": "billing-user",
            "password": "s3cret-basic-password",
        }
    )
    assert not read._state.adding and read.last_used_at is not None
    # Another organization's ID finds nothing.
    assert gate.credential_by_id(other_organization.pk, credential.pk) is None


def test_a_proxied_call_reads_its_key_once(credential, admin_key, upstream) -> None:
    """The proxy checks the key's permission, organization and rate limit from the row verification read."""

    permit(admin_key, credential)
    assert content(call("get", credential, "v1/items", admin_key)) == b"items"  # the first use writes last used
    with CaptureQueriesContext(connection) as queries:
        response = call("get", credential, "v1/items", admin_key)
        assert content(response) == b"items"
    reads_of_the_key = re.compile(rf'FROM "?{AccessKey._meta.db_table}"?\s')
    assert sum(bool(reads_of_the_key.search(query["sql"])) for query in queries.captured_queries) == 1
