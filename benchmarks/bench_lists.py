"""What each list screen costs for a small and a large organization, side by side.

Two organizations with the same kinds of rows: "small" has 10 of each (100 audit events), "large"
10,000 (100,000 audit events). Each screen is requested as its admin with Django's test client (full
middleware stack, DEBUG off), the two organizations in alternation so that load from other processes
falls on both alike. A screen scales when its queries are the same for both and the large
organization's time is within 1.5× of the small one's.
"""

from __future__ import annotations

import os
import re
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape as html_unescape

SMALL, LARGE = 10, int(os.environ.get("BENCH_LIST_ROWS", "10000"))
AUDIT_SMALL, AUDIT_LARGE = 100, int(os.environ.get("BENCH_AUDIT_ROWS", "100000"))
# Enough rounds for a stable median, but a screen that takes seconds per request stops early.
MAX_ROUNDS, TIME_BUDGET = 31, 3.0
GOAL = 1.5


@dataclass
class Screen:
    label: str
    url: Callable[[str], str]  # organization slug → URL
    # The words of the link to follow from that URL's page (its next page), if any.
    follow: str = ""


def _screens() -> list[Screen]:
    from django.urls import reverse

    def keys(slug: str) -> str:
        return reverse("api_authentication", args=[slug])

    def connections(slug: str) -> str:
        return reverse("connection_list", args=[slug])

    def authenticate(slug: str) -> str:
        return reverse("connection_create", args=[slug, "source", "http_api"])

    def audit_log(slug: str) -> str:
        return reverse("audit_log", args=[slug])

    def credentials(slug: str) -> str:
        return reverse("credential_list", args=[slug])

    return [
        Screen("Settings > API authentication, access keys", keys),
        Screen("  its next page", keys, follow="Next page"),
        Screen("  search access keys by name", lambda slug: f"{keys(slug)}?q=key+00000"),
        Screen("Data sources and destinations", connections),
        Screen("  its next page", connections, follow="Next page"),
        Screen("  filtered: revoked HTTP API", lambda slug: f"{connections(slug)}?status=revoked&connector=http_api"),
        Screen("New connection > Authenticate", authenticate),
        Screen("  search credentials by name", lambda slug: f"{authenticate(slug)}?q=Credential+00000"),
        Screen("Audit log", audit_log),
        Screen("  older events (next page)", audit_log, follow="Older events"),
        Screen("  filtered by action", lambda slug: f"{audit_log(slug)}?action=credential.edited"),
        Screen("  filtered by actor", lambda slug: f"{audit_log(slug)}?actor={slug}-admin"),
        Screen("Credentials tab", credentials),
        Screen("  Load more credentials (page 2)", credentials, follow="Load more credentials"),
    ]


def _followed(client, url: str, words: str) -> str:
    """The URL of the link named ``words`` on ``url``'s page; ``url`` itself when the page has none."""
    if not words:
        return url
    html = client.get(url).content.decode()
    match = re.search(r'<a [^>]*href="(\?[^"]*)"[^>]*>\s*' + re.escape(words) + r"\s*</a>", html)
    return url.split("?")[0] + html_unescape(match.group(1)) if match else url


def _fill(organization, user, rows: int, audit_rows: int) -> None:
    """``rows`` credentials, connections and access keys, and ``audit_rows`` audit events."""
    from datetime import timedelta

    from django.utils import timezone

    from credentials import keys
    from credentials.models import AccessKey, AuditEvent, Connection, Credential

    batch = 2000
    credentials = Credential.objects.bulk_create(
        (
            Credential(organization=organization, name=f"Credential {n:06d}", base_url=f"https://api{n}.example.com")
            for n in range(rows)
        ),
        batch_size=batch,
    )
    Connection.objects.bulk_create(
        (
            Connection(
                organization=organization,
                kind="source" if n % 2 else "destination",
                connector="http_api",
                name=f"Connection {n:06d}",
                credential=credentials[n],
                status="revoked" if n % 10 == 0 else "active",
            )
            for n in range(rows)
        ),
        batch_size=batch,
    )
    # Hashing 10,000 secrets would only slow the set-up: the lists never look at a hash.
    AccessKey.objects.bulk_create(
        (
            AccessKey(
                organization=organization,
                owner=user,
                name=f"key {n:06d}",
                key_id=keys.new_access_key_id(),
                secret_hash=f"{n:064x}",
                system_generated=n % 5 == 0,
            )
            for n in range(rows)
        ),
        batch_size=batch,
    )
    actions = ["credential.created", "credential.edited", "access_key.created", "connection.created"]
    events = AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                organization=organization,
                actor_user=user if n % 3 else None,
                actor=user.get_username() if n % 3 else f"access key CHAK{n:016d}",
                action=actions[n % len(actions)],
                target_type="Credential",
                target_label=f"Credential {n % max(rows, 1):06d}",
                details={"changes": {"name": [f"old {n}", f"new {n}"]}},
            )
            for n in range(audit_rows)
        ),
        batch_size=batch,
    )
    # auto_now_add gives every event almost the same time: spread them over the past year.
    start = timezone.now() - timedelta(days=365)
    step = timedelta(days=365) / max(audit_rows, 1)
    for offset in range(0, len(events), batch):
        chunk = events[offset : offset + batch]
        for index, event in enumerate(chunk, start=offset):
            event.at = start + step * index
        AuditEvent.objects.bulk_update(chunk, ["at"], batch_size=batch)


