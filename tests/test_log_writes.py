"""A proxied call's usage record and rate count commit without waiting for the disk on PostgreSQL, and
nothing else does: the connection's later commits, and a transaction they run inside, stay durable."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from credentials import log_writes
from credentials.actions.usage import Call, record_usage
from credentials.models import ProxyCallCount, UsageRecord
from credentials.proxy import rate
from tests.factories import make_credential
from tests.proxying import call, content, permit


def _commit_setting() -> str | None:
    """The connection's synchronous_commit, as the next commit will read it (SQLite has none)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('synchronous_commit')")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_statement_turns_the_setting_off_for_its_own_commit_only() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE log_write_probe (setting text)")
        try:
            source = log_writes.values(connection, "%s")
            if connection.vendor != "postgresql":
                assert source == "VALUES (%s)"
                return
            cursor.execute(
                f"INSERT INTO log_write_probe (setting) {source} RETURNING current_setting('synchronous_commit')",
                ["written"],
            )
            assert cursor.fetchone()[0] == "off"
            assert _commit_setting() == "on"
            cursor.execute("SELECT setting FROM log_write_probe")
            assert cursor.fetchall() == [("written",)]
        finally:
            cursor.execute("DROP TABLE log_write_probe")


@pytest.mark.django_db(transaction=True)
def test_proxied_calls_are_recorded_and_counted_and_later_commits_stay_durable(
    settings, organization, admin_key, httpserver
) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"
    httpserver.expect_request("/api/v1/items").respond_with_data("y" * 17, status=200)
    credential = make_credential(organization, "Items", base_url=httpserver.url_for("/api"))
    permit(admin_key, credential)
    for _ in range(2):
        response = call("GET", credential, "v1/items", admin_key)
        assert response.status_code == 200, response.get("Credhub-Error")
        assert content(response) == b"y" * 17
    records = list(UsageRecord.objects.order_by("id").values_list("method", "path", "status", "response_bytes"))
    assert records == [("GET", "/v1/items", 200, 17)] * 2
    assert ProxyCallCount.objects.get(access_key=admin_key[0]).calls == 2
    assert _commit_setting() in (None, "on")


def test_inside_a_transaction_the_enclosing_commit_stays_durable(organization, admin_key) -> None:
    credential = make_credential(organization, "Items")
    key = admin_key[0]
    with transaction.atomic():
        call_made = Call(
            organization_id=organization.pk,
            credential=credential,
            access_key_id=key.pk,
            key_id=key.key_id,
            method="GET",
            path="/v1/items",
            at=timezone.now(),
            status=204,
        )
        record_usage(call_made)
        assert rate.wait_seconds(key.pk, key.key_id, 10) is None
        assert _commit_setting() in (None, "on")
    assert UsageRecord.objects.get().status == 204
    assert ProxyCallCount.objects.get(access_key=key).calls == 1
