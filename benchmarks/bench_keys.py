"""How much verifying a key costs, next to a raw-SQL + HMAC floor, djangorestframework-api-key and Django's
password hasher; whether refusing a known and an unknown key ID take the same time; and how much of a whole
API request authentication takes. Runs on SQLite and, from `make bench` with a PostgreSQL DATABASE_URL,
on PostgreSQL too.

Needs the bench-only packages of requirements-bench.txt. djangorestframework-api-key's app is added to
INSTALLED_APPS here, for this run only (credhub's settings never name it).
"""

from __future__ import annotations

import hmac
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

STORED_KEYS = 1000
ROUNDS = 2000
HASHER_ROUNDS = 5
REQUEST_ROUNDS = 500


def _medians_us(functions: list[Callable[[], object]], rounds: int) -> list[float]:
    """Median time of each function in µs, measured in alternation so that load from other processes on
    the machine falls on all of them alike."""
    for function in functions:
        function()  # warm caches and connections
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for function, timings in zip(functions, samples):
            start = time.perf_counter()
            function()
            timings.append(time.perf_counter() - start)
    return [statistics.median(timings) * 1e6 for timings in samples]


def _unauthenticated_api():
    """The same work as GET /api/v1/account (the same lookup of the key with its organization, the same
    second read of their row, the same schema), with no authentication at all: no secret check, no checks
    of the key, no rate-limit check."""
    from django.http import HttpRequest
    from ninja import NinjaAPI

    from credentials.api.schemas import AccountOut
    from credentials.key_lookup import access_key_by_id

    bench_api = NinjaAPI(urls_namespace="bench_unauthenticated", docs_url=None, openapi_url=None)

    @bench_api.get("/account", response=AccountOut)
    def account(request: HttpRequest, key_id: str, hash: str) -> dict:
        access_key, organization = access_key_by_id.find(key_id=key_id, hash=hash).row
        return {
            "account_id": organization.account_id,
            "account_domain": organization.account_domain,
            "name": organization.name,
            "key": {
                "type": "access_key",
                "key_id": access_key.key_id,
                "name": access_key.name,
                "role": access_key.role,
                "system_generated": access_key.system_generated,
                "expires_at": access_key.expires_at,
            },
        }

    return bench_api


urlpatterns: list = []


