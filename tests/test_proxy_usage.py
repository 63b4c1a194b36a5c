"""The usage log of the credential proxy: one record per call, what it keeps and never keeps, the usage
API, "last used", and the retention cleanup."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from werkzeug import Response

from credentials import keys
from credentials.models import Credential, Organization, OrganizationCredential, UsageRecord
from tests.clients import api, assert_no_key_in, tampered
from tests.factories import make_credential
from tests.proxying import call, content, permit

SECRET = "upstream-secret-never-logged-7731"


@pytest.fixture(autouse=True)
def loopback_targets_in_production(settings) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"


@pytest.fixture
def credential(organization, httpserver):
    return make_credential(
        organization, "Billing API", base_url=httpserver.url_for("/api"), secrets={"username": "u", "password": SECRET}
    )


def test_a_call_writes_one_record_and_sets_last_used(organization, httpserver, admin_key) -> None:
    httpserver.expect_request("/api/v1/orders").respond_with_data("x" * 321, status=201)
    credential = make_credential(
        organization, "Orders", base_url=httpserver.url_for("/api"), auth_type="bearer", org_specific=True
    )
    east = Organization.objects.get(slug="acme-east")
    OrganizationCredential.objects.create(credential=credential, organization=east, secrets={"value": SECRET})
    permit(admin_key, credential)
    before = timezone.now()
    response = call(
        "POST",
        credential,
        "v1/orders",
        admin_key,
        body=b'{"n": 12345}',
        content_type="application/json",
        query="session=abc&token=t",
        headers={"Credhub-Organization": "acme-east", "Idempotency-Key": "idem-42"},
    )
    assert response.status_code == 201 and len(content(response)) == 321
    record = UsageRecord.objects.get()
    assert record.organization == organization and record.credential == credential
    assert record.access_key == admin_key[0] and record.key_id == admin_key[0].key_id
    assert record.child_organization == east
    assert (record.method, record.path, record.status, record.error) == ("POST", "/v1/orders", 201, "")
    assert (record.request_bytes, record.response_bytes) == (12, 321)
    assert before <= record.at <= timezone.now() and record.duration_ms >= 0
    assert Credential.objects.get(pk=credential.pk).last_used_at >= before


def test_a_refused_call_is_recorded_without_touching_last_used(credential, member_key, httpserver) -> None:
    response = call("GET", credential, "v1/items", member_key)
    assert response.status_code == 403
    record = UsageRecord.objects.get()
    assert (record.status, record.error, record.key_id) == (None, "forbidden", member_key[0].key_id)
    assert Credential.objects.get(pk=credential.pk).last_used_at is None


def test_a_response_over_the_limit_ends_the_stream(settings, credential, httpserver, admin_key) -> None:
    settings.CREDHUB_PROXY_MAX_RESPONSE_BYTES = 100_000
    httpserver.expect_request("/api/big").respond_with_data(b"y" * 300_000)
    response = call("GET", credential, "big", permit(admin_key, credential))
    assert response.status_code == 200 and response["Content-Length"] == "300000"
    assert len(content(response)) == 100_000  # shorter than announced: the client sees a cut answer
    record = UsageRecord.objects.get()
    assert (record.status, record.error, record.response_bytes) == (200, "response_too_large", 100_000)


# Closing the answer sends request_finished, which closes the database connection as after any request:
# outside a test transaction, as in a real server.
@pytest.mark.django_db(transaction=True)
def test_a_client_that_goes_away_is_recorded(credential, httpserver, admin_key) -> None:
    httpserver.expect_request("/api/big").respond_with_data(b"z" * 1_000_000)
    response = call("GET", credential, "big", permit(admin_key, credential))
    first = next(iter(response.streaming_content))
    assert UsageRecord.objects.count() == 0  # written when the answer ends
    response.close()  # what the WSGI server does when the client disconnects
    record = UsageRecord.objects.get()
    assert (record.status, record.error, record.response_bytes) == (200, "client_disconnected", len(first))


def test_a_stream_cut_by_the_deadline(settings, credential, httpserver, admin_key) -> None:
    settings.CREDHUB_PROXY_TIMEOUT = 1.0

    def trickle():
        for _ in range(30):
            yield b"t" * 10
            time.sleep(0.1)

    httpserver.expect_request("/api/slow").respond_with_response(Response(trickle()))
    started = time.monotonic()
    response = call("GET", credential, "slow", permit(admin_key, credential))
    assert response.status_code == 200
    body = content(response)
    assert time.monotonic() - started < 2.5 and len(body) < 300
    assert UsageRecord.objects.get().error == "deadline"


def test_no_secret_in_the_answer_the_log_or_the_record(credential, httpserver, admin_key, caplog) -> None:
    httpserver.expect_request("/api/v1/items").respond_with_data("ok")
    httpserver.expect_request("/api/v1/denied").respond_with_data("no", status=401)
    caplog.set_level(logging.DEBUG)
    permit(admin_key, credential)
    answers = [
        call("GET", credential, "v1/items", admin_key, query=f"q={SECRET[:5]}"),
        call("GET", credential, "v1/denied", admin_key),
        call("GET", credential, "/evil", admin_key),
        call("GET", credential, "v1/items", (admin_key[0], tampered(admin_key[1]))),
    ]
    seen = [caplog.text]
    for response in answers:
        seen += [content(response).decode(), json.dumps(dict(response.headers))]
    seen += [json.dumps(list(UsageRecord.objects.values()), default=str)]
    for text in seen:
        assert SECRET not in text and "dTpV" not in text  # the password, and its Basic encoding's tail
        assert_no_key_in(text)
    assert UsageRecord.objects.filter(path="/v1/items", status=200).exists()
    assert not UsageRecord.objects.filter(path__contains="?").exists()


# The usage API ----------------------------------------------------------------------------------


def _records(credential, access_key, count: int) -> None:
    now = timezone.now()
    UsageRecord.objects.bulk_create(
        UsageRecord(
            organization=credential.organization,
            credential=credential,
            access_key=access_key,
            key_id=access_key.key_id,
            at=now - timedelta(minutes=i),
            method="GET",
            path=f"/v1/items/{i}",
            status=200,
            duration_ms=i,
        )
        for i in range(count)
    )


def test_usage_api_lists_newest_first_with_paging(credential, admin_key) -> None:
    _records(credential, admin_key[0], 7)
    response = api("get", f"credentials/{credential.pk}/usage?limit=3&offset=2", admin_key)
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 7
    assert [item["path"] for item in page["items"]] == ["/v1/items/2", "/v1/items/3", "/v1/items/4"]
    item = page["items"][0]
    assert set(item) == {
        "at",
        "key_id",
        "organization",
        "method",
        "path",
        "status",
        "error",
        "duration_ms",
        "request_bytes",
        "response_bytes",
    }
    assert item["key_id"] == admin_key[0].key_id and item["organization"] is None


def test_usage_api_is_for_admin_keys_of_the_organization(credential, member_key, other_organization) -> None:
    assert api("get", f"credentials/{credential.pk}/usage", member_key).status_code == 403
    theirs = make_credential(other_organization, "Theirs")
    outsider = keys.create_access_key(other_organization, "Outsider", system_generated=True, role="admin")
    assert api("get", f"credentials/{credential.pk}/usage", outsider).status_code == 403
    assert api("get", f"credentials/{theirs.pk}/usage", outsider).json()["count"] == 0


# Retention --------------------------------------------------------------------------------------


def test_cleanup_usage_deletes_what_is_past_the_retention(settings, credential, admin_key, capsys) -> None:
    settings.CREDHUB_USAGE_RETENTION_DAYS = 30
    _records(credential, admin_key[0], 2)
    UsageRecord.objects.filter(path="/v1/items/1").update(at=timezone.now() - timedelta(days=31))
    call_command("cleanup_usage", "--dry-run")
    assert "Would delete 1 usage record older than 30 days." in capsys.readouterr().out
    assert UsageRecord.objects.count() == 2
    call_command("cleanup_usage")
    assert "Deleted 1 usage record older than 30 days." in capsys.readouterr().out
    assert list(UsageRecord.objects.values_list("path", flat=True)) == ["/v1/items/0"]
    call_command("cleanup_usage", "--days", "0", "--json")
    assert json.loads(capsys.readouterr().out)["deleted"] == 1