def _organization(slug: str, rows: int, audit_rows: int):
    from django.contrib.auth import get_user_model

    from credentials.models import Membership, Organization

    Organization.objects.filter(slug=slug).delete()
    organization = Organization.objects.create(name=slug.title(), slug=slug, api_credentials_enabled=True)
    user, _ = get_user_model().objects.get_or_create(username=f"{slug}-admin")
    Membership.objects.create(user=user, organization=organization, role="admin")
    _fill(organization, user, rows, audit_rows)
    return organization, user


def _measure(client_small, client_large, url_small: str, url_large: str) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    headers: dict = {}
    result: dict = {}
    for name, client, url in (("small", client_small, url_small), ("large", client_large, url_large)):
        response = client.get(url, headers=headers)  # warm caches
        assert response.status_code == 200, (url, response.status_code)
        reset_queries()  # each request clears the log; it must start empty to count only this one
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=headers)
        query_count = len(queries)  # read now: the next request clears the log the context reads
        tracemalloc.start()
        client.get(url, headers=headers)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result[name] = {"queries": query_count, "bytes": len(response.content), "peak": peak, "times": []}
    started = time.perf_counter()
    for _ in range(MAX_ROUNDS):
        for name, client, url in (("small", client_small, url_small), ("large", client_large, url_large)):
            start = time.perf_counter()
            client.get(url, headers=headers)
            result[name]["times"].append(time.perf_counter() - start)
        if time.perf_counter() - started > TIME_BUDGET:
            break
    for name in ("small", "large"):
        result[name]["median"] = statistics.median(result[name]["times"])
    return result


def run() -> None:
    from django.db import connection
    from django.test import Client, override_settings

    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(connection.vendor, connection.vendor)
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        started = time.perf_counter()
        small, small_user = _organization("bench-lists-small", SMALL, AUDIT_SMALL)
        large, large_user = _organization("bench-lists", LARGE, AUDIT_LARGE)
        if connection.vendor == "postgresql":
            # As autovacuum leaves a database in use: statistics read, and the trigram indexes' pending
            # entries (GIN's fast update) merged, without which PostgreSQL rates those indexes too costly.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(
            f"({vendor}: set up {SMALL} and {LARGE} rows, audit {AUDIT_SMALL} and {AUDIT_LARGE}, "
            f"in {time.perf_counter() - started:.0f} s)"
        )
        client_small, client_large = Client(), Client()
        client_small.force_login(small_user)
        client_large.force_login(large_user)
        print(
            f"{'List screen (' + vendor + ', median ms)':<46} {'small':>8} {'large':>9} {'ratio':>7} "
            f"{'queries':>9} {'KB large':>9} {'peak MB':>8}"
        )
        worst = 0.0
        for screen in _screens():
            url_small = _followed(client_small, screen.url(small.slug), screen.follow)
            url_large = _followed(client_large, screen.url(large.slug), screen.follow)
            result = _measure(client_small, client_large, url_small, url_large)
            s, lg = result["small"], result["large"]
            ratio = lg["median"] / s["median"]
            worst = max(worst, ratio)
            queries = f"{s['queries']}/{lg['queries']}"
            flag = "" if ratio <= GOAL and s["queries"] == lg["queries"] else "  ✗"
            if screen.follow and url_large == screen.url(large.slug):
                flag += "  (no such link: the first page again)"
            print(
                f"{screen.label:<46} {s['median'] * 1e3:8.1f} {lg['median'] * 1e3:9.1f} {ratio:6.2f}× "
                f"{queries:>9} {lg['bytes'] / 1024:9.0f} {lg['peak'] / 2**20:8.1f}{flag}"
            )
        print(
            f"(small: {SMALL} rows, audit {AUDIT_SMALL}; large: {LARGE} rows, audit {AUDIT_LARGE}; "
            f"queries small/large; goal: same queries and ratio ≤ {GOAL}×; worst ratio {worst:.2f}×)"
        )
