"""Load on the production server: `make serve`'s gunicorn with 2 workers on loopback, its own database.

Authenticated ``GET /api/v1/account`` (an access key) next to ``GET /healthz`` (database and cache
check), at concurrency 1, 8 and 32, each for a few seconds over keep-alive connections: requests per
second, p50 and p99 latency, errors. Bounded to well under a minute. ``BENCH_DATABASE_URL`` runs it on
another database (e.g. PostgreSQL), ``BENCH_CONN_MAX_AGE`` overrides the connection reuse.
"""

from __future__ import annotations

import http.client
import os
import statistics
import threading
import time
from urllib.parse import urlsplit

from tests.production_server import production_server

CONCURRENCY = (1, 8, 32)
SECONDS = 1.0  # per round; ROUNDS rounds per endpoint and concurrency, alternating
ROUNDS = 3
GOAL = 0.7

CREATE_KEY = (
    "from credentials.models import Organization; from credentials import keys;"
    "o, _ = Organization.objects.get_or_create(slug='bench', defaults={'name': 'Bench'});"
    "k, s = keys.create_access_key(o, 'load', role='admin', system_generated=True);"
    "print(k.key_id, s)"
)


def _load(url: str, path: str, headers: dict[str, str], concurrency: int) -> tuple[list[float], float, int]:
    """Latencies, elapsed seconds and errors of ``concurrency`` clients sending back to back."""
    parts = urlsplit(url)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    stop = time.perf_counter() + SECONDS

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[index] += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                connection.close()
            latencies[index].append(time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=client, args=(index,)) for index in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [latency for own in latencies for latency in own], time.perf_counter() - began, sum(errors)


def _summary(rounds: list[tuple[list[float], float, int]]) -> tuple[float, float, float, int]:
    """Requests/s, p50 ms, p99 ms and errors over several rounds."""
    every = sorted(latency for latencies, _, _ in rounds for latency in latencies)
    elapsed = sum(seconds for _, seconds, _ in rounds)
    p99 = every[min(len(every) - 1, int(len(every) * 0.99))]
    return len(every) / elapsed, statistics.median(every) * 1000, p99 * 1000, sum(errors for *_, errors in rounds)


def run() -> None:
    extra = {}
    if database := os.environ.get("BENCH_DATABASE_URL"):
        extra["DATABASE_URL"] = database
    if conn_max_age := os.environ.get("BENCH_CONN_MAX_AGE"):
        extra["CONN_MAX_AGE"] = conn_max_age
    with production_server(workers=2, **extra) as server:
        key_id, secret = server.manage("shell", "-c", CREATE_KEY).split()[-2:]
        account = {"X-Client-ID": key_id, "X-Client-Secret": secret}
        where = "SQLite" if "DATABASE_URL" not in extra else extra["DATABASE_URL"].split("@")[-1]
        print(f"gunicorn, 2 workers × 4 threads, {where}, CONN_MAX_AGE={extra.get('CONN_MAX_AGE', 'default')}")
        _load(server.url, "/healthz", {}, 4)  # warm both workers and their connections
        print(f"{'clients':>7}  {'endpoint':<16}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  of healthz")
        for concurrency in CONCURRENCY:
            # Alternating rounds, so that load from elsewhere on the machine falls on both alike.
            health_rounds, api_rounds = [], []
            for _ in range(ROUNDS):
                health_rounds.append(_load(server.url, "/healthz", {}, concurrency))
                api_rounds.append(_load(server.url, "/api/v1/account", account, concurrency))
            health, api = _summary(health_rounds), _summary(api_rounds)
            for name, (rate, p50, p99, errors) in (("/healthz", health), ("/api/v1/account", api)):
                ratio = f"{rate / health[0]:.2f}" if name != "/healthz" else ""
                print(f"{concurrency:>7}  {name:<16}{rate:>8.0f}{p50:>9.1f}{p99:>9.1f}{errors:>8}  {ratio}")
            verdict = "meets" if api[0] / health[0] >= GOAL and api[3] == 0 else "misses"
            print(f"         account/healthz {api[0] / health[0]:.2f}: {verdict} the goal (≥ {GOAL}, 0 errors)")
