"""The real worker process: ``manage.py db_worker`` killed mid-delivery, and the delivery still completes.

Everything runs in subprocesses against a database file of its own, as in production: the test process
only plays the receiver.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks.webhooks import Webhook

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
from credentials.actions import api_keys, webhooks
from django.contrib.auth.models import User
from credentials.models import Organization
admin = User.objects.create_user("ops")
org = Organization.objects.create(name="Acme", slug="acme")
endpoint, secret = webhooks.do_create_endpoint(org, name="Ops", url="{url}", event_types=[], actor=admin)
api_keys.do_generate_api_key(org, "CI", actor=admin)
print(secret)
"""

STATE = """
import json
from credentials.models import WebhookDelivery
print(json.dumps([[d.status, d.attempts] for d in WebhookDelivery.objects.all()]))
"""


class Receiver(BaseHTTPRequestHandler):
    """Holds the first request open (the worker is killed meanwhile), answers 200 to the next."""

    received: list[tuple[dict[str, str], bytes]] = []
    first_arrived = threading.Event()
    release_first = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        first = not self.received
        self.received.append((dict(self.headers), body))
        if first:
            self.first_arrived.set()
            self.release_first.wait(30)
        try:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:
            pass  # the killed worker's connection is gone

    def log_message(self, *args) -> None:
        pass


def manage(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, **kwargs
    )


def state(env: dict[str, str]) -> list[list]:
    """[status, attempts] of each delivery (the shell's last line: it prints a banner first)."""
    return json.loads(manage(env, "shell", "-c", STATE).stdout.strip().splitlines()[-1])


def worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_delivery_survives_a_worker_killed_mid_delivery(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    env = {
        **os.environ,
        "DEBUG": "1",
        "CREDHUB_ALLOW_PRIVATE_TARGETS": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WEBHOOK_CLAIM_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
    }
    first = second = None
    try:
        assert manage(env, "migrate", "--noinput").returncode == 0
        setup = manage(env, "shell", "-c", SETUP.format(url=url))
        assert setup.returncode == 0, setup.stderr
        secret = setup.stdout.strip().splitlines()[-1]

        first = worker(env)
        assert Receiver.first_arrived.wait(60), "the worker never sent the delivery"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        Receiver.release_first.set()
        assert state(env) == [["pending", 1]]

        second = worker(env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = state(env)
            if now[0][0] != "pending":
                break
            time.sleep(0.5)
        assert now == [["succeeded", 2]]
        assert len(Receiver.received) == 2
        (headers_1, body_1), (headers_2, body_2) = Receiver.received
        assert headers_1["webhook-id"] == headers_2["webhook-id"]  # at-least-once, deduplicable
        assert Webhook(secret).verify(body_2, headers_2)["type"] == "api_key.created"
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(10)
        server.shutdown()
