"""The total deadline of one outbound request, against loopback servers that trickle their answer."""

from __future__ import annotations

import http.server
import time
from collections.abc import Iterator

import pytest
import requests

from credentials import outbound
from credentials.models import Credential
from tests.loopback import loopback_server

LIST = "/o/acme/settings/integrations/credentials/"
DEADLINE = 1.5


class TrickleHandler(http.server.BaseHTTPRequestHandler):
    """`/headers` sends its header one byte a second; `/body` its body; `/fast` answers at once."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        try:
            if self.path == "/headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for byte in b"X-Slow: abcdefghijklmnopqrstuvwxyz\r\n":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(1)
                self.wfile.write(b"Content-Length: 0\r\n\r\n")
            elif self.path == "/body":
                body = b"trickled-body-of-thirty-bytes!"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(1)
            else:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
        except OSError:  # the client gave up, as it should
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def trickle_server() -> Iterator[str]:
    with loopback_server(TrickleHandler) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(autouse=True)
def short_deadline(settings) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"
    settings.CREDHUB_OUTBOUND_DEADLINE = DEADLINE


def _credential(organization, base_url: str) -> Credential:
    return Credential.objects.create(
        organization=organization,
        name="Slow API",
        base_url=base_url,
        auth_type="bearer",
        auth_settings={"key": "Authorization"},
        secrets={"value": "tok-slow"},
    )


def test_test_connection_gives_up_on_trickled_headers_at_the_deadline(admin_client, organization, trickle_server):
    credential = _credential(organization, f"{trickle_server}/headers")
    started = time.monotonic()
    response = admin_client.post(f"{LIST}{credential.pk}/test/", headers={"HX-Request": "true"})
    elapsed = time.monotonic() - started
    html = response.content.decode()
    assert "Connection failed." in html and "did not answer in time" in html
    assert 'role="alert"' in html
    assert DEADLINE <= elapsed < DEADLINE + 2, elapsed


def test_session_for_gives_up_on_a_trickled_body(organization, trickle_server) -> None:
    credential = _credential(organization, trickle_server)
    started = time.monotonic()
    with outbound.session_for(credential) as session, pytest.raises(requests.exceptions.Timeout) as raised:
        session.get("/body")
    assert DEADLINE <= time.monotonic() - started < DEADLINE + 2
    assert f"within {DEADLINE:g} seconds" in str(raised.value)


def test_a_streamed_body_is_under_the_deadline_until_the_response_closes(organization, trickle_server) -> None:
    credential = _credential(organization, trickle_server)
    started = time.monotonic()
    with outbound.session_for(credential) as session:
        response = session.get("/body", stream=True)
        with pytest.raises(requests.exceptions.RequestException):
            b"".join(response.iter_content(1))
    assert time.monotonic() - started < DEADLINE + 2


def test_the_deadline_is_per_request_and_spares_a_reused_connection(organization, trickle_server) -> None:
    credential = _credential(organization, trickle_server)
    with outbound.session_for(credential) as session:
        assert session.get("/fast").text == "ok"
        time.sleep(DEADLINE + 0.5)  # the first request's deadline has passed; its pooled connection lives on
        started = time.monotonic()
        assert session.get("/fast").text == "ok"
        assert session.get("/fast").text == "ok"
        assert time.monotonic() - started < 1


def test_a_short_deadline_fires_on_time_while_a_long_one_waits(organization, trickle_server) -> None:
    # One alarm thread serves every request of the process: a call with a long deadline in flight must
    # not hold back a shorter one armed after it.
    credential = _credential(organization, trickle_server)
    with outbound.session_for(credential, deadline=30) as slow:
        started = time.monotonic()
        response = slow.get("/body", stream=True)  # its deadline, 30 s, is armed first
        with outbound.session_for(credential) as session, pytest.raises(requests.exceptions.Timeout):
            session.get("/body")
        assert DEADLINE <= time.monotonic() - started < DEADLINE + 2
        response.close()
