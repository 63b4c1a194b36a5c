"""What the JSON API's credential list and detail cost: per listed item, and per organization row.

One organization with 500 credentials, each org-specific with two organization rows (their children's
secrets), read with an admin's access key through Django's test client (full middleware stack, DEBUG
off). The per-item cost is the difference between a page of 500 and a page of 10, divided by 490, so
the fixed cost of a request (authentication, the count) drops out. The detail's queries are counted for
a credential with 0 and with 20 organization rows: they must be the same.
"""

from __future__ import annotations

import statistics
import time

ITEMS, FEW, ROUNDS = 500, 10, 15
ROWS = 20


def _fill():
    from django.contrib.auth import get_user_model

    from credentials import catalog, keys
    from credentials.models import Credential, Membership, Organization, OrganizationCredential

    organization = Organization.objects.create(name="Bench API", slug="bench-api", api_credentials_enabled=True)
    children = [
        Organization.objects.create(name=f"Child {i:02}", slug=f"bench-api-child-{i:02}", parent=organization)
        for i in range(ROWS)
    ]
    user = get_user_model().objects.create_user("bench-api-admin", "bench-api@example.com", "bench-password-123")
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.ADMIN)
    secrets = {"username": "bench-user", "password": "bench-password"}
    credentials = Credential.objects.bulk_create(
        Credential(
            organization=organization,
            name=f"Credential {i:05}",
            base_url="https://bench.example.com",
            auth_type=catalog.BASIC,
            org_specific=True,
            extra_headers=[["Accept", "application/json"]],
        )
        for i in range(ITEMS)
    )
    OrganizationCredential.objects.bulk_create(
        OrganizationCredential(credential=credential, organization=child, secrets=secrets)
        for credential in credentials
        for child in children[:2]
    )
    bare = Credential.objects.create(
        organization=organization,
        name="No rows",
        base_url="https://bench.example.com",
        auth_type=catalog.BASIC,
        org_specific=True,
    )
    many = Credential.objects.create(
        organization=organization,
        name="Twenty rows",
        base_url="https://bench.example.com",
        auth_type=catalog.BASIC,
        org_specific=True,
    )
    OrganizationCredential.objects.bulk_create(
        OrganizationCredential(credential=many, organization=child, secrets=secrets) for child in children
    )
    access_key, secret = keys.create_access_key(organization, "Bench", owner=user)
    headers = {"X-Client-ID": access_key.key_id, "X-Client-Secret": secret}
    return headers, bare, many


def _median_seconds(client, url: str, headers: dict) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
    return statistics.median(times)


def _queries(client, url: str, headers: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers).status_code == 200
    return len(captured)


def run() -> None:
    from django.test import Client, override_settings

    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        headers, bare, many = _fill()
        client = Client()
        few = f"/api/v1/credentials?limit={FEW}"
        page = f"/api/v1/credentials?limit={ITEMS}"
        client.get(page, headers=headers)  # warm up
        small, large = [], []
        for _ in range(3):  # alternate, so that load from other processes falls on both alike
            small.append(_median_seconds(client, few, headers))
            large.append(_median_seconds(client, page, headers))
        few_ms, page_ms = statistics.median(small) * 1e3, statistics.median(large) * 1e3
        per_item = (page_ms - few_ms) * 1e3 / (ITEMS - FEW)
        print(
            f"GET /api/v1/credentials: {per_item:.0f} µs per item ({FEW}: {few_ms:.1f} ms, {ITEMS}: {page_ms:.1f} ms)"
        )
        print(
            f"  queries: {FEW} items {_queries(client, few, headers)}, {ITEMS} items {_queries(client, page, headers)}"
        )
        bare_queries = _queries(client, f"/api/v1/credentials/{bare.pk}", headers)
        many_queries = _queries(client, f"/api/v1/credentials/{many.pk}", headers)
        print(
            f"GET /api/v1/credentials/<id>: queries with 0 organization rows {bare_queries}, with {ROWS} {many_queries}"
        )
