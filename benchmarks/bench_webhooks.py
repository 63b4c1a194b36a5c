"""Webhook deliveries drained by two real ``db_worker`` processes from the benchmark's database (SQLite by
default; ``DATABASE_URL=postgres://…`` for PostgreSQL): deliveries per second for 1,000 queued ones, whether
any delivery was ever sent twice at the same time, and the time from a change to its first attempt with
idle workers (p50 and p99).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

QUEUED = 1000
IDLE_ROUNDS = 50
WORKERS = 2
WORKER_CONN_MAX_AGE = os.environ.get("CONN_MAX_AGE", "600")
ROOT = Path(__file__).resolve().parent.parent


class Receiver(BaseHTTPRequestHandler):
    lock = threading.Lock()
    in_flight: set[str] = set()
    overlaps = 0
    received: dict[str, float] = {}

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        message_id = self.headers["webhook-id"]
        with self.lock:
            if message_id in self.in_flight:
                Receiver.overlaps += 1
            self.in_flight.add(message_id)
            self.received.setdefault(message_id, time.time())
        time.sleep(0.001)  # a receiver does some work; an overlap would show here
        with self.lock:
            self.in_flight.discard(message_id)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def _workers() -> list[subprocess.Popen]:
    # Workers keep their database connection (as the README's systemd unit does): with CONN_MAX_AGE=0
    # django-tasks-db's loop opens a new one for every task, which costs more than the delivery.
    env = {
        **os.environ,
        "LOG_LEVEL": "WARNING",
        "CREDHUB_ALLOW_PRIVATE_TARGETS": "1",
        "CONN_MAX_AGE": WORKER_CONN_MAX_AGE,
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.05", "--no-startup-delay"]
    return [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL) for _ in range(WORKERS)]


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(30)


def run() -> None:
    from django.conf import settings
    from django.db import connection

    from credentials.models import Organization, WebhookDelivery, WebhookEndpoint
    from credentials.webhooks import events, signing

    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    organization, _ = Organization.objects.get_or_create(slug="bench-webhooks", defaults={"name": "Bench"})
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        name="Bench",
        url=f"http://127.0.0.1:{server.server_port}/hook",
        signing_secret={"secret": signing.new_secret()},
    )
    print(
        f"database: {connection.vendor}, {WORKERS} workers (CONN_MAX_AGE={WORKER_CONN_MAX_AGE}), receiver on loopback"
    )

    # 1,000 deliveries queued before the workers start, then drained.
    for number in range(QUEUED):
        events.emit(organization, "webhook.test", {"endpoint": {"n": number}}, endpoints=[endpoint])
    workers = _workers()
    started = time.monotonic()
    try:
        pending = WebhookDelivery.objects.filter(endpoint=endpoint, status="pending")
        while pending.exists() and time.monotonic() - started < 300:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        done = WebhookDelivery.objects.filter(endpoint=endpoint, status="succeeded").count()
        attempts = sum(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("attempts", flat=True))
        print(f"drained {done}/{QUEUED} in {elapsed:.2f} s: {done / elapsed:.0f} deliveries/s (incl. worker start-up)")
        print(f"attempts {attempts} for {QUEUED} deliveries; sent twice at the same time: {Receiver.overlaps}")

        # Change → first attempt, with the workers idle: one event at a time.
        latencies = []
        for number in range(IDLE_ROUNDS):
            time.sleep(0.2)
            (delivery,) = events.emit(
                organization, "webhook.test", {"endpoint": {"idle": number}}, endpoints=[endpoint]
            )
            emitted = time.time()
            while delivery.event_id not in Receiver.received and time.time() - emitted < 10:
                time.sleep(0.005)
            latencies.append(Receiver.received.get(delivery.event_id, time.time()) - emitted)
        latencies.sort()
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        p50 = statistics.median(latencies)
        print(f"change to first attempt, idle workers: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    finally:
        _stop(workers)
        server.shutdown()
