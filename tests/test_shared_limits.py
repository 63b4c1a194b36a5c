"""The API failure limit and the proxy's rate limit count across server processes: two gunicorn servers on
one database, without Redis and on Redis (Debian's redis-server: REDIS_URL if set, else one started here on a
free port)."""

from __future__ import annotations

import http.server
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

from tests.loopback import loopback_server
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


RATE_LIMIT = 6
# A credential for the upstream, and a key that may use it, in the servers' database: "<credential> <id> <secret>".
PROXY_SETUP = (
    "from credentials.models import AccessKey, Credential, Organization; from credentials import keys;"
    "o = Organization.objects.create(slug='shared', name='Shared', api_credentials_enabled=True,"
    f" proxy_rate_limit={RATE_LIMIT});"
    "c = Credential.objects.create(organization=o, name='Upstream', base_url='{base}', auth_type='bearer',"
    " auth_settings={{'key': 'Authorization'}}, secrets={{'value': 'shared-token'}});"
    "k, s = keys.create_access_key(o, 'shared', role='member', system_generated=True);"
    "k.credential_access = AccessKey.CredentialAccess.ALL; k.save(); print(c.pk, k.key_id, s)"
)


class Upstream(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


def _assert_rate_limit_counts_across_servers(**env: str) -> None:
    with (
        loopback_server(Upstream) as upstream,
        production_server(workers=1, CREDHUB_ALLOW_PRIVATE_TARGETS="1", **env) as first,
        production_server(workers=1, beside=first) as second,
    ):
        base = f"http://127.0.0.1:{upstream.server_port}"
        credential_id, key_id, secret = first.manage("shell", "-c", PROXY_SETUP.format(base=base)).split()[-3:]

        def proxied(server) -> requests.Response:
            return requests.get(
                f"{server.url}/api/v1/credentials/{credential_id}/proxy/items",
                headers={"X-Client-ID": key_id, "X-Client-Secret": secret},
                timeout=10,
            )

        # Within one minute (or the count starts again between two calls, and the limit is not reached).
        for _ in range(2):
            started = time.time()
            answers = [proxied((first, second)[call % 2]) for call in range(RATE_LIMIT + 1)]
            if int(started // 60) == int(time.time() // 60):
                break
            time.sleep(max(0.0, 60 - time.time() % 60) + 0.1)
        assert [answer.status_code for answer in answers[:RATE_LIMIT]] == [200] * RATE_LIMIT
        # Each server answered three calls: neither alone saw six, yet the seventh is refused.
        assert answers[RATE_LIMIT].status_code == 429
        assert answers[RATE_LIMIT].headers["Credhub-Error"] == "rate_limited"
        assert 1 <= int(answers[RATE_LIMIT].headers["Retry-After"]) <= 60


def test_the_proxy_rate_limit_counts_across_servers_in_the_database() -> None:
    _assert_rate_limit_counts_across_servers()


def test_the_proxy_rate_limit_counts_across_servers_on_redis(redis_url) -> None:
    prefix = f"credhub-test-{uuid.uuid4().hex}"
    _assert_rate_limit_counts_across_servers(REDIS_URL=redis_url, CREDHUB_CACHE_KEY_PREFIX=prefix)
    counters = redis.Redis.from_url(redis_url).keys(f"{prefix}:*proxy-calls*")
    assert counters  # the count was in Redis, under this installation's prefix
    assert 0 < redis.Redis.from_url(redis_url).ttl(counters[0]) <= 65  # and goes when its minute is over
