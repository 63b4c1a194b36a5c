"""The API failure limit counts across server processes: two gunicorn servers on one database, on the
database cache and on Redis (Debian's redis-server: REDIS_URL if set, else one started here on a free port)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
import requests

from tests.production_server import free_port, production_server

LIMIT = 20


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: `make test` installs Debian's redis-server package"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="credhub-redis-") as directory:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", directory],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            for _ in range(100):
                try:
                    redis.Redis.from_url(url).ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def _fail_once(url: str) -> int:
    return requests.get(f"{url}/api/v1/account", timeout=10).status_code


def _assert_limit_counts_across_servers(**env: str) -> None:
    # Two servers on one database and cache, as two hosts behind a load balancer would be: which of a
    # server's own workers takes a connection is up to the kernel, which server gets a request is not.
    with production_server(workers=1, **env) as first, production_server(workers=1, beside=first) as second:
        # Alternating, one after the other: the database cache's increment is a read and a write, not atomic.
        statuses = [_fail_once((first, second)[attempt % 2].url) for attempt in range(LIMIT)]
        # Each server answered ten failures: neither alone saw twenty, yet the twenty-first is refused on both.
        assert statuses == [401] * LIMIT
        assert _fail_once(first.url) == 429
        assert _fail_once(second.url) == 429


def test_the_failure_limit_counts_across_servers_on_the_database_cache() -> None:
    _assert_limit_counts_across_servers()


def test_the_failure_limit_counts_across_servers_on_redis(redis_url) -> None:
    prefix = f"credhub-test-{uuid.uuid4().hex}"
    _assert_limit_counts_across_servers(REDIS_URL=redis_url, CREDHUB_CACHE_KEY_PREFIX=prefix)
    keys = redis.Redis.from_url(redis_url).keys(f"{prefix}:*")
    assert any(b"api-auth-failures" in key for key in keys)  # the counters were in Redis
