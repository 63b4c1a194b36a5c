"""A credential's Usage in Settings > Integrations > Credentials: the tile's counts of the last 24 hours and
30 days (one query for a page of tiles), and the Usage page of its calls, 50 a page by position, scoped
to the organization. Usage records are written by the proxy; here they are made as data."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from credentials.models import Organization, UsageRecord
from credentials.proxy import ERROR_WORDS
from tests.clients import HTMX
from tests.factories import make_credential, make_system_key
from tests.html import by_id, text

LIST = "credential_list"


def record(credential, access_key, ago: timedelta, **fields) -> UsageRecord:
    fields.setdefault("method", "GET")
    fields.setdefault("path", "/v1/invoices")
    fields.setdefault("status", 200)
    return UsageRecord.objects.create(
        organization=credential.organization,
        credential=credential,
        access_key=access_key,
        key_id=access_key.key_id,
        at=timezone.now() - ago,
        duration_ms=fields.pop("duration_ms", 42),
        **fields,
    )


@pytest.fixture
def billing(organization):
    return make_credential(organization, "Billing API")


@pytest.fixture
def sync_key(organization):
    return make_system_key(organization)[0]


def _usage_url(organization, credential) -> str:
    return reverse("credential_usage", args=[organization.slug, credential.pk])


def test_the_tile_counts_calls_of_the_last_day_and_30_days(admin_client, organization, billing, sync_key) -> None:
    for hours in (1, 5, 23):
        record(billing, sync_key, timedelta(hours=hours))
    for days in (2, 29):
        record(billing, sync_key, timedelta(days=days))
    record(billing, sync_key, timedelta(days=31))  # beyond 30 days
    quiet = make_credential(organization, "CRM")
    html = admin_client.get(reverse(LIST, args=[organization.slug])).content.decode()
    tile = text(by_id(html, f"credential-{billing.pk}"))
    assert "Usage 3 calls in 24 h · 5 in 30 days" in tile
    assert "Usage 0 calls in 24 h · 0 in 30 days" in text(by_id(html, f"credential-{quiet.pk}"))
    assert _usage_url(organization, billing) in html


def test_the_tiles_cost_the_same_queries_for_any_number_of_credentials(admin_client, organization, sync_key) -> None:
    def queries() -> int:
        url = reverse(LIST, args=[organization.slug])
        admin_client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    first = make_credential(organization, "First")
    record(first, sync_key, timedelta(hours=1))
    few = queries()
    for n in range(10):
        credential = make_credential(organization, f"Credential {n}")
        record(credential, sync_key, timedelta(hours=n + 1))
        record(credential, sync_key, timedelta(days=n + 2))
    assert queries() == few


def test_the_usage_page_lists_each_call_newest_first(admin_client, organization, billing, sync_key) -> None:
    east = Organization.objects.get(slug="acme-east")
    record(billing, sync_key, timedelta(minutes=5), method="POST", path="/v1/refunds", status=201, duration_ms=87)
    record(billing, sync_key, timedelta(minutes=3), child_organization=east, status=None, error="deadline")
    html = admin_client.get(_usage_url(organization, billing)).content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    assert len(rows) == 2
    newest, older = (" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows)
    assert sync_key.key_id in newest and "Acme East" in newest and "Timed out" in newest
    assert "POST /v1/refunds" in older and "HTTP 201" in older and "87 ms" in older
    assert "Last 24 hours 2 calls" in " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_usage_page_gives_the_address_a_program_calls(admin_client, organization, billing) -> None:
    html = admin_client.get(_usage_url(organization, billing)).content.decode()
    assert f'value="http://testserver/api/v1/credentials/{billing.pk}/proxy/"' in html
    assert f'id="credential-id" class="mono" value="{billing.pk}"' in html
    call = text(by_id(html, "call-from-a-program"))
    assert "X-Client-ID and X-Client-Secret" in call
    assert "Credhub-Organization" not in call  # only an org-specific credential needs one


def test_the_usage_page_pages_by_position_with_and_without_htmx(admin_client, organization, billing, sync_key):
    UsageRecord.objects.bulk_create(
        UsageRecord(
            organization=organization,
            credential=billing,
            key_id=sync_key.key_id,
            at=timezone.now() - timedelta(seconds=n),
            method="GET",
            path=f"/v1/items/{n}",
            status=200,
        )
        for n in range(120)
    )
    url = _usage_url(organization, billing)
    seen: list[str] = []
    page_url = url
    for _ in range(5):
        html = admin_client.get(page_url).content.decode()
        seen += re.findall(r"GET /v1/items/(\d+)", html)
        match = re.search(r'href="\?([^"]*)"[^>]*rel="next"', html)
        if match is None:
            break
        page_url = f"{url}?{match.group(1).replace('&amp;', '&')}"
    assert seen == [str(n) for n in range(120)]
    # htmx gets the table only, for the same page.
    partial = admin_client.get(page_url, **HTMX).content.decode()
    assert partial.lstrip().startswith('<section id="usage-results"') and "<html" not in partial


def test_usage_is_scoped_to_the_organization(
    admin_client, outsider_client, member_client, organization, other_organization, billing, sync_key
):
    record(billing, sync_key, timedelta(minutes=1), path="/v1/acme-only")
    theirs = make_credential(other_organization, "Globex billing")
    their_key = make_system_key(other_organization)[0]
    record(theirs, their_key, timedelta(minutes=1), path="/v1/globex-only")
    assert admin_client.get(_usage_url(organization, theirs)).status_code == 404
    assert admin_client.get(reverse("credential_usage", args=[organization.slug, theirs.pk])).status_code == 404
    assert outsider_client.get(_usage_url(organization, billing)).status_code == 404
    assert member_client.get(_usage_url(organization, billing)).status_code == 403
    html = admin_client.get(_usage_url(organization, billing)).content.decode()
    assert "/v1/acme-only" in html and "/v1/globex-only" not in html


def test_a_credential_without_calls_says_so(admin_client, organization, billing) -> None:
    html = admin_client.get(_usage_url(organization, billing)).content.decode()
    assert "No calls recorded yet." in html


def test_every_code_the_proxy_records_has_words_on_the_usage_page() -> None:
    """A new ``Credhub-Error`` code must be given words, or the Usage page would show the bare code."""
    source = "".join(path.read_text() for path in (Path(settings.BASE_DIR) / "credentials" / "proxy").glob("*.py"))
    codes = set(re.findall(r'Refusal\(\s*\d{3},\s*"([a-z_]+)"', source))
    for line in re.findall(r"(?:\.error|\bcode) = (.+)", source):
        codes |= set(re.findall(r'"([a-z_]+)"', line))
    assert {"forbidden", "deadline", "client_disconnected", "upstream_broke"} <= codes
    assert codes - ERROR_WORDS.keys() == set()
