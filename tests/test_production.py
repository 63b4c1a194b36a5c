"""The production path: `make serve` for real (gunicorn, WhiteNoise, DEBUG off), its refusals, check --deploy."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from tests.conftest import PASSWORD
from tests.production_server import ROOT, production_env, production_server

DEV_SECRET_KEY = "credhub-development-only-secret-key-do-not-use-in-production"
DEV_ENCRYPTION_KEY = "Y3JlZGh1Yi1kZXZlbG9wbWVudC1vbmx5LWtleS0wMDA="


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def _sign_in(session: requests.Session, url: str, username: str, password: str) -> requests.Response:
    form = session.get(f"{url}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return session.post(
        f"{url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/accounts/login/"},
        timeout=10,
    )


def test_make_serve_signs_in_and_serves_a_styled_page_with_its_css() -> None:
    with production_server(workers=2) as server:
        server.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; from credentials.models import Organization, Membership;"
            "o = Organization.objects.create(name='Acme', slug='acme');"
            f"u = User.objects.create_user('acme-member', 'm@example.com', '{PASSWORD}');"
            "Membership.objects.create(user=u, organization=o, role='member')",
        )
        session = requests.Session()
        home = _sign_in(session, server.url, "acme-member", PASSWORD)
        assert home.status_code == 200 and home.url == f"{server.url}/"
        assert "Sign out" in home.text and "Acme" in home.text
        assert "no-store" in home.headers["Cache-Control"]
        assert "script-src 'self'" in home.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in home.headers["Content-Security-Policy"]
        # collectstatic's hashed name, served by WhiteNoise with far-future caching and compression.
        stylesheet = re.search(r'<link rel="stylesheet" href="(/static/credhub\.[0-9a-f]{12}\.css)">', home.text)
        assert stylesheet, home.text[:600]
        css = session.get(server.url + stylesheet.group(1), headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
        assert "max-age=315360000" in css.headers["Cache-Control"] and css.headers.get("Content-Encoding") == "gzip"
        assert ".app-header" in css.text
        # The access log names the path only: no query string, no header value.
        session.get(f"{server.url}/healthz?access_token=chsk_leaked", headers={"User-Agent": "agent-secret"})
        log = server.log.read_text()
        line = r'127\.0\.0\.1 \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET /healthz" 200 \d+ \d+ms pid=<\d+>'
        assert re.search(f"^{line}$", log, re.MULTILINE), log[-600:]
        assert "chsk_leaked" not in log and "agent-secret" not in log and "access_token" not in log


def test_make_serve_refuses_to_start_without_its_secrets() -> None:
    with tempfile.TemporaryDirectory() as directory:
        env = production_env(Path(directory))
        del env["SECRET_KEY"], env["DATABASE_URL"]
        done = _run([sys.executable, "-m", "credhub.serve"], env)
        assert done.returncode != 0
        assert "without SECRET_KEY, DATABASE_URL" in done.stderr


def test_make_serve_reads_a_dot_env_file_and_the_environment_wins() -> None:
    from credhub.serve import production_environment

    with tempfile.TemporaryDirectory() as directory:
        env_file = Path(directory) / ".env"
        env_file.write_text(
            "# credhub\nSECRET_KEY='from the file'\nexport DATABASE_URL=sqlite:///x.sqlite3\n"
            "CREDHUB_ENCRYPTION_KEYS=from-file\nDEBUG=1\n"
        )
        env = production_environment({"CREDHUB_ENV_FILE": str(env_file), "CREDHUB_ENCRYPTION_KEYS": "from-env"})
    assert env["SECRET_KEY"] == "from the file" and env["DATABASE_URL"] == "sqlite:///x.sqlite3"
    assert env["CREDHUB_ENCRYPTION_KEYS"] == "from-env"
    assert env["DEBUG"] == "0"


def test_check_deploy_with_the_documented_production_environment_prints_no_warning() -> None:
    with tempfile.TemporaryDirectory() as directory:
        env = production_env(Path(directory), ALLOWED_HOSTS="credhub.example.com")
        del env["HTTPS"]  # the documented production environment serves HTTPS (behind the proxy)
        env["SECURE_PROXY_SSL_HEADER"] = "X-Forwarded-Proto"
        done = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_the_published_development_keys_are_refused_with_debug_off() -> None:
    with tempfile.TemporaryDirectory() as directory:
        for name, value in [("SECRET_KEY", DEV_SECRET_KEY), ("CREDHUB_ENCRYPTION_KEYS", DEV_ENCRYPTION_KEY)]:
            env = production_env(Path(directory), **{name: value})
            done = _run([sys.executable, "manage.py", "check"], env)
            assert done.returncode != 0
            assert "published development" in done.stderr, done.stderr
