"""The credential proxy's overhead and memory, on `make serve`'s gunicorn with 2 workers on loopback.

Overhead: the same ``GET`` (a 1 KiB JSON answer from a loopback upstream), sent directly with a
``requests`` session and through the proxy with an access key, in alternating rounds, side by side:
p50 and p99 of each, and their difference. The goal is a p50 difference of at most 2 ms.

Both with the rate-limit counter in the database and, if Debian's redis-server is installed, in Redis
(``REDIS_URL``). Each call counts once against the rate limit and writes one usage record when its answer
ends. The server uses a SQLite database of its own, or on `make bench`'s PostgreSQL pass the bench's
PostgreSQL database.

Memory: the peak RSS of the gunicorn workers while one 100 MiB answer streams through the proxy, over
their RSS when idle. The goal is at most 20 MiB more.
"""

from __future__ import annotations

import http.server
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.production_server import free_port, production_server

ROUNDS, PER_ROUND = 5, 200
GOAL_P50_MS = 2.0
BIG = 100 * 1024 * 1024
GOAL_MEMORY_MIB = 20
SMALL = b'{"items": [' + b",".join(b'{"id": %d}' % i for i in range(100)) + b"]}"

SETUP = (
    "from credentials.models import AccessKey, Credential, Organization; from credentials import keys;"
    "o = Organization.objects.create(slug='bench-{round}', name='Bench {round}', api_credentials_enabled=True,"
    " proxy_rate_limit=10**9);"
    "c = Credential.objects.create(organization=o, name='Upstream', base_url='{base}', auth_type='bearer',"
    " auth_settings={{'key': 'Authorization'}}, secrets={{'value': 'bench-token'}});"
    "k, s = keys.create_access_key(o, 'bench', role='member', system_generated=True);"
    "k.credential_access = AccessKey.CredentialAccess.ALL; k.save();"
    "print(c.pk, k.key_id, s)"
)


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms to each.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        big = self.path.endswith("/big")
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream" if big else "application/json")
        self.send_header("Content-Length", str(BIG if big else len(SMALL)))
        self.end_headers()
        if not big:
            self.wfile.write(SMALL)
            return
        block = b"b" * (1024 * 1024)
        for _ in range(BIG // len(block)):
            self.wfile.write(block)

    def log_message(self, *args) -> None:
        pass


def _times(session: requests.Session, url: str, headers: dict[str, str], count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url, headers=headers)  # read whole: requests reads the body before returning
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
    return times


def _warm_every_worker(server, url: str, keys: dict[str, str]) -> None:
    """A proxied call on a new connection until each worker has answered one (its access log line names
    its pid): a worker's first call loads and connects what every later one reuses, about 20 MiB, and
    would otherwise count as the streamed answer's memory."""
    workers = set(_workers(server.process.pid))
    for _ in range(200):
        with requests.get(url, headers=keys, timeout=10) as response:
            assert response.status_code == 200, response.text[:300]
        served = {int(line.rsplit("pid=", 1)[1].strip("<>")) for line in server.access_log() if "/proxy/" in line}
        if workers <= served:
            return
    raise AssertionError(f"not every worker answered a proxied call: {workers - served}")


def _p(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


@contextmanager
def _redis() -> Iterator[str | None]:
    """A throwaway redis-server on a free port, if Debian's package is installed (else None)."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="credhub-bench-redis-") as directory:
        arguments = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory]
        process = subprocess.Popen([binary, *arguments], stdout=subprocess.DEVNULL)
        try:
            for _ in range(100):
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


def _database() -> tuple[str, dict[str, str]]:
    """The database's name, and the server's environment for it: the bench's own PostgreSQL database on
    the PostgreSQL pass, else a SQLite file of the server's own."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return "PostgreSQL", {"DATABASE_URL": url}
    return "SQLite", {}


def _overhead(base: str, label: str, *, memory: bool, **extra: str) -> None:
    database, environment = _database()
    with production_server(workers=2, CREDHUB_ALLOW_PRIVATE_TARGETS="1", **environment, **extra) as server:
        setup = SETUP.format(base=base, round=secrets.token_hex(4))
        credential_id, key_id, secret = server.manage("shell", "-c", setup).split()[-3:]
        keys = {"X-Client-ID": key_id, "X-Client-Secret": secret}
        proxied = f"{server.url}/api/v1/credentials/{credential_id}/proxy/items"
        direct_url = f"{base}/items"
        _warm_every_worker(server, proxied, keys)
        direct, through = requests.Session(), requests.Session()
        _times(through, proxied, keys, 100)
        _times(direct, direct_url, {}, 100)
        direct_times: list[float] = []
        proxy_times: list[float] = []
        for _ in range(ROUNDS):  # alternating, so that other load on the machine falls on both alike
            direct_times += _times(direct, direct_url, {"Authorization": "Bearer bench-token"}, PER_ROUND)
            proxy_times += _times(through, proxied, keys, PER_ROUND)
        print(f"gunicorn, 2 workers × 4 threads, {database}, {label}; {len(proxy_times)} GETs each, 1 KiB JSON answer")
        print(f"{'':<24}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
        for name, values in (("direct (requests)", direct_times), ("through the proxy", proxy_times)):
            mean = statistics.mean(values) * 1000
            print(f"{name:<24}{_p(values, 0.5):>9.2f}{_p(values, 0.99):>9.2f}{mean:>9.2f}")
        p50 = _p(proxy_times, 0.5) - _p(direct_times, 0.5)
        p99 = _p(proxy_times, 0.99) - _p(direct_times, 0.99)
        verdict = "meets" if p50 <= GOAL_P50_MS else "misses"
        print(f"{'proxy overhead':<24}{p50:>9.2f}{p99:>9.2f}   {verdict} the goal (p50 ≤ {GOAL_P50_MS:g} ms)")
        if memory and database == "SQLite":  # a streamed answer's memory does not depend on the database
            _memory(server, credential_id, keys)


def run() -> None:
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{upstream.server_address[1]}/api"
    try:
        _overhead(base, "rate counter in the database", memory=True)
        with _redis() as redis_url:
            if redis_url is None:
                print("(redis-server is not installed: no figures with the rate counter in Redis.)")
            else:
                _overhead(base, "rate counter in Redis", memory=False, REDIS_URL=redis_url)
    finally:
        upstream.shutdown()


def _memory(server, credential_id: str, keys: dict[str, str]) -> None:
    workers = _workers(server.process.pid)
    idle = {pid: _kib(pid, "VmRSS") for pid in workers}
    started = time.perf_counter()
    received = 0
    url = f"{server.url}/api/v1/credentials/{credential_id}/proxy/big"
    with requests.get(url, headers=keys, stream=True, timeout=120) as response:
        assert response.status_code == 200
        for chunk in response.iter_content(256 * 1024):
            received += len(chunk)
    seconds = time.perf_counter() - started
    growth = max(_kib(pid, "VmHWM") - idle[pid] for pid in workers) / 1024
    verdict = "meets" if growth <= GOAL_MEMORY_MIB and received == BIG else "misses"
    print(
        f"100 MiB streamed in {seconds:.1f} s ({BIG / seconds / 2**20:.0f} MiB/s): worker peak RSS "
        f"{growth:+.1f} MiB over idle ({max(idle.values()) / 1024:.0f} MiB): {verdict} the goal "
        f"(≤ {GOAL_MEMORY_MIB} MiB); {received} bytes received"
    )