def run() -> None:
    from django.contrib.auth.hashers import check_password, make_password
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, modify_settings, override_settings
    from django.urls import include, path
    from django.utils import timezone

    from credentials import keys
    from credentials.models import AccessKey, Membership, Organization
    from credhub.urls import urlpatterns as credhub_urls

    # DEBUG off while measuring, as in production: with DEBUG on, Django logs every query (and on SQLite
    # runs an extra one to quote its parameters), which would swamp what is measured here.
    with modify_settings(INSTALLED_APPS={"append": "rest_framework_api_key"}), override_settings(DEBUG=False):
        call_command("migrate", "rest_framework_api_key", verbosity=0)
        from django.contrib.auth import get_user_model
        from rest_framework_api_key.models import APIKey as DRFAPIKey

        organization, _ = Organization.objects.get_or_create(
            slug="bench", defaults={"name": "Bench", "api_credentials_enabled": True}
        )
        user, _ = get_user_model().objects.get_or_create(username="bench-admin")
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": "admin"})

        # The same number of stored keys on both sides.
        AccessKey.objects.filter(organization=organization).delete()
        AccessKey.objects.bulk_create(
            AccessKey(
                organization=organization,
                owner=user,
                name=f"key {index}",
                key_id=keys.new_access_key_id(),
                secret_hash=keys.hash_secret(keys.new_access_key_secret()),
            )
            for index in range(STORED_KEYS - 1)
        )
        access_key, secret = keys.create_access_key(organization, "measured", owner=user)
        DRFAPIKey.objects.all().delete()
        for index in range(STORED_KEYS - 1):
            DRFAPIKey.objects.create_key(name=f"key {index}")
        _, drf_key = DRFAPIKey.objects.create_key(name="measured")

        password_hash = make_password(secret)  # Django's default hasher (PBKDF2-SHA256)
        table = AccessKey._meta.db_table

        def floor() -> bool:
            """The least any verification can do: one indexed SELECT of the hash, one HMAC, one comparison."""
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT secret_hash FROM {table} WHERE key_id = %s", [access_key.key_id])
                row = cursor.fetchone()
            return hmac.compare_digest(keys.hash_secret(secret), row[0])

        # Each comparison is its own alternation of two: a third, much heavier function in the same loop
        # (drf's ORM query) would leave the CPU's caches cold for whichever runs after it.
        ours, raw_floor = _medians_us(
            [lambda: keys.authenticate_access_key(access_key.key_id, secret), floor],
            ROUNDS,
        )
        ours_again, drf = _medians_us(
            [
                lambda: keys.authenticate_access_key(access_key.key_id, secret),
                lambda: DRFAPIKey.objects.is_valid(drf_key),
            ],
            ROUNDS,
        )
        (hash_only,) = _medians_us([lambda: keys.hash_secret(secret)], ROUNDS)

        def round_trip() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()

        # On PostgreSQL both verifications are mostly this; the drf ratio falls as it grows.
        (trip,) = _medians_us([round_trip], ROUNDS)
        (hasher,) = _medians_us([lambda: check_password(secret, password_hash)], HASHER_ROUNDS)

        vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(connection.vendor, connection.vendor)
        print(f"Verify one key among {STORED_KEYS} stored (median of {ROUNDS}, {vendor}):")
        print(f"  credhub access key (HMAC-SHA256, 1 query)      {ours:10.1f} µs  ({ours / raw_floor:.2f}× the floor)")
        print(f"  raw SQL + HMAC floor (1 column, no checks)     {raw_floor:10.1f} µs")
        print(f"  credhub access key, measured beside drf        {ours_again:10.1f} µs")
        print(f"  djangorestframework-api-key is_valid           {drf:10.1f} µs  ({drf / ours_again:.1f}× credhub)")
        print(f"  Django default password hasher, same secret   {hasher:10.1f} µs  ({hasher / ours:.0f}× credhub)")
        print(f"  (credhub's HMAC alone                          {hash_only:10.1f} µs)")
        print(f"  (the database's round trip, SELECT 1           {trip:10.1f} µs)")

        # Refusals: a wrong secret for a known key ID, and an unknown key ID. The two known-ID columns
        # measure the same thing twice, so their difference is the noise the unknown-ID gap compares with.
        wrong = keys.new_access_key_secret()
        unknown_id = keys.new_access_key_id()

        def refuse(key_id: str) -> None:
            try:
                keys.authenticate_access_key(key_id, wrong)
            except keys.KeyRejected:
                return
            raise AssertionError("a wrong secret was accepted")

        known, unknown, known_again = _medians_us(
            [lambda: refuse(access_key.key_id), lambda: refuse(unknown_id), lambda: refuse(access_key.key_id)],
            ROUNDS,
        )
        print("Refusing a wrong secret (median of each, measured in alternation):")
        print(f"  known key ID, wrong secret                     {known:10.1f} µs")
        print(f"  unknown key ID                                 {unknown:10.1f} µs  ({unknown - known:+.1f} µs)")
        print(
            f"  known key ID again (noise)                     {known_again:10.1f} µs  ({known_again - known:+.1f} µs)"
        )

        # A key in a roll: two candidate secrets, each checked by both comparisons, next to a plain key.
        rolling_key, first_secret = keys.create_access_key(organization, "rolling", owner=user)
        second_secret = keys.roll_access_key(rolling_key, timedelta(hours=24), timezone.now())
        plain_again, new_secret, old_secret = _medians_us(
            [
                lambda: keys.authenticate_access_key(access_key.key_id, secret),
                lambda: keys.authenticate_access_key(rolling_key.key_id, second_secret),
                lambda: keys.authenticate_access_key(rolling_key.key_id, first_secret),
            ],
            ROUNDS,
        )
        print("A key in a roll (median of each, measured in alternation):")
        print(f"  plain key                                      {plain_again:10.1f} µs")
        print(
            f"  rolling key, new secret                        {new_secret:10.1f} µs  "
            f"({(new_secret / plain_again - 1) * 100:+.1f} %)"
        )
        print(
            f"  rolling key, previous secret                   {old_secret:10.1f} µs  "
            f"({(old_secret / plain_again - 1) * 100:+.1f} %)"
        )

        # An address-restricted key: ten ranges (IPv4 and IPv6), the caller's address in the last one, next to
        # a plain key called from the same address.
        restricted_key, restricted_secret = keys.create_access_key(organization, "restricted", owner=user)
        ranges = [f"10.{index}.0.0/16" for index in range(5)] + [f"2001:db8:{index}::/48" for index in range(4)]
        AccessKey.objects.filter(pk=restricted_key.pk).update(allowed_addresses=[*ranges, "198.51.100.0/24"])
        caller = "198.51.100.7"
        plain_from, restricted, mapped = _medians_us(
            [
                lambda: keys.authenticate_access_key(access_key.key_id, secret, address=caller),
                lambda: keys.authenticate_access_key(restricted_key.key_id, restricted_secret, address=caller),
                lambda: keys.authenticate_access_key(
                    restricted_key.key_id, restricted_secret, address=f"::ffff:{caller}"
                ),
            ],
            ROUNDS,
        )
        print("An address-restricted key, 10 ranges (median of each, measured in alternation):")
        print(f"  plain key                                      {plain_from:10.1f} µs")
        print(
            f"  address-restricted key verification            {restricted:10.1f} µs  "
            f"({(restricted / plain_from - 1) * 100:+.1f} %)"
        )
        print(
            f"  address-restricted, IPv4-mapped IPv6 caller    {mapped:10.1f} µs  "
            f"({(mapped / plain_from - 1) * 100:+.1f} %)"
        )

        headers = {"X-Client-ID": access_key.key_id, "X-Client-Secret": secret}
        client = Client()
        bench_api = _unauthenticated_api()
        bench_patterns, bench_app, bench_namespace = bench_api.urls
        bench_urls = [path("bench/", include((bench_patterns, bench_app), namespace=bench_namespace)), *credhub_urls]
        global urlpatterns
        urlpatterns = bench_urls
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
            cache.clear()
            for url in ("/api/v1/account", "/api/v1/credentials", "/api/v1/connections"):
                client.get(url, headers=headers)  # the first use writes `last used`; later ones do not
                with CaptureQueriesContext(connection) as queries:  # forces the query log on, briefly
                    response = client.get(url, headers=headers)
                assert response.status_code == 200, response.content
                print(f"Database queries for an authenticated GET {url}: {len(queries)}")
            authenticated, unauthenticated = _medians_us(
                [
                    lambda: client.get("/api/v1/account", headers=headers),
                    lambda: client.get(f"/bench/account?key_id={access_key.key_id}&hash={access_key.secret_hash}"),
                ],
                REQUEST_ROUNDS,
            )
        share = (authenticated - unauthenticated) / authenticated * 100
        print(f"Whole request, median of {REQUEST_ROUNDS} (Django test client, full middleware stack):")
        print(f"  authenticated GET /api/v1/account              {authenticated:10.1f} µs")
        print(f"  unauthenticated view doing the same work        {unauthenticated:10.1f} µs")
        print(f"  authentication's share of the request           {share:10.1f} %")
