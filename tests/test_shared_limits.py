"""The API failure limit counts across server processes: gunicorn with 2 workers, on the database cache
and on Redis (Debian's redis-server: REDIS_URL if set, else one started here on a free port)."""

from __future__ import annotations

import os
import re
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
    # A fresh connection each time, so the two workers share the requests between them.
    return requests.get(f"{url}/api/v1/account", headers={"Connection": "close"}, timeout=10).status_code


def _assert_limit_counts_across_workers(**env: str) -> None:
    with production_server(workers=2, **env) as server:
        # One after the other: the database cache's increment is a read and a write, not atomic.
        statuses = [_fail_once(server.url) for _ in range(LIMIT)]
        assert statuses == [401] * LIMIT
        assert _fail_once(server.url) == 429
        time.sleep(0.5)  # the access log is written after the answer
        pids = {re.search(r"pid=<?(\d+)", line).group(1) for line in server.access_log() if "/api/v1/account" in line}
        # Both workers answered failures: neither alone saw twenty, yet the twenty-first was refused.
        assert len(pids) == 2, server.access_log()


def test_the_failure_limit_counts_across_workers_on_the_database_cache() -> None:
    _assert_limit_counts_across_workers()


def test_the_failure_limit_counts_across_workers_on_redis(redis_url) -> None:
    prefix = f"credhub-test-{uuid.uuid4().hex}"
    _assert_limit_counts_across_workers(REDIS_URL=redis_url, CREDHUB_CACHE_KEY_PREFIX=prefix)
    keys = redis.Redis.from_url(redis_url).keys(f"{prefix}:*")
    assert any(b"api-auth-failures" in key for key in keys)  # the counters were in Redis
