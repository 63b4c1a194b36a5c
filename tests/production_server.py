"""Start credhub as `make serve` does (``python -m credhub.serve``: migrate, createcachetable,
collectstatic, gunicorn) on a free loopback port, with its own SQLite database; for tests and `make bench`.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(workdir: Path, **extra: str) -> dict[str, str]:
    """The documented production environment, on loopback without TLS, and nothing from the test run."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PYTEST_", "CREDHUB_", "DEBUG", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        CREDHUB_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL=f"sqlite:///{workdir / 'credhub.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="0",
        CREDHUB_ENV_FILE=str(workdir / "absent.env"),
    )
    env.update(extra)
    return env


@dataclass
class Server:
    url: str
    env: dict[str, str]
    process: subprocess.Popen
    log: Path

    def manage(self, *args: str) -> str:
        """Run a manage.py command against the server's database; its output."""
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def access_log(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if '"GET ' in line or '"POST ' in line]


@contextmanager
def production_server(workers: int = 2, *, beside: Server | None = None, **extra: str) -> Iterator[Server]:
    """A running `make serve`, stopped (and its database removed) afterwards. ``beside``: a second server
    on its own port with the same environment (database, cache, keys) as that one, as a second host would be."""
    with tempfile.TemporaryDirectory(prefix="credhub-serve-") as directory:
        workdir = Path(directory)
        port = free_port()
        base = dict(beside.env) if beside is not None else production_env(workdir, STATIC_ROOT=str(workdir / "static"))
        env = {**base, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), **extra}
        log = workdir / "server.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "credhub.serve"], env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
            )
        server = Server(url=f"http://127.0.0.1:{port}", env=env, process=process, log=log)
        try:
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, f"credhub.serve exited:\n{log.read_text()}"
                try:
                    if requests.get(f"{server.url}/healthz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or too busy starting
                    pass
                assert time.monotonic() < deadline, f"credhub.serve did not start:\n{log.read_text()}"
                time.sleep(0.2)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
